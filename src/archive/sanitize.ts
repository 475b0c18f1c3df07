/**
 * Sanitize stage: article HTML from a stranger (after the images stage) in → HTML that is safe to serve from the
 * owner's origin: a strict allowlist, absolute http(s)/mailto links with rel="noopener noreferrer nofollow", images
 * only as local files, template syntax inert. Pure; never throws for bad markup (sanitize-html repairs or drops it).
 */
import sanitizeHtml from "sanitize-html";
import type { IOptions, Attributes } from "sanitize-html";
import { INLINE_ELEMENTS } from "../util/text-lines.ts";

export interface SanitizeOptions {
  /** The page's final URL: relative links resolve against it, as in the browser (extract has already applied <base>). */
  baseUrl: string;
}

/** The only image sources kept: files the images stage wrote beside index.html, named by content hash. */
const LOCAL_IMAGE = /^[0-9a-f]{16,64}\.(?:webp|avif)$/;
const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
const OUTBOUND_REL = "noopener noreferrer nofollow";

const ALLOWED_TAGS = [
  "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "wbr",
  "ul", "ol", "li", "dl", "dt", "dd",
  "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
  "figure", "figcaption", "img",
  "blockquote", "pre", "code", "kbd", "samp", "var",
  "a", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small", "mark", "abbr", "cite", "q", "dfn",
  "time", "span", "div", "section", "article", "details", "summary",
  // Ruby annotations: Japanese and Chinese articles read wrong without them.
  "ruby", "rt", "rp",
]; // prettier-ignore

/**
 * No `class` (the site has its own CSS, and Readability already dropped most) but a code block's language (see
 * ALLOWED_CLASSES), no `id`/`name` (DOM clobbering; the fragment links that used them are dropped), no `style`, no
 * event handlers: whatever is not listed here.
 */
const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  "*": ["lang", "dir"],
  a: ["href", "title", "rel"],
  img: ["src", "alt", "width", "height", "title"],
  blockquote: ["cite"],
  q: ["cite"],
  abbr: ["title"],
  dfn: ["title"],
  time: ["datetime"],
  ol: ["start", "reversed", "type"],
  li: ["value"],
  th: ["colspan", "rowspan", "scope", "abbr"],
  td: ["colspan", "rowspan"],
  col: ["span"],
  colgroup: ["span"],
  details: ["open"],
};

/**
 * `<code class="language-js">` (parse/code.ts): the HTML standard's way to name a code block's language. A class
 * cannot run anything, and this one matches no rule of the site's CSS but the code block's own.
 */
const ALLOWED_CLASSES: Record<string, RegExp[]> = { code: [/^language-[a-z0-9][a-z0-9+#._-]{0,30}$/] };

/** Attributes whose value must be a small whole number, or is dropped. */
const NUMERIC_ATTRIBUTES = new Set(["width", "height", "colspan", "rowspan", "span", "start", "value"]);
/** Attributes shown to readers as text, where a template delimiter could hide (see neutralizeTemplateDelimiters). */
const TEXT_ATTRIBUTES = new Set(["alt", "title", "abbr", "datetime"]);

/**
 * Returns the article HTML reduced to a strict allowlist. Relative links are made absolute against `baseUrl`; links
 * other than http(s) and mailto, and fragment-only links (their targets' ids are removed), become plain text. An
 * <img> keeps its src only if it names a local file written by the images stage; one left without src keeps its alt.
 */
export function sanitizeArticle(html: string, options: SanitizeOptions): string {
  const config: IOptions = {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedClasses: ALLOWED_CLASSES,
    allowedSchemes: ["http", "https", "mailto"],
    // An <img> may only name a relative local file: no scheme at all, not even https or data.
    allowedSchemesByTag: { img: [] },
    allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
    allowProtocolRelative: false,
    disallowedTagsMode: "discard",
    // Dropped with their content, not just their tags: scripts and styles (the defaults), and elements whose text a
    // reader never sees (template contents, SVG titles of icons, noscript fallbacks the images stage already used).
    nonTextTags: ["script", "style", "textarea", "option", "xmp", "noscript", "template", "svg", "title", "head"],
    transformTags: {
      a: (_tagName, attribs) => transformLink(attribs, options.baseUrl),
      img: (tagName, attribs) => ({ tagName, attribs: localImageOnly(attribs) }),
      blockquote: (tagName, attribs) => ({ tagName, attribs: withResolvedCite(attribs, options.baseUrl) }),
      q: (tagName, attribs) => ({ tagName, attribs: withResolvedCite(attribs, options.baseUrl) }),
      strike: "s",
      "*": (tagName, attribs) => ({ tagName, attribs: normalizeAttributes(attribs) }),
    },
    // An image with neither a source nor alt text shows nothing at all.
    exclusiveFilter: (frame) => frame.tag === "img" && !frame.attribs.src && !frame.attribs.alt,
    // Text reaches textFilter already HTML-escaped by sanitize-html (its escapeHtml turns &, < and > into entities)
    // and is appended to the output as-is, so entities added here are not escaped again. Braces become numeric
    // references: the page still reads "{{ 7 * 7 }}", but no template engine that might one day see this file as
    // a template finds a delimiter in it. The site must not evaluate archived HTML anyway; this is the second wall.
    textFilter: (text) => text.replace(/[{}]/g, (brace) => (brace === "{" ? "&#123;" : "&#125;")),
  };
  return sanitizeHtml(html, config);
}

function transformLink(attribs: Attributes, baseUrl: string): sanitizeHtml.Tag {
  const href = attribs.href === undefined ? undefined : safeLinkUrl(attribs.href, baseUrl);
  if (href === undefined) {
    // A link that cannot be followed safely (javascript:, data:, an id that is gone) keeps its text, as a span.
    return { tagName: "span", attribs: {} };
  }
  const out: Attributes = { href, rel: OUTBOUND_REL };
  if (attribs.title) out.title = attribs.title;
  return { tagName: "a", attribs: out };
}

/**
 * The absolute URL a browser would follow from `href` on a page at `baseUrl`, if it is http(s) or mailto. The URL
 * parser strips the tabs, newlines and leading spaces that disguise `java\tscript:` (entities were decoded by the
 * HTML parser before this), so the protocol checked here is the one a browser would use.
 */
function safeLinkUrl(href: string, baseUrl: string): string | undefined {
  const trimmed = href.trim();
  if (trimmed === "" || trimmed.startsWith("#")) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed, baseUrl);
  } catch {
    return undefined;
  }
  if (!LINK_PROTOCOLS.has(url.protocol)) return undefined;
  // The URL parser percent-encodes braces in paths but not in queries or fragments; do it everywhere, so no template
  // delimiter survives in an attribute (where an entity would be escaped again). Servers decode %7B as "{".
  return url.href.replace(/[{}]/g, (brace) => (brace === "{" ? "%7B" : "%7D"));
}

function withResolvedCite(attribs: Attributes, baseUrl: string): Attributes {
  const { cite, ...rest } = attribs;
  const resolved = cite === undefined ? undefined : safeLinkUrl(cite, baseUrl);
  return resolved === undefined ? rest : { ...rest, cite: resolved };
}

function localImageOnly(attribs: Attributes): Attributes {
  const out: Attributes = {};
  const src = attribs.src?.trim();
  if (src !== undefined && LOCAL_IMAGE.test(src)) out.src = src;
  for (const name of ["alt", "title", "width", "height"]) {
    const value = attribs[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** For every element: drop malformed values of the few attributes we keep, and defuse template delimiters. */
function normalizeAttributes(attribs: Attributes): Attributes {
  const out: Attributes = {};
  for (const [name, value] of Object.entries(attribs)) {
    if (name === "dir") {
      const dir = value.trim().toLowerCase();
      if (dir === "ltr" || dir === "rtl" || dir === "auto") out.dir = dir;
    } else if (NUMERIC_ATTRIBUTES.has(name)) {
      const number = value.trim();
      if (/^\d{1,5}$/.test(number)) out[name] = number;
    } else if (name === "lang") {
      if (/^[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*$/.test(value.trim())) out.lang = value.trim();
    } else if (name === "type" || name === "scope") {
      // ol type is 1/a/A/i/I; th scope is row/col/rowgroup/colgroup: nothing else means anything.
      if (/^(?:[1aAiI]|row|col|rowgroup|colgroup)$/.test(value.trim())) out[name] = value.trim();
    } else if (TEXT_ATTRIBUTES.has(name)) {
      out[name] = neutralizeTemplateDelimiters(value);
    } else {
      out[name] = value;
    }
  }
  return out;
}

/**
 * Attribute values cannot carry the `&#123;` used in text (sanitize-html escapes `&` in attributes), so a zero-width
 * space goes between the characters of `{{`, `{%`, `{#` and their closers: invisible to a reader, and no longer a
 * delimiter to Liquid, Nunjucks or Handlebars.
 */
function neutralizeTemplateDelimiters(value: string): string {
  return value.replace(/\{(?=[{%#])|([%#}])(?=\})/g, (match) => `${match}\u200B`);
}

const WORDS = new Intl.Segmenter(undefined, { granularity: "word" });

/**
 * Words in sanitized HTML (for `word_count` and reading time): tags are removed, block boundaries separate words, and
 * words are found by Unicode segmentation, so Chinese and Japanese text, written without spaces, counts too.
 */
export function countWords(html: string): number {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<\/?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>/g, (_tag, name: string) => (INLINE_ELEMENTS.has(name.toLowerCase()) ? "" : " "))
    .replace(/&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos|nbsp));/g, (entity, dec?: string, hex?: string, named?: string) => {
      if (dec !== undefined || hex !== undefined) {
        const code = dec !== undefined ? Number(dec) : Number.parseInt(hex!, 16);
        return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
      }
      return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " }[named as "amp"];
    });
  let count = 0;
  for (const segment of WORDS.segment(text)) if (segment.isWordLike) count++;
  return count;
}
