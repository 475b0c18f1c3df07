/**
 * Embedded media keep a trace. Before Readability, markEmbeds replaces each embedded video (a player iframe, <video>,
 * <lite-youtube>), audio and post (tweet, toot, Instagram, TikTok, Bluesky, Threads) with a placeholder iframe that
 * holds, in data attributes, what its trace needs; Readability keeps it because its allowedVideoRegex is told to.
 * After Readability, traceEmbeds turns each placeholder into plain markup: a video becomes its poster image (a normal
 * <img>, localized by the images stage like any other) and a link to the video with its title; a post becomes a
 * quotation of its text with a link to it. Pure DOM work, no request, nothing script-capable; never throws.
 */
import { randomBytes } from "node:crypto";
import { Readability } from "@mozilla/readability";
import { resolveCandidate } from "../images/candidates.ts";
import { classesOf } from "./hints.ts";
import { textLines } from "../../util/text-lines.ts";

/** What markEmbeds leaves for Readability and traceEmbeds. */
export interface MarkedEmbeds {
  /** Readability's own video allowlist plus this page's placeholders: pass it as its allowedVideoRegex. */
  allowedVideoRegex: RegExp;
  /** Placeholders found in the page: traceEmbeds has nothing to do without them. */
  count: number;
  /** The marker value of this page's placeholders: random, so the page cannot forge one. */
  marker: string;
}

interface Trace {
  kind: "video" | "audio" | "post";
  /** Where the video, audio or post is: an absolute http(s) URL. */
  url: string;
  provider?: string | undefined;
  title?: string | undefined;
  poster?: string | undefined;
  /** A post's text, one line per block. */
  text?: string | undefined;
}

const PLACEHOLDER = "data-archive-embed";
const FIELDS = ["kind", "url", "provider", "title", "poster", "text"] as const;
const MAX_TITLE = 300;
const MAX_POST_TEXT = 4000;
/** Embeds looked at in one page: a page of ten thousand players is not an article. */
const MAX_EMBEDS = 500;

/** Readability's default: iframes from these hosts survive its cleaning. */
const READABILITY_VIDEOS = (Readability.prototype as unknown as { REGEXPS: { videos: RegExp } }).REGEXPS.videos;

/** Posts embedded as a blockquote that a script turns into a card: the blockquote holds the text and the link. */
const POST_CLASSES: Record<string, string> = {
  "twitter-tweet": "X (Twitter)",
  "twitter-video": "X (Twitter)",
  "instagram-media": "Instagram",
  "mastodon-embed": "Mastodon",
  "tiktok-embed": "TikTok",
  "bluesky-embed": "Bluesky",
  "text-post-media": "Threads",
};
/** Attributes where those blockquotes keep the post's own address. */
const PERMALINK_ATTRIBUTES = ["data-instgrm-permalink", "data-text-post-permalink", "data-embed-url", "cite"];

/** Titles players give every video, which say nothing about this one. */
const GENERIC_TITLE = /^(?:(?:youtube|vimeo|dailymotion|embedded|embed|video|player|media|content|iframe)\s*)*$/i;

/** The tags markEmbeds looks at, as the markup spells them. */
const EMBED_TAGS = ["iframe", "video", "audio", "embed", "object", "lite-youtube", "blockquote"];
const SPELLED = EMBED_TAGS.map((tag) => new RegExp(`<${tag}[\\s/>]`, "i"));

/**
 * Replaces every embed of `document` that has a trace with its placeholder. Call before Readability, and give
 * Readability the returned allowedVideoRegex. `html` is the markup the document was parsed from: only the embed tags
 * it spells are looked for, one tag name at a time, and a page without any is not walked at all (a selector query
 * over a fresh jsdom document costs several walks of every node; that was a fiftieth of extraction).
 */
export function markEmbeds(document: Document, html?: string): MarkedEmbeds {
  const tags = html === undefined ? EMBED_TAGS : EMBED_TAGS.filter((_, i) => SPELLED[i]!.test(html));
  if (tags.length === 0) return { allowedVideoRegex: READABILITY_VIDEOS, count: 0, marker: "" };
  const marker = `archive-embed:${randomBytes(9).toString("hex")}`;
  let count = 0;
  const base = document.baseURI;
  const found = tags.map((tag) => Array.from(document.getElementsByTagName(tag)).slice(0, MAX_EMBEDS));
  const candidates = (found.length === 1 ? found[0]! : inDocumentOrder(found.flat())).slice(0, MAX_EMBEDS);
  for (const element of candidates) {
    if (!element.isConnected) continue; // inside an embed already replaced
    const trace = traceOf(element, base);
    if (!trace) continue;
    const placeholder = document.createElement("iframe");
    placeholder.setAttribute(PLACEHOLDER, marker);
    for (const field of FIELDS) {
      const value = trace[field];
      if (value) placeholder.setAttribute(`data-archive-${field}`, value);
    }
    element.replaceWith(placeholder);
    count += 1;
  }
  const allowedVideoRegex = new RegExp(`${READABILITY_VIDEOS.source}|^${marker}$`, "i");
  return { allowedVideoRegex, count, marker };
}

/** Outer embeds before the ones inside them, as a selector query would list them. */
function inDocumentOrder(elements: Element[]): Element[] {
  return elements.sort((a, b) => (a === b ? 0 : a.compareDocumentPosition(b) & 4 /* FOLLOWING */ ? -1 : 1));
}

/** Turns the placeholders under `root` into their traces (see the module comment). */
export function traceEmbeds(root: Element, embeds: MarkedEmbeds): void {
  if (embeds.count === 0) return;
  for (const placeholder of Array.from(root.querySelectorAll(`iframe[${PLACEHOLDER}]`))) {
    if (placeholder.getAttribute(PLACEHOLDER) !== embeds.marker) continue;
    const read = (field: (typeof FIELDS)[number]) => placeholder.getAttribute(`data-archive-${field}`) ?? undefined;
    const kind = read("kind");
    const url = read("url");
    if ((kind !== "video" && kind !== "audio" && kind !== "post") || !url) {
      placeholder.remove();
      continue;
    }
    const trace: Trace = { kind, url, provider: read("provider"), title: read("title"), poster: read("poster"), text: read("text") };
    const parent = placeholder.parentElement;
    const inFigure = parent?.localName === "figure";
    const rendered = render(placeholder.ownerDocument, trace, inFigure);
    // Readability wraps a lone embed in a <p>, which cannot hold a figure or a quotation: the trace takes its place.
    if (parent && parent !== root && parent.localName === "p" && isAlone(placeholder)) parent.replaceWith(...rendered);
    else placeholder.replaceWith(...rendered);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Recognizing embeds

function traceOf(element: Element, base: string): Trace | undefined {
  switch (element.localName) {
    case "iframe":
    case "embed": {
      // Lazy loaders keep a frame's address in data-src until it scrolls into view.
      const src = element.getAttribute("src") ?? element.getAttribute("data-src") ?? element.getAttribute("data-lazy-src");
      return fromPlayerUrl(src, base, element.getAttribute("title"));
    }
    case "object":
      return fromPlayerUrl(
        element.getAttribute("data") ?? element.querySelector("param[name='movie' i]")?.getAttribute("value"),
        base,
        element.getAttribute("title"),
      );
    case "lite-youtube": {
      const id = element.getAttribute("videoid") ?? "";
      if (!/^[\w-]{11}$/.test(id)) return undefined;
      return youtube(id, (element.getAttribute("playlabel") ?? "").replace(/^Play:\s*/i, ""));
    }
    case "video":
    case "audio":
      return fromMediaElement(element, base);
    case "blockquote":
      return fromPostQuote(element, base);
    default:
      return undefined;
  }
}

/** An iframe's (or embed's, or object's) player address: which video or post it plays, and where that lives. */
function fromPlayerUrl(value: string | null | undefined, base: string, title: string | null): Trace | undefined {
  const url = absolute(value, base);
  if (!url) return undefined;
  const host = url.hostname.replace(/^www\./, "");
  const path = url.pathname;
  const named = cleanTitle(title);
  let match: RegExpExecArray | null;
  if (/^(?:m\.)?youtube(?:-nocookie)?\.com$/.test(host) && (match = /^\/(?:embed|v)\/([\w-]{11})(?:[/?]|$)/.exec(path))) {
    return youtube(match[1]!, named);
  }
  if (host === "player.vimeo.com" && (match = /^\/video\/(\d{1,20})(?:[/?]|$)/.exec(path))) {
    return { kind: "video", provider: "Vimeo", url: `https://vimeo.com/${match[1]}`, title: named };
  }
  if (host === "dailymotion.com" && (match = /^\/embed\/video\/([a-zA-Z0-9]{1,20})(?:[/?]|$)/.exec(path))) {
    const id = match[1]!;
    return {
      kind: "video",
      provider: "Dailymotion",
      url: `https://www.dailymotion.com/video/${id}`,
      title: named,
      poster: `https://www.dailymotion.com/thumbnail/video/${id}`,
    };
  }
  if (host === "platform.twitter.com" && /^\/embed\//.test(path)) {
    const id = url.searchParams.get("id") ?? "";
    if (/^\d{1,25}$/.test(id)) return { kind: "post", provider: "X (Twitter)", url: `https://twitter.com/i/status/${id}`, title: named };
  }
  if (host === "instagram.com" && (match = /^\/(p|reel|tv)\/([\w-]{1,40})\/embed/.exec(path))) {
    return { kind: "post", provider: "Instagram", url: `https://www.instagram.com/${match[1]}/${match[2]}/`, title: named };
  }
  // Mastodon, on any server: https://<server>/@<user>/<id>/embed
  if ((match = /^\/(@[\w.-]{1,64})\/(\d{1,25})\/embed\/?$/.exec(path))) {
    const [, user, id] = match;
    return { kind: "post", provider: "Mastodon", url: `${url.origin}/${user}/${id}`, title: named ?? `Post by ${user}@${url.hostname}` };
  }
  // Another player Readability keeps (Twitch, the Internet Archive, Wikimedia, ...): a link to the player itself.
  if (READABILITY_VIDEOS.test(url.href)) return { kind: "video", url: url.href, title: named };
  return undefined;
}

function youtube(id: string, title: string | undefined): Trace {
  return {
    kind: "video",
    provider: "YouTube",
    url: `https://www.youtube.com/watch?v=${id}`,
    title: cleanTitle(title),
    // The poster YouTube itself shows before playing, derived from the id.
    poster: `https://i.ytimg.com/vi/${id}/hqdefault.jpg`,
  };
}

/** A <video> or <audio>: its file (or first http(s) <source>), its poster, its title. */
function fromMediaElement(element: Element, base: string): Trace | undefined {
  const sources = [element.getAttribute("src"), ...Array.from(element.querySelectorAll("source"), (source) => source.getAttribute("src"))];
  const url = sources.map((value) => absolute(value, base)).find(Boolean);
  // The poster is an image like any other: the same URLs an <img> may have (http, https, data:image).
  const poster = element.localName === "video" ? resolveCandidate(element.getAttribute("poster"), base) : undefined;
  const href = url?.href ?? (poster?.startsWith("data:") ? undefined : poster);
  if (!href) return undefined;
  return {
    kind: element.localName === "audio" ? "audio" : "video",
    url: href,
    title: cleanTitle(element.getAttribute("title") ?? element.getAttribute("aria-label")),
    poster,
  };
}

/** A tweet, toot or other post embedded as a blockquote (by its class): its text, and where the post is. */
function fromPostQuote(element: Element, base: string): Trace | undefined {
  const provider = classesOf(element)
    .map((name) => POST_CLASSES[name])
    .find(Boolean);
  if (!provider) return undefined;
  let url: URL | undefined;
  for (const name of PERMALINK_ATTRIBUTES) {
    url = absolute(element.getAttribute(name)?.replace(/\/embed\/?$/, ""), base);
    if (url) break;
  }
  // A tweet's own link is its last one, on the date ("— Name (@handle) <a>November 19, 2019</a>").
  const links = Array.from(element.querySelectorAll("a[href]"));
  url ??= absolute(links[links.length - 1]?.getAttribute("href"), base);
  if (!url) return undefined;
  return { kind: "post", provider, url: url.href, text: textLines(element).join("\n").slice(0, MAX_POST_TEXT) };
}

/** `value` resolved against `base`, if it is an http(s) URL. */
function absolute(value: string | null | undefined, base: string): URL | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  try {
    const url = new URL(trimmed, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

function cleanTitle(value: string | null | undefined): string | undefined {
  const title = value?.replace(/\s+/g, " ").trim().slice(0, MAX_TITLE);
  return title && !GENERIC_TITLE.test(title) ? title : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering traces

/** Whether `element` is all its parent holds, but for whitespace. */
function isAlone(element: Element): boolean {
  const parent = element.parentNode!;
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node !== element && (node.nodeType === 1 || (node.nodeType === 3 && /\S/.test((node as Text).data)))) return false;
  }
  return true;
}

/** The trace's markup: in a figure already (a <video> with its caption), the image and a line, not a second figure. */
function render(document: Document, trace: Trace, inFigure: boolean): Element[] {
  const link = (text: string) => {
    const a = document.createElement("a");
    a.setAttribute("href", trace.url);
    a.textContent = text;
    return a;
  };
  const provider = trace.provider ? ` (${trace.provider})` : "";
  if (trace.kind === "post") {
    const quote = document.createElement("blockquote");
    quote.setAttribute("cite", trace.url);
    const lines = (trace.text ?? "").split("\n").filter(Boolean);
    // The post's last line is its attribution ("— Name (@handle) November 19, 2019"): it becomes the link to it.
    const last = lines.pop() ?? trace.title ?? `View the post on ${trace.provider ?? "its site"}`;
    for (const text of lines) {
      const p = document.createElement("p");
      p.textContent = text;
      quote.append(p);
    }
    const p = document.createElement("p");
    p.append(link(last));
    quote.append(p);
    return [quote];
  }
  const label = trace.kind === "audio" ? "Audio" : "Video";
  const name = trace.title ?? displayUrl(trace.url);
  const parts: Element[] = [];
  if (trace.poster) {
    const img = document.createElement("img");
    img.setAttribute("src", trace.poster);
    img.setAttribute("alt", `${label}: ${name}`);
    const a = link("");
    a.append(img);
    parts.push(a);
  }
  const caption = document.createElement(inFigure ? "p" : "figcaption");
  caption.append(`${label}: `, link(name), provider);
  parts.push(caption);
  if (inFigure) return parts;
  const figure = document.createElement("figure");
  figure.append(...parts);
  return [figure];
}

function displayUrl(url: string): string {
  return url.replace(/^https?:\/\/(?:www\.)?/, "").slice(0, 100);
}
