/**
 * Choosing the URL a reader would have seen, from attribute values alone: srcset parsing and choice, <source media>
 * queries against a desktop reader, lazy-load attribute tables, placeholders. Pure: no DOM, no I/O.
 */

/** <source type> values we can decode; a <source> with another type is skipped like a browser would. */
export const DECODABLE_TYPES = new Set([
  "image/jpeg",
  "image/jpg",
  "image/pjpeg",
  "image/png",
  "image/apng",
  "image/webp",
  "image/avif",
  "image/gif",
  "image/tiff",
  "image/svg+xml",
]);

/** Lazy-load attributes holding a srcset, in order of preference (lazysizes, kinja, citylab, ...). */
export const LAZY_SRCSET_ATTRIBUTES = ["data-srcset", "data-lazy-srcset"];

/**
 * Lazy-load and high-resolution attributes holding one URL, best first. The high-resolution ones (wapo's
 * data-hi-res-src, libération's data-src-retina) come before the plain lazy ones because we downscale anyway.
 * Found by grepping the 130 Readability test pages (test/fixtures/readability-pages) plus common lazy-load libraries.
 */
export const LAZY_SRC_ATTRIBUTES = [
  "data-hi-res-src",
  "data-high-res-src",
  "data-full-src",
  "data-src-retina",
  "data-lazy-src",
  "data-src",
  "data-original",
  "data-original-src",
  "datasrc", // bbc
  "data-url",
  "data-echo",
  "data-actualsrc",
  "data-source-standard", // salon
  "data-lazyload", // lemonde uses "true" here: only URL-looking values count
  "lazy-src",
  "original", // pixnet
];

/** Attributes whose values are never candidates, even when they look like image URLs. */
export const NOT_CANDIDATES = new Set(["src", "srcset", "alt", "title", "href", "longdesc", "usemap"]);

/** Placeholder file names: blank.gif, spacer.gif, image-lazy.png, blank-<fingerprint>.gif, loading.svg, ... */
export const PLACEHOLDER_NAME =
  /(?:^|[-_.])(?:blank|spacer|pixel|transparent|placeholder|lazy|lazyload|loading|loader|spinner|empty|1x1|grey|gray)(?:[-_.]|$)/i;

/** A tiny data: image is a lazy-load placeholder (Readability uses the same idea). */
export const PLACEHOLDER_DATA_BYTES = 200;

/** Candidates tried for one <img> before it counts as failed (e.g. a 404 lazy URL, then the plain src). */
export const MAX_CANDIDATES_TRIED = 3;

/** `<picture><source media>` is evaluated against a desktop reader's viewport, in CSS px (1em = 16px). */
export const VIEWPORT_WIDTH = 1280;

/** The density a srcset x-descriptor choice aims at: a 2x screen is what most readers have. */
export const MAX_DENSITY = 2;

export interface SrcsetCandidate {
  url: string;
  width?: number;
  density?: number;
}

/**
 * WHATWG "parse a srcset attribute", reduced to what we need: URLs may contain commas (kinja's
 * "c_fill,f_auto"), so a URL runs to whitespace and only trailing commas end it.
 * https://html.spec.whatwg.org/multipage/images.html#parse-a-srcset-attribute
 */
export function parseSrcset(value: string): SrcsetCandidate[] {
  const out: SrcsetCandidate[] = [];
  let i = 0;
  const n = value.length;
  const isSpace = (c: string | undefined) => c !== undefined && /[\s]/.test(c);
  while (i < n) {
    while (i < n && (isSpace(value[i]) || value[i] === ",")) i++;
    if (i >= n) break;
    let start = i;
    while (i < n && !isSpace(value[i])) i++;
    let url = value.slice(start, i);
    let descriptor = "";
    if (url.endsWith(",")) {
      url = url.replace(/,+$/, "");
    } else {
      start = i;
      let inParens = false;
      while (i < n) {
        const c = value[i];
        if (c === "(") inParens = true;
        else if (c === ")") inParens = false;
        else if (c === "," && !inParens) break;
        i++;
      }
      descriptor = value.slice(start, i).trim();
      i++; // past the comma
    }
    if (!url) continue;
    const candidate: SrcsetCandidate = { url };
    const w = /(?:^|\s)(\d+)w(?:\s|$)/.exec(descriptor);
    const x = /(?:^|\s)(\d*\.?\d+)x(?:\s|$)/.exec(descriptor);
    if (w) candidate.width = Number(w[1]);
    else if (x) candidate.density = Number(x[1]);
    out.push(candidate);
  }
  return out;
}

/**
 * The srcset candidate we store. With width descriptors: the smallest at least maxWidth wide (enough pixels for the
 * stored width), else the widest. With density descriptors (no descriptor = 1x): the highest at most 2x, else the
 * lowest. Both give a sharp image on a 2x screen without downloading a 6000-pixel original.
 */
export function pickFromSrcset(value: string, maxWidth: number): string | undefined {
  const candidates = parseSrcset(value);
  const widths = candidates.filter((c) => c.width !== undefined);
  if (widths.length > 0) {
    const sorted = [...widths].sort((a, b) => a.width! - b.width!);
    return (sorted.find((c) => c.width! >= maxWidth) ?? sorted[sorted.length - 1])?.url;
  }
  const densities = candidates.map((c) => ({ url: c.url, density: c.density ?? 1 })).sort((a, b) => a.density - b.density);
  const atMost = densities.filter((c) => c.density <= MAX_DENSITY);
  return (atMost[atMost.length - 1] ?? densities[0])?.url;
}

/** Whether a <source media> query matches a desktop reader (VIEWPORT_WIDTH px, light scheme, 1x). Unknown → no. */
export function mediaMatches(media: string): boolean {
  const text = media.trim().toLowerCase();
  if (!text) return true;
  return text.split(",").some((query) => {
    let q = query.trim();
    let negate = false;
    if (q.startsWith("not ")) {
      negate = true;
      q = q.slice(4);
    }
    q = q.replace(/^only\s+/, "");
    const ok = q.split(/\s+and\s+/).every((part) => featureMatches(part.trim()));
    return negate ? !ok : ok;
  });
}

export function featureMatches(part: string): boolean {
  if (part === "all" || part === "screen") return true;
  if (part === "print") return false;
  const toPx = (n: string, unit: string | undefined) => Number(n) * (unit === "em" || unit === "rem" ? 16 : 1);
  let m = /^\(\s*(min|max)-(?:device-)?width\s*:\s*([\d.]+)(px|em|rem)?\s*\)$/.exec(part);
  if (m) {
    const px = toPx(m[2]!, m[3]);
    return m[1] === "min" ? VIEWPORT_WIDTH >= px : VIEWPORT_WIDTH <= px;
  }
  m = /^\(\s*width\s*(>=|<=|>|<)\s*([\d.]+)(px|em|rem)?\s*\)$/.exec(part);
  if (m) {
    const px = toPx(m[2]!, m[3]);
    const op = m[1];
    if (op === ">=") return VIEWPORT_WIDTH >= px;
    if (op === "<=") return VIEWPORT_WIDTH <= px;
    return op === ">" ? VIEWPORT_WIDTH > px : VIEWPORT_WIDTH < px;
  }
  if (/^\(\s*orientation\s*:\s*landscape\s*\)$/.test(part)) return true;
  if (/^\(\s*prefers-color-scheme\s*:\s*light\s*\)$/.test(part)) return true;
  if (/^\(\s*prefers-reduced-motion\s*:\s*no-preference\s*\)$/.test(part)) return true;
  return false;
}

/** A URL worth trying: absolute http(s) or a data:image URL, resolved against the page. */
export function resolveCandidate(value: string | null | undefined, baseUrl: string): string | undefined {
  const raw = value?.trim();
  if (!raw || raw === "#" || /^(?:true|false|null|undefined|\d+)$/i.test(raw)) return undefined;
  if (/^data:/i.test(raw)) return /^data:image\//i.test(raw) ? raw : undefined;
  try {
    const url = new URL(raw, baseUrl);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function isPlaceholder(url: string): boolean {
  if (url.startsWith("data:")) {
    // SVG data URIs on lazy images are sizing placeholders ("<svg viewBox='0 0 16 9'/>").
    return /^data:image\/svg/i.test(url) || estimatedDataBytes(url) < PLACEHOLDER_DATA_BYTES;
  }
  try {
    const name = new URL(url).pathname.split("/").pop() ?? "";
    return PLACEHOLDER_NAME.test(name.replace(/\.[a-z0-9]+$/i, ""));
  } catch {
    return false;
  }
}

export function looksLikeUrl(value: string): boolean {
  const v = value.trim();
  return v.length > 0 && !/\s/.test(v) && (/[/.]/.test(v) || v.startsWith("data:"));
}


/** Tracking pixels: the image a reader "sees" is at most this many px each way. */
export const PIXEL_MAX = 2;

export function estimatedDataBytes(url: string): number {
  const comma = url.indexOf(",");
  const payload = comma < 0 ? "" : url.slice(comma + 1);
  return /;base64$/i.test(url.slice(0, comma < 0 ? 0 : comma)) ? Math.floor((payload.length * 3) / 4) : payload.length;
}


/** Attribute values longer than this are not image URLs worth a look (real ones are far shorter). */
const MAX_URL_VALUE = 2048;

/**
 * Whether an attribute value is one image URL: a single token (no white space inside) that is plainly an http(s) URL
 * or a path (when `paths` is set), or that has one of `extensions` just before its end or its query or fragment
 * ("a.jpg", "/x/a.webp?w=300"). Linear: one test for white space, and a search for the extension whose lookahead is a
 * single character, where a pattern like `\S+\.(jpe?g)(?:[?#]\S*)?$` would retry every dot to the end.
 */
export function isImageUrlValue(value: string, extensions: RegExp, { paths = false }: { paths?: boolean } = {}): boolean {
  const v = value.trim();
  if (v === "" || v.length > MAX_URL_VALUE || /\s/.test(v)) return false;
  if (paths && /^(?:https?:\/\/|\/|\.\.?\/)/i.test(v)) return true;
  return v.search(extensions) > 0;
}

/** An image file extension ending a path, before a query or fragment: for isImageUrlValue. */
export const RASTER_EXTENSION = /\.(?:jpe?g|png|webp|gif|avif)(?=$|[?#])/i;
export const IMAGE_EXTENSION = /\.(?:jpe?g|png|gif|webp|avif|bmp|svg)(?=$|[?#])/i;
