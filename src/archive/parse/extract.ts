/**
 * Extract stage: a decoded HTML page and its URL in → the readable article (Readability) and its metadata, with every
 * link and image URL made absolute as a browser would resolve it (<base href> included). Pure: jsdom runs no script
 * and fetches nothing. "No article found" is a result (readerable: false, the whole body kept), not an error; a page
 * jsdom cannot parse even without its CSS throws ParseError. The HTML returned is NOT safe until sanitizeArticle.
 */
import { parseDocument } from "./dom.ts";
import { ParseError, TooLargeError } from "../errors.ts";
import { planImages, type ImagePlan } from "../images/images.ts";
import { ArchiveReadability } from "./readability.ts";
import type { Article } from "../types.ts";

export interface ExtractOptions {
  /**
   * Also plan the article's images (images.ts) on this thread, for images stored at most this wide: the images stage
   * on the main thread then parses no HTML.
   */
  imageMaxWidth?: number | undefined;
}

/**
 * The Article, with its image plan when one was asked for. With a plan, `html` is the plan's: each <img> is a marker
 * comment that only localizeImages, given the plan, turns back into an image.
 */
export interface ExtractedArticle extends Article {
  imagePlan?: ImagePlan;
}

/** Characters of markup (scripts and styles removed) handed to jsdom at most. */
export const MAX_PARSE_CHARS = 6 * 1024 * 1024;

/**
 * Extracts the article from `html`, which came from `url` (the final URL, after redirects). Tries once with the page's
 * CSS (Readability uses inline `display: none` to skip hidden nodes) and, if jsdom or Readability throws, once more
 * with every stylesheet and style attribute removed: jsdom's CSS support is where real pages have broken it.
 */
export function extractArticle(html: string, url: string, options: ExtractOptions = {}): ExtractedArticle {
  const lean = stripScriptsAndStyles(html);
  // jsdom holds about 80 bytes of memory per byte of markup (8 MB of paragraphs peaked at 670 MB RSS here): this bound
  // keeps one huge page from taking the run's memory. Real articles are far below it once scripts are gone.
  if (lean.length > MAX_PARSE_CHARS) {
    throw new TooLargeError(
      `${url} has ${(lean.length / 1048576).toFixed(1)} MB of HTML even without its scripts and styles, over the ${MAX_PARSE_CHARS / 1048576} MB that is parsed; it is not archived`,
      { url },
    );
  }
  try {
    return extractFrom(lean, url, false, options);
  } catch (firstError) {
    try {
      return extractFrom(stripCss(lean), url, true, options);
    } catch (secondError) {
      const reason = secondError instanceof Error ? secondError.message : String(secondError);
      throw new ParseError(`Could not parse the HTML of ${url}, even with its CSS removed: ${reason}`, {
        url,
        cause: new AggregateError([firstError, secondError]),
      });
    }
  }
}

function extractFrom(html: string, url: string, withoutCss: boolean, options: ExtractOptions): ExtractedArticle {
  // jsdom's defaults (see dom.ts): no script or handler runs and nothing is fetched, which is this stage's safety
  // model. The document lives in a window shared by the thread's pages; it is garbage once this returns.
  const document = parseDocument(html, url);
  if (withoutCss) {
    for (const element of document.querySelectorAll("style, link")) element.remove();
    for (const element of document.querySelectorAll("[style]")) element.removeAttribute("style");
  }
  // Read before Readability runs: it removes scripts (JSON-LD included) and rewrites the body as it goes.
  const standard = withoutNamedProperties(document);
  const page = readPageMetadata(standard, url);
  // With an image plan asked for, the images stage's DOM work (images.ts planImages) runs here, on the tree Readability
  // leaves, as it is serialized: the main thread then parses no HTML, and the article is not parsed a second time for
  // it (that second parse was 6% of a worker's CPU). The plan's HTML is the article's HTML with each <img> a marker.
  const serialize = (root: Element): { html: string; imagePlan?: ImagePlan } => {
    absolutizeUrls(root);
    if (options.imageMaxWidth === undefined) return { html: root.innerHTML };
    const imagePlan = planImages(root, url, options.imageMaxWidth);
    return { html: imagePlan.html, imagePlan };
  };
  let article: ReturnType<typeof serialize> | undefined;
  const parsed = new ArchiveReadability(standard, {
    serializer: (node) => {
      article = serialize(node as Element);
      return article.html;
    },
  }).parse();

  if (!parsed?.content || !article) {
    // Readability found no text to build an article from (a gallery, an app shell): keep the page's whole body, so
    // the capture still holds what the reader saw. Readability restores the body it tried, minus scripts and styles.
    const body = document.body ? serialize(document.body) : { html: "" };
    return {
      ...body,
      title: page.title,
      byline: page.byline,
      siteName: page.siteName,
      lang: page.lang,
      dir: page.dir,
      excerpt: page.excerpt,
      publishedTime: page.publishedTime,
      readerable: false,
    };
  }

  return {
    title: nonEmpty(parsed.title) ?? page.title,
    byline: nonEmpty(parsed.byline) ?? page.byline,
    siteName: nonEmpty(parsed.siteName) ?? page.siteName,
    lang: nonEmpty(parsed.lang) ?? page.lang,
    dir: textDirection(parsed.dir) ?? page.dir,
    excerpt: nonEmpty(parsed.excerpt) ?? page.excerpt,
    publishedTime: nonEmpty(parsed.publishedTime) ?? page.publishedTime,
    ...article,
    readerable: true,
  };
}

/**
 * The document as Readability sees it: its standard members without jsdom's named-property lookup. A jsdom Document
 * is a Proxy that answers `document.x` with an <img>, <form>, <iframe>, <embed> or <object> named x, as the spec asks;
 * to know whether one exists it walks the whole tree again after every insertion or removal of such an element. Every
 * `doc.createElement` and `doc.body` in Readability's loop, which moves images around, paid that walk: about 5% of
 * extraction's CPU. Members are looked up on the Document prototype chain and read against the real document; a name
 * that is not a standard member goes through as before. (So a page that names a form "title" or "body" no longer
 * hides the real one from Readability and readPageMetadata: through the proxy, that page failed to parse.)
 */
function withoutNamedProperties(document: Document): Document {
  const members = new Map<string | symbol, PropertyDescriptor | null>();
  const describe = (property: string | symbol): PropertyDescriptor | null => {
    let found = members.get(property);
    if (found !== undefined) return found;
    found = null;
    for (let proto = Object.getPrototypeOf(document); proto; proto = Object.getPrototypeOf(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, property);
      if (descriptor) {
        found = descriptor;
        break;
      }
    }
    members.set(property, found);
    return found;
  };
  // The proxy's own target is an empty object, not the document: the engine checks every answer of a `get` trap
  // against its target's own property, and asking the document that is the very lookup this avoids.
  return new Proxy(Object.create(null) as Document, {
    get(_, property) {
      const descriptor = typeof property === "string" ? describe(property) : null;
      if (!descriptor) return Reflect.get(document, property);
      if (descriptor.get) return descriptor.get.call(document);
      return typeof descriptor.value === "function" ? descriptor.value.bind(document) : descriptor.value;
    },
    has: (_, property) => Reflect.has(document, property),
  });
}

/** The page's own metadata: an Article's fields without its body. */
type PageMetadata = Omit<Article, "html" | "readerable">;

/** What the page says about itself in <head> and a few well-known places: the fallbacks for Readability's fields. */
function readPageMetadata(document: Document, url: string): PageMetadata {
  // One pass over the <meta> elements instead of a querySelector (a walk of the whole tree) per field: on real pages
  // that was a tenth of extraction. Same answers: the first <meta> with the attribute value, then its content.
  const metas = Array.from(document.getElementsByTagName("meta"));
  const find = (attribute: string, value: string, ignoreCase = false) =>
    metas.find((element) => {
      const actual = element.getAttribute(attribute);
      return actual !== null && (ignoreCase ? actual.toLowerCase() === value : actual === value);
    });
  const meta = (attribute: string, value: string, ignoreCase = false) => nonEmpty(find(attribute, value, ignoreCase)?.getAttribute("content"));
  const root = document.documentElement;
  return {
    title:
      meta("property", "og:title") ??
      meta("name", "twitter:title") ??
      nonEmpty(document.title) ??
      nonEmpty(document.querySelector("h1")?.textContent) ??
      url,
    byline: meta("name", "author") ?? meta("property", "article:author"),
    siteName: meta("property", "og:site_name"),
    lang: nonEmpty(root.getAttribute("lang")) ?? meta("http-equiv", "content-language", true),
    dir: textDirection(root.getAttribute("dir")) ?? textDirection(document.body?.getAttribute("dir")),
    excerpt: meta("property", "og:description") ?? meta("name", "description"),
    publishedTime:
      meta("property", "article:published_time") ??
      meta("itemprop", "datePublished") ??
      nonEmpty(document.querySelector("time[datetime]")?.getAttribute("datetime")),
  };
}

/**
 * Trimmed, with runs of ASCII whitespace (line breaks and indentation from the markup) collapsed to one space; other
 * spaces are content (a no-break space before French punctuation, an ideographic space in a Japanese title).
 */
function nonEmpty(value: string | null | undefined): string | undefined {
  const trimmed = value?.replace(/[\t\n\f\r ]+/g, " ").replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "");
  return trimmed ? trimmed : undefined;
}

function textDirection(value: string | null | undefined): "ltr" | "rtl" | undefined {
  const dir = value?.trim().toLowerCase();
  return dir === "ltr" || dir === "rtl" ? dir : undefined;
}

// --- URLs -------------------------------------------------------------------------------------------------------

/** Attributes holding one URL. */
const URL_ATTRIBUTES = ["href", "src", "poster", "cite"];
/** Attributes holding a srcset (URL + descriptor, comma-separated), lazy-load spellings included. */
const SRCSET_ATTRIBUTES = new Set(["srcset", "data-srcset", "data-lazy-srcset", "data-original-srcset"]);
/** A data-* value that is an image URL: one token that ends in an image extension or is plainly a path or URL. */
const IMAGE_URL_VALUE = /^(?:https?:\/\/|\/|\.\.?\/)\S*$|^\S+\.(?:jpe?g|png|gif|webp|avif|bmp|svg)(?:[?#]\S*)?$/i;

/**
 * Makes every URL in `root` absolute against the document's base URL (which honours <base href>), so the stages after
 * this one, which only see a fragment, resolve them as the browser would have. Readability does this for href, src,
 * poster and srcset; lazy-load attributes (data-src, data-original, data-srcset, ...) and the no-article body are ours.
 * A fragment-only link stays as it is when there is no <base>, like Readability: it points into this document.
 */
function absolutizeUrls(root: Element): void {
  const document = root.ownerDocument;
  const base = document.baseURI;
  const samePage = base === document.URL;
  const resolve = (value: string): string => {
    const trimmed = value.trim();
    if (trimmed === "" || (samePage && trimmed.startsWith("#"))) return value;
    try {
      return new URL(trimmed, base).href;
    } catch {
      return value;
    }
  };
  for (const element of root.querySelectorAll("*")) {
    for (const attribute of Array.from(element.attributes)) {
      const name = attribute.name;
      if (URL_ATTRIBUTES.includes(name)) {
        const resolved = resolve(attribute.value);
        if (resolved !== attribute.value) element.setAttribute(name, resolved);
      } else if (SRCSET_ATTRIBUTES.has(name)) {
        element.setAttribute(name, resolveSrcset(attribute.value, resolve));
      } else if (name.startsWith("data-") && IMAGE_URL_VALUE.test(attribute.value.trim())) {
        element.setAttribute(name, resolve(attribute.value));
      }
    }
  }
}

/** Resolves each candidate URL of a srcset, keeping its descriptor (https://html.spec.whatwg.org/#srcset-attributes). */
function resolveSrcset(value: string, resolve: (url: string) => string): string {
  return value
    .split(/,\s+|,(?=\S+\s+\d)/)
    .map((candidate) => {
      const match = /^\s*(\S+)(.*)$/s.exec(candidate);
      return match ? `${resolve(match[1]!)}${match[2]!.replace(/\s+$/, "")}` : candidate;
    })
    .filter((candidate) => candidate.trim() !== "")
    .join(", ");
}

// --- Cheap pre-parse ----------------------------------------------------------------------------------------------

const SPACE_SLASH_OR_GT = "[\\t\\n\\f\\r />]";
/** A start tag's name, or a comment opening: what the scan below stops at. */
const TAG_OPEN = /<(?:!--|([a-zA-Z][^\t\n\f\r />]*))/g;
/** The rest of a start tag up to its `>`, skipping quoted attribute values (which may contain `>` or `<script`). */
const START_TAG_REST = /(?:[^>"'=]|=[\t\n\f\r ]*"[^"]*"|=[\t\n\f\r ]*'[^']*'|["'=])*>/y;
/** Elements whose content is text to the tokenizer, so a `<script` inside them is not a tag. */
const TEXT_ELEMENTS = new Set(["title", "textarea", "xmp", "iframe", "noembed", "noframes"]);
const JSON_LD = /\btype\s*=\s*["']?\s*application\/ld\+json/i;

/**
 * Cuts <script> and <style> elements out of the source before jsdom sees it: on real pages they are a third of the
 * parse time, jsdom never runs the scripts anyway, and stylesheets are where its CSS parser has thrown. JSON-LD scripts
 * stay, because Readability reads title, byline and dates from them. This is an optimization, not a safety measure
 * (sanitizeArticle is): it follows the tokenizer closely enough for comments, quoted attributes, raw-text elements and
 * `<!-- <script> -->` inside scripts, and where it is wrong it can only drop or keep text, never add markup.
 */
export function stripScriptsAndStyles(html: string): string {
  const kept: string[] = [];
  let copiedUpTo = 0;
  const tags = new RegExp(TAG_OPEN.source, "g");
  let match: RegExpExecArray | null;
  while ((match = tags.exec(html)) !== null) {
    const start = match.index;
    if (match[1] === undefined) {
      const end = html.indexOf("-->", start + 4);
      if (end === -1) break; // an unclosed comment runs to the end of the document
      tags.lastIndex = end + 3;
      continue;
    }
    const name = match[1].toLowerCase();
    START_TAG_REST.lastIndex = tags.lastIndex;
    if (!START_TAG_REST.test(html)) break; // an unclosed tag at the end: nothing more to find
    const contentStart = START_TAG_REST.lastIndex;
    if (name === "plaintext") break;
    if (name === "script" || name === "style") {
      const closeStart = name === "script" ? endOfScriptData(html, contentStart) : endOfRawText(html, contentStart, name);
      const closeEnd = closeStart >= html.length ? html.length : afterTagEnd(html, closeStart);
      tags.lastIndex = closeEnd;
      if (name === "script" && JSON_LD.test(html.slice(start, contentStart))) continue;
      kept.push(html.slice(copiedUpTo, start));
      copiedUpTo = closeEnd;
    } else if (TEXT_ELEMENTS.has(name)) {
      const closeStart = endOfRawText(html, contentStart, name);
      tags.lastIndex = closeStart >= html.length ? html.length : afterTagEnd(html, closeStart);
    } else {
      tags.lastIndex = contentStart;
    }
  }
  if (copiedUpTo === 0) return html;
  kept.push(html.slice(copiedUpTo));
  return kept.join("");
}

/** Index of the `</name` that ends a raw-text or RCDATA element, or the input's length if none does. */
function endOfRawText(html: string, from: number, name: string): number {
  const end = new RegExp(`</${name}${SPACE_SLASH_OR_GT}`, "gi");
  end.lastIndex = from;
  return end.exec(html)?.index ?? html.length;
}

/**
 * Index of the `</script` that ends script data, following the tokenizer's escaped and double-escaped states
 * (https://html.spec.whatwg.org/multipage/parsing.html#script-data-state): inside `<!-- ... -->`, a nested
 * `<script>...</script>` does not end the outer script.
 */
function endOfScriptData(html: string, from: number): number {
  const tokens = new RegExp(`<!--|-->|</script${SPACE_SLASH_OR_GT}|<script${SPACE_SLASH_OR_GT}`, "gi");
  tokens.lastIndex = from;
  let state: "data" | "escaped" | "double-escaped" = "data";
  let token: RegExpExecArray | null;
  while ((token = tokens.exec(html)) !== null) {
    const text = token[0].toLowerCase();
    if (text === "<!--") {
      if (state === "data") state = "escaped";
    } else if (text === "-->") {
      state = "data";
    } else if (text.startsWith("</")) {
      if (state !== "double-escaped") return token.index;
      state = "escaped";
      tokens.lastIndex = token.index + 2;
    } else {
      if (state === "escaped") state = "double-escaped";
      tokens.lastIndex = token.index + 2;
    }
  }
  return html.length;
}

function afterTagEnd(html: string, from: number): number {
  const gt = html.indexOf(">", from);
  return gt === -1 ? html.length : gt + 1;
}

/**
 * For the second attempt: <link> elements out of the source before jsdom sees them (<style> is already gone). Style
 * attributes are removed through the DOM instead (see extractFrom): jsdom parses them lazily, on first read, and a
 * regex over attributes could break the quoting of the markup around them.
 */
function stripCss(html: string): string {
  return html.replace(/<link\b[^>]*>/gi, "");
}
