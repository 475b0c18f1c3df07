/**
 * Planning an article's images from its DOM: <picture> and <noscript> resolved, each <img>'s candidate URLs chosen
 * (candidates.ts), and each <img> replaced by a numbered marker. Runs in the extraction worker on the tree Readability
 * leaves (extract.ts), so it must stay free of sharp and of any I/O: localize.ts fetches and encodes from the plan.
 */
import { randomBytes } from "node:crypto";
import {
  DECODABLE_TYPES,
  LAZY_SRC_ATTRIBUTES,
  LAZY_SRCSET_ATTRIBUTES,
  MAX_CANDIDATES_TRIED,
  NOT_CANDIDATES,
  PIXEL_MAX,
  isPlaceholder,
  looksLikeUrl,
  mediaMatches,
  pickFromSrcset,
  resolveCandidate,
  isImageUrlValue,
  RASTER_EXTENSION,
} from "./candidates.ts";

/**
 * What the images stage does to an article, decided from its DOM: each <img> (after <picture> and <noscript> are
 * resolved) becomes a numbered marker in `html`, and `images` says, in the same order, what to fetch for it. Made in
 * the extraction worker (extract.ts), so the main thread, which downloads and encodes, parses no HTML; a plain
 * object, so it crosses between threads as it is.
 */
export interface ImagePlan {
  /** The article's HTML, each <img> replaced by `<!--<marker>:<index>-->`. */
  html: string;
  /** Random per plan: a comment the page wrote cannot pass for one of ours. */
  marker: string;
  images: PlannedImage[];
}

export interface PlannedImage {
  /** The <img> reduced to its alt and title, as serialized; src, width and height go before its `>`. */
  tag: string;
  /** Non-empty alt text: an image that cannot be stored is kept for it, else removed. */
  hasAlt: boolean;
  /**
   * pixel: a tracking pixel, removed without a request; none: no source at all; unfetchable: a source we cannot
   * fetch (`urls` holds it, cut to 100 characters); fetch: the URLs to try in order (`urls`).
   */
  kind: "pixel" | "none" | "unfetchable" | "fetch";
  urls: string[];
}

/**
 * Plans the images of `root` (an article's container, in any document): resolves <picture> and <noscript>, removes
 * srcset from media <source>s, chooses each <img>'s candidate URLs against `baseUrl`, and replaces the <img>s by
 * markers. Mutates `root`. No request, no decoding: pure DOM work.
 */
export function planImages(root: Element, baseUrl: string, maxWidth: number): ImagePlan {
  // URLs an img inherits: from its collapsed <picture>'s sources (tried before its own), and from the lazy
  // placeholder its <noscript> twin replaced (tried after, as fallbacks).
  const before = new Map<Element, string[]>();
  const after = new Map<Element, string[]>();

  materializeNoscripts(root);
  collapsePictures(root, baseUrl, maxWidth, before);
  unwrapNoscripts(root, baseUrl, maxWidth, after);
  // A <source> outside <picture> (video/audio) is not an image a reader sees; it must not keep a remote srcset.
  for (const source of Array.from(root.querySelectorAll("source"))) {
    source.removeAttribute("srcset");
    source.removeAttribute("data-srcset");
  }

  const imgs = Array.from(root.querySelectorAll("img"));
  const images = imgs.map((img): PlannedImage => {
    const alt = img.getAttribute("alt");
    const title = img.getAttribute("title");
    const reduced = img.ownerDocument.createElement("img");
    if (alt !== null) reduced.setAttribute("alt", alt);
    if (title !== null) reduced.setAttribute("title", title);
    const plan = (kind: PlannedImage["kind"], urls: string[] = []): PlannedImage => ({ tag: reduced.outerHTML, hasAlt: Boolean(alt?.trim()), kind, urls });

    const own = imgCandidates(img, baseUrl, maxWidth);
    // width=1 height=1 with nothing lazy about it is a tracking pixel: drop it without asking its server.
    if (own.length > 0 && !hasLazyAttribute(img) && !before.has(img) && isPixelSized(img)) return plan("pixel");
    let candidates = unique([...(before.get(img) ?? []), ...own, ...(after.get(img) ?? [])]);
    const real = candidates.filter((url) => !isPlaceholder(url));
    if (real.length > 0) candidates = real; // a placeholder src loses to any lazy attribute
    if (candidates.length === 0) {
      const src = img.getAttribute("src")?.trim();
      return src ? plan("unfetchable", [src.slice(0, 100)]) : plan("none");
    }
    return plan("fetch", candidates.slice(0, MAX_CANDIDATES_TRIED));
  });

  const marker = randomBytes(12).toString("hex");
  imgs.forEach((img, index) => img.replaceWith(img.ownerDocument.createComment(`${marker}:${index}`)));
  return { html: root.innerHTML, marker, images };
}

/** The image URLs an <img> offers, best first, as a reader's browser (after lazy-load scripts) would choose. */
function imgCandidates(img: Element, baseUrl: string, maxWidth: number): string[] {
  const out: string[] = [];
  const add = (value: string | null | undefined) => {
    const url = resolveCandidate(value, baseUrl);
    if (url) out.push(url);
  };
  for (const name of LAZY_SRCSET_ATTRIBUTES) {
    const value = img.getAttribute(name);
    if (value) add(pickFromSrcset(value, maxWidth));
  }
  for (const name of LAZY_SRC_ATTRIBUTES) {
    const value = img.getAttribute(name);
    if (value && looksLikeUrl(value)) add(value);
  }
  const srcset = img.getAttribute("srcset");
  if (srcset) add(pickFromSrcset(srcset, maxWidth));
  add(img.getAttribute("src"));
  // Last resort, as Readability does: any other attribute whose value is an image URL (data-orig-file,
  // data-large-file, data-lazy-whatever). After src so a real src wins over WordPress's extra sizes.
  for (const attribute of Array.from(img.attributes)) {
    if (NOT_CANDIDATES.has(attribute.name) || LAZY_SRC_ATTRIBUTES.includes(attribute.name)) continue;
    if (LAZY_SRCSET_ATTRIBUTES.includes(attribute.name)) continue;
    if (isImageUrlValue(attribute.value, RASTER_EXTENSION)) add(attribute.value);
  }
  return out;
}

function hasLazyAttribute(img: Element): boolean {
  return [...LAZY_SRCSET_ATTRIBUTES, ...LAZY_SRC_ATTRIBUTES].some((name) => {
    const value = img.getAttribute(name);
    return value !== null && looksLikeUrl(value);
  });
}

/** Candidates of a <picture>'s <source>s that match the reader's viewport and that we can decode, in order. */
function sourceCandidates(picture: Element, baseUrl: string, maxWidth: number): string[] {
  const out: string[] = [];
  for (const source of Array.from(picture.children)) {
    if (source.localName !== "source") continue;
    const type = source.getAttribute("type")?.trim().toLowerCase();
    if (type && !DECODABLE_TYPES.has(type.split(";")[0]!.trim())) continue;
    if (!mediaMatches(source.getAttribute("media") ?? "")) continue;
    for (const name of [...LAZY_SRCSET_ATTRIBUTES, "srcset"]) {
      const value = source.getAttribute(name);
      const url = value ? resolveCandidate(pickFromSrcset(value, maxWidth), baseUrl) : undefined;
      if (url) out.push(url);
    }
    // Invalid on <source>, but real pages do it.
    for (const name of ["data-src", "src"]) {
      const url = resolveCandidate(source.getAttribute(name), baseUrl);
      if (url) out.push(url);
    }
  }
  return out;
}

function isPixelSized(img: Element): boolean {
  const w = Number.parseInt(img.getAttribute("width") ?? "", 10);
  const h = Number.parseInt(img.getAttribute("height") ?? "", 10);
  return w >= 0 && h >= 0 && w <= PIXEL_MAX && h <= PIXEL_MAX;
}

function unique(urls: string[]): string[] {
  return [...new Set(urls)];
}

// ---------------------------------------------------------------------------------------------------------------
// <noscript> and <picture>

/**
 * jsdom may hand us <noscript> content as text (fragment parsing runs with scripting on). Parse it into elements
 * so its images can be found; a <noscript> without an image is left alone for the sanitizer.
 */
function materializeNoscripts(root: Element): void {
  for (const noscript of Array.from(root.querySelectorAll("noscript"))) {
    if (noscript.children.length > 0 || !/<img[\s>/]/i.test(noscript.textContent ?? "")) continue;
    const holder = noscript.ownerDocument.createElement("div");
    holder.innerHTML = noscript.textContent ?? "";
    noscript.replaceChildren(...Array.from(holder.childNodes));
  }
}

/** Each <picture> becomes its own <img> (keeping its alt); the sources it would pick come first among candidates. */
function collapsePictures(root: Element, baseUrl: string, maxWidth: number, before: Map<Element, string[]>): void {
  // Deepest first, so a picture inside a noscript inside a picture still collapses cleanly.
  for (const picture of Array.from(root.querySelectorAll("picture")).reverse()) {
    const img = picture.querySelector("img");
    if (!img) {
      picture.remove(); // a <picture> without <img> renders nothing
      continue;
    }
    const sources = sourceCandidates(picture, baseUrl, maxWidth);
    if (sources.length > 0) before.set(img, sources);
    picture.replaceWith(img);
  }
}

/**
 * `<img class="lazy" src="blank.gif" data-src="x.jpg"><noscript><img src="x.jpg"></noscript>` shows one image:
 * the noscript's img replaces the lazy placeholder (whose own URLs become fallbacks). A noscript img with no lazy
 * placeholder before it is simply unwrapped.
 */
function unwrapNoscripts(root: Element, baseUrl: string, maxWidth: number, after: Map<Element, string[]>): void {
  for (const noscript of Array.from(root.querySelectorAll("noscript"))) {
    const inner = Array.from(noscript.querySelectorAll("img"));
    const first = inner[0];
    if (!first) continue;
    const previous = previousElement(noscript);
    if (previous?.localName === "img" && first.parentNode && isLazyPlaceholder(previous, first, baseUrl, maxWidth)) {
      const alt = previous.getAttribute("alt");
      if (!first.hasAttribute("alt") && alt !== null) first.setAttribute("alt", alt);
      after.set(first, imgCandidates(previous, baseUrl, maxWidth));
      previous.remove();
    }
    // Unwrap rather than keep only the imgs: a link around the image stays a link.
    noscript.replaceWith(...Array.from(noscript.childNodes));
  }
}

function previousElement(node: Element): Element | null {
  let current = node.previousSibling;
  while (current) {
    if (current.nodeType === 1) return current as Element;
    if (current.nodeType === 3 && (current.textContent ?? "").trim()) return null;
    current = current.previousSibling;
  }
  return null;
}

/** Whether the img before a noscript is a stand-in for the noscript's image rather than an image of its own. */
function isLazyPlaceholder(candidate: Element, real: Element, baseUrl: string, maxWidth: number): boolean {
  if (hasLazyAttribute(candidate)) return true;
  const own = imgCandidates(candidate, baseUrl, maxWidth);
  if (own.length === 0 || own.every(isPlaceholder)) return true;
  const realUrls = new Set(imgCandidates(real, baseUrl, maxWidth));
  return own.some((url) => realUrls.has(url));
}
