/**
 * Images stage: article HTML with remote (or data:) images in → the same HTML with every visible image stored in
 * `dir` as a re-encoded WebP/AVIF named by content hash, and each <img> reduced to src/alt/width/height.
 * Side effects: downloads through the `download` passed in, writes files in `dir`. Never throws for one image:
 * a failed image keeps its alt text and is listed in `failures` (issue #2 §6).
 */
import { createHash, randomBytes } from "node:crypto";
import { copyFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import pLimit from "p-limit";
import type Sharp from "sharp";
import type { Metadata } from "sharp";
import { parseDocument } from "../parse/dom.ts";
import { ArchiveError, FetchTimeoutError, ImageError, TooLargeError, UnsupportedTypeError } from "../errors.ts";
import type { ImageFormat, ImageLimits } from "../types.ts";

export interface ImageDownload {
  body: Buffer;
  finalUrl: string;
  mediaType: string;
}

export interface LocalizeOptions {
  /** The page's final URL, against which relative and protocol-relative URLs resolve. */
  baseUrl: string;
  /** Folder the image files are written into (the capture's temporary folder). */
  dir: string;
  limits: ImageLimits;
  /** Fetches one image within limits.maxBytes; must honour `signal` (the per-image timeout aborts it). */
  download: (url: string, signal: AbortSignal) => Promise<ImageDownload>;
  /** The previous capture's folder: an image whose content hash already has a file there is copied, not re-encoded. */
  reuseDir?: string;
  /** Images already encoded in this run, shared by its captures: the same bytes on two pages are encoded once. */
  encoded?: EncodedImageCache;
}

export interface ImageFailure {
  url: string;
  reason: string;
  code: string;
}

export interface LocalizeResult {
  html: string;
  /** <img> elements that pointed at an image (stored or failed); tracking pixels are not counted. */
  images: number;
  failed: number;
  failures: ImageFailure[];
  /** Names of the files written into `dir`, each once. */
  files: string[];
}

export interface EncodedImage {
  data: Buffer;
  width: number;
  height: number;
  format: ImageFormat;
}

/**
 * sharp, loaded on first use: the extraction workers import this module only to plan images (planImages) and never
 * decode one, so they do not load libvips.
 */
let loadedSharp: typeof Sharp | undefined;
function sharp(...args: Parameters<typeof Sharp>): ReturnType<typeof Sharp> {
  if (!loadedSharp) {
    loadedSharp = createRequire(import.meta.url)("sharp") as typeof Sharp;
    // libvips keeps recent operations and their pixels cached (up to 50 MB) for reuse; a run encodes each image once
    // and keeps encoded results itself (EncodedImageCache), so that cache would only hold memory.
    loadedSharp.cache(false);
  }
  return loadedSharp(...args);
}

/**
 * What sharp may decode for us. Anything else (HTML, PDF, HEVC HEIC, ...) is refused before decoding.
 * "heif" is how sharp reports AVIF. SVG is rasterized: sharp's librsvg, given a buffer, has no base URL and loads
 * only data: URLs — no network, no local files, no XInclude (verified by a test; see images.test.ts).
 */
const DECODABLE_FORMATS = new Set(["jpeg", "png", "webp", "gif", "heif", "tiff", "svg"]);

/** <source type> values we can decode; a <source> with another type is skipped like a browser would. */
const DECODABLE_TYPES = new Set([
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
const LAZY_SRCSET_ATTRIBUTES = ["data-srcset", "data-lazy-srcset"];

/**
 * Lazy-load and high-resolution attributes holding one URL, best first. The high-resolution ones (wapo's
 * data-hi-res-src, libération's data-src-retina) come before the plain lazy ones because we downscale anyway.
 * Found by grepping the 130 pages of ../shared/fixtures/readability-pages plus common lazy-load libraries.
 */
const LAZY_SRC_ATTRIBUTES = [
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
const NOT_CANDIDATES = new Set(["src", "srcset", "alt", "title", "href", "longdesc", "usemap"]);

/** Placeholder file names: blank.gif, spacer.gif, image-lazy.png, blank-<fingerprint>.gif, loading.svg, ... */
const PLACEHOLDER_NAME =
  /(?:^|[-_.])(?:blank|spacer|pixel|transparent|placeholder|lazy|lazyload|loading|loader|spinner|empty|1x1|grey|gray)(?:[-_.]|$)/i;

/** A tiny data: image is a lazy-load placeholder (Readability uses the same idea). */
const PLACEHOLDER_DATA_BYTES = 200;

/** Candidates tried for one <img> before it counts as failed (e.g. a 404 lazy URL, then the plain src). */
const MAX_CANDIDATES_TRIED = 3;

/** `<picture><source media>` is evaluated against a desktop reader's viewport, in CSS px (1em = 16px). */
const VIEWPORT_WIDTH = 1280;

/** The density a srcset x-descriptor choice aims at: a 2x screen is what most readers have. */
const MAX_DENSITY = 2;

/**
 * Decode, orient, strip metadata, cap the width and re-encode one image.
 * Used for images in articles and for a direct image link stored as a capture.
 * Throws ArchiveError: TooLargeError (bytes or pixels), UnsupportedTypeError (not an image), ImageError (broken).
 */
/**
 * The name (without extension) an image is stored under: the first 32 hex digits of sha256 of its bytes as served.
 * Named by content, so the same image at two URLs is stored once, and a refresh finds the previous capture's file
 * under the same name whatever the encode settings.
 */
export function contentKey(body: Buffer): string {
  return createHash("sha256").update(body).digest("hex").slice(0, 32);
}

export async function encodeImage(body: Buffer, limits: ImageLimits): Promise<EncodedImage> {
  await probeImage(body, limits, "image");
  return encodeProbed(body, limits, limits.timeoutMs, "image");
}

interface Probe {
  format: string;
  width: number;
  height: number;
}

/** Reads only the header: the format comes from the bytes (never the Content-Type) and pixel bombs stop here. */
async function probeImage(body: Buffer, limits: ImageLimits, label: string): Promise<Probe> {
  if (body.length > limits.maxBytes) {
    throw new TooLargeError(`Image ${label} is ${body.length} bytes, more than the ${limits.maxBytes} allowed`, {
      url: label,
    });
  }
  if (body.length === 0) throw new ImageError(`Image ${label} is empty`, { url: label });
  if (looksLikeMarkupButNotSvg(body)) {
    throw new UnsupportedTypeError(`Image ${label} is HTML or text, not an image`, { url: label });
  }
  let metadata: Metadata;
  try {
    // limitInputPixels off here on purpose: metadata() reads the header only, and we want the real size in the
    // message. The decoding pipeline below has the limit again.
    metadata = await sharp(body, { limitInputPixels: false, animated: false }).metadata();
  } catch (error) {
    throw new UnsupportedTypeError(`Image ${label} is not a decodable image: ${messageOf(error)}`, {
      url: label,
      cause: error,
    });
  }
  const { format, width, height } = metadata;
  if (!DECODABLE_FORMATS.has(format) || (format === "heif" && metadata.compression !== "av1")) {
    const kind = metadata.compression ? `${format} (${metadata.compression})` : format;
    throw new UnsupportedTypeError(`Image ${label} is ${kind}, which is not archived`, { url: label });
  }
  if (!width || !height) throw new ImageError(`Image ${label} has no dimensions`, { url: label });
  if (width * height > limits.maxInputPixels) {
    throw new TooLargeError(
      `Image ${label} is ${width}×${height} pixels, more than the ${limits.maxInputPixels} allowed; it was not decoded`,
      { url: label },
    );
  }
  return { format, width, height };
}

async function encodeProbed(body: Buffer, limits: ImageLimits, timeoutMs: number, label: string): Promise<EncodedImage> {
  imageCounts.encoded += 1;
  // failOn "error": truncated and corrupt data abort, but libjpeg *warnings* (e.g. "extraneous bytes before
  // marker", common in camera files that browsers show fine) do not. Safe because pixels are always re-encoded.
  let pipeline = sharp(body, { limitInputPixels: limits.maxInputPixels, failOn: "error", animated: false })
    .timeout({ seconds: Math.max(1, Math.ceil(timeoutMs / 1000)) })
    .rotate() // applies EXIF orientation before the EXIF block is dropped
    .resize({ width: limits.maxWidth, withoutEnlargement: true });
  // No withMetadata()/keepExif(): sharp strips EXIF, XMP, IPTC and ICC (converting to sRGB) by default.
  pipeline = limits.format === "avif" ? pipeline.avif({ quality: limits.quality }) : pipeline.webp({ quality: limits.quality });
  try {
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, format: limits.format };
  } catch (error) {
    const message = messageOf(error);
    if (/pixel limit/i.test(message)) {
      throw new TooLargeError(`Image ${label} has more than ${limits.maxInputPixels} pixels`, { url: label, cause: error });
    }
    if (/timeout/i.test(message)) {
      throw new FetchTimeoutError(`Image ${label} took longer than ${timeoutMs} ms to re-encode`, { url: label, cause: error });
    }
    throw new ImageError(`Image ${label} could not be decoded: ${message}`, { url: label, cause: error });
  }
}

/** HTML served as image/jpeg starts with "<" like SVG does; only SVG may go on to the decoder. */
function looksLikeMarkupButNotSvg(body: Buffer): boolean {
  let head = body.subarray(0, 4096).toString("utf8");
  head = head.replace(/^\uFEFF/, "").trimStart();
  if (!head.startsWith("<")) return false;
  // Skip an XML declaration, comments and a doctype: what follows must be the <svg> root.
  const rest = head.replace(/^(?:<\?xml[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>|\s+)*/i, "");
  return !/^<svg[\s>]/i.test(rest);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------------------------
// Choosing the URL a reader would have seen

interface SrcsetCandidate {
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

function featureMatches(part: string): boolean {
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
function resolveCandidate(value: string | null | undefined, baseUrl: string): string | undefined {
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

function isPlaceholder(url: string): boolean {
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
    if (/^\s*\S+\.(?:jpe?g|png|webp|gif|avif)(?:[?#]\S*)?\s*$/i.test(attribute.value)) add(attribute.value);
  }
  return out;
}

function looksLikeUrl(value: string): boolean {
  const v = value.trim();
  return v.length > 0 && !/\s/.test(v) && (/[/.]/.test(v) || v.startsWith("data:"));
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

// ---------------------------------------------------------------------------------------------------------------
// The stage

type Outcome =
  | { kind: "stored"; file: string; width: number; height: number }
  | { kind: "pixel" }
  | { kind: "failed"; error: ArchiveError };

interface Stored {
  file: string;
  width: number;
  height: number;
}

/** Tracking pixels: the image a reader "sees" is at most this many px each way. */
const PIXEL_MAX = 2;

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

/** planImages over article HTML, parsed in this thread's jsdom window (extract.ts does the same in its worker). */
export function planImagesOf(html: string, baseUrl: string, maxWidth: number): ImagePlan {
  // A whole document rather than JSDOM.fragment(): fragment parsing treats <noscript> content as text.
  // No runScripts, no resources: jsdom neither runs nor fetches anything.
  return planImages(parseDocument(`<!DOCTYPE html><html><head></head><body>${html}</body></html>`).body, baseUrl, maxWidth);
}

/**
 * Localizes the images of an article: given its HTML, or the plan the extraction worker already made from it (the
 * same result, without parsing the article on this thread).
 */
export async function localizeImages(article: string | ImagePlan, options: LocalizeOptions): Promise<LocalizeResult> {
  const { baseUrl, dir, limits, download, reuseDir } = options;
  const plan = typeof article === "string" ? planImagesOf(article, baseUrl, limits.maxWidth) : article;

  const limit = pLimit(Math.max(1, limits.concurrency));
  const byUrl = new Map<string, Promise<Outcome>>();
  const byHash = new Map<string, Promise<Stored>>();
  const files = new Set<string>();

  const load = (url: string): Promise<Outcome> => {
    let pending = byUrl.get(url);
    if (!pending) {
      pending = limit(() => loadOne(url));
      byUrl.set(url, pending);
    }
    return pending;
  };

  const loadOne = async (url: string): Promise<Outcome> => {
    const label = url.startsWith("data:") ? `${url.slice(0, 40)}…` : url;
    const controller = new AbortController();
    const started = Date.now();
    const timeout = new FetchTimeoutError(`Image ${label} took longer than ${limits.timeoutMs} ms`, { url: label });
    const timer = setTimeout(() => controller.abort(timeout), limits.timeoutMs);
    try {
      const body = url.startsWith("data:")
        ? decodeDataUrl(url, limits.maxBytes, label)
        : (await untilAborted(download(url, controller.signal), controller.signal)).body;
      const probe = await untilAborted(probeImage(body, limits, label), controller.signal);
      if (probe.width <= PIXEL_MAX && probe.height <= PIXEL_MAX) return { kind: "pixel" };
      const hash = contentKey(body);
      let stored = byHash.get(hash);
      if (!stored) {
        const remaining = Math.max(1, limits.timeoutMs - (Date.now() - started));
        stored = storeImage(body, hash, remaining, label, controller.signal);
        byHash.set(hash, stored);
      }
      return { kind: "stored", ...(await untilAborted(stored, controller.signal)) };
    } catch (error) {
      return { kind: "failed", error: asImageError(error, label) };
    } finally {
      clearTimeout(timer);
    }
  };

  const storeImage = async (
    body: Buffer,
    hash: string,
    timeoutMs: number,
    label: string,
    signal: AbortSignal,
  ): Promise<Stored> => {
    const file = `${hash}.${limits.format}`;
    const target = join(dir, file);
    if (reuseDir) {
      const reused = await reuse(join(reuseDir, file), target);
      if (reused) {
        imageCounts.reused += 1;
        files.add(file);
        return { file, ...reused };
      }
    }
    const encoded = await encodeShared(body, hash, limits, timeoutMs, label, options.encoded);
    // A timed-out image must not leave an unreferenced file behind in the capture.
    if (signal.aborted) throw signal.reason;
    await writeFile(target, encoded.data);
    files.add(file);
    return { file, width: encoded.width, height: encoded.height };
  };

  const work = plan.images.map(async (image): Promise<Outcome | "none"> => {
    if (image.kind === "pixel") return { kind: "pixel" };
    if (image.kind === "none") return "none";
    if (image.kind === "unfetchable") {
      const url = image.urls[0]!;
      const error = new ImageError(`Image ${url} has an address we cannot fetch (not http, https or data:image)`, { url });
      return { kind: "failed", error };
    }
    let outcome: Outcome | undefined;
    for (const url of image.urls) {
      const next = await load(url);
      // Keep the first failure: it is about the URL the reader saw; later ones are fallbacks.
      if (next.kind !== "failed" || !outcome) outcome = next;
      if (next.kind !== "failed") break;
      // A slow server will be slow for the next size too; do not spend another timeout on it.
      if (next.error.code === "ARCHIVE_FETCH_TIMEOUT") break;
    }
    return outcome!;
  });

  let images = 0;
  const failures: ImageFailure[] = [];
  const rendered = (await Promise.all(work)).map((outcome, index): string => {
    const { tag, hasAlt } = plan.images[index]!;
    if (outcome !== "none" && outcome.kind === "pixel") return "";
    if (outcome === "none" || outcome.kind === "failed") {
      if (outcome !== "none") {
        images += 1;
        failures.push({ url: outcome.error.url ?? "", reason: outcome.error.message, code: outcome.error.code });
      }
      // Without a source, only its alt text is left to show; an img with neither is nothing.
      return hasAlt ? tag : "";
    }
    images += 1;
    // The file name is hex and the sizes are numbers: nothing to escape.
    return `${tag.slice(0, -1)} src="${outcome.file}" width="${outcome.width}" height="${outcome.height}" loading="lazy">`;
  });

  const out = plan.html.replace(new RegExp(`<!--${plan.marker}:(\\d+)-->`, "g"), (_, index: string) => rendered[Number(index)] ?? "");
  return { html: out, images, failed: failures.length, failures, files: [...files] };
}

/**
 * Encoded images of one run by content hash, so a logo or photo shared by many pages costs one encode (~100 ms of CPU
 * for 1–2 MP), not one per page. Bounded by bytes: the oldest entries go first. Encoding is deterministic for given
 * bytes and limits, which are the run's, so a copy is what a second encode would have written.
 */
export class EncodedImageCache {
  readonly #entries = new Map<string, Promise<EncodedImage>>();
  readonly #sizes = new Map<string, number>();
  #bytes = 0;
  readonly maxBytes: number;
  // A plain field, not a parameter property: the extraction workers import this module under Node's type stripping,
  // which has no parameter properties.
  constructor(maxBytes = 64 * 1024 * 1024) {
    this.maxBytes = maxBytes;
  }

  getOrEncode(key: string, encode: () => Promise<EncodedImage>): Promise<EncodedImage> {
    const hit = this.#entries.get(key);
    if (hit) {
      imageCounts.shared += 1;
      return hit;
    }
    const pending = encode();
    this.#entries.set(key, pending);
    pending.then(
      (image) => {
        if (this.#entries.get(key) !== pending) return;
        this.#sizes.set(key, image.data.length);
        this.#bytes += image.data.length;
        for (const [oldest] of this.#entries) {
          if (this.#bytes <= this.maxBytes) break;
          this.#bytes -= this.#sizes.get(oldest) ?? 0;
          this.#sizes.delete(oldest);
          this.#entries.delete(oldest);
        }
      },
      // A failure is not remembered: the image is tried again where it appears next (its timeout was this page's).
      () => this.#entries.delete(key),
    );
    return pending;
  }
}

/** What the image stage did in this process, for the benchmark and tests: encodes, copies from a previous capture, shared encodes. */
export const imageCounts = { encoded: 0, reused: 0, shared: 0 };

function encodeShared(
  body: Buffer,
  hash: string,
  limits: ImageLimits,
  timeoutMs: number,
  label: string,
  cache: EncodedImageCache | undefined,
): Promise<EncodedImage> {
  const encode = () => encodeProbed(body, limits, timeoutMs, label);
  if (!cache) return encode();
  return cache.getOrEncode(`${hash}:${limits.format}:${limits.quality}:${limits.maxWidth}`, encode);
}

/** Copies the previous capture's file for this content hash; returns its size, or undefined to encode afresh. */
async function reuse(from: string, to: string): Promise<{ width: number; height: number } | undefined> {
  try {
    const { width, height } = await sharp(from).metadata();
    if (!width || !height) return undefined;
    await copyFile(from, to);
    return { width, height };
  } catch {
    return undefined;
  }
}

function isPixelSized(img: Element): boolean {
  const w = Number.parseInt(img.getAttribute("width") ?? "", 10);
  const h = Number.parseInt(img.getAttribute("height") ?? "", 10);
  return w >= 0 && h >= 0 && w <= PIXEL_MAX && h <= PIXEL_MAX;
}

function unique(urls: string[]): string[] {
  return [...new Set(urls)];
}

/** Rejects with the signal's reason as soon as it aborts, whatever the promise does. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function asImageError(error: unknown, label: string): ArchiveError {
  if (error instanceof ArchiveError) {
    return error.url ? error : new ArchiveError(error.code, error.message, { url: label, cause: error });
  }
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) {
    return new FetchTimeoutError(`Image ${label} took too long`, { url: label, cause: error });
  }
  return new ImageError(`Image ${label} could not be stored: ${messageOf(error)}`, { url: label, cause: error });
}

function estimatedDataBytes(url: string): number {
  const comma = url.indexOf(",");
  const payload = comma < 0 ? "" : url.slice(comma + 1);
  return /;base64$/i.test(url.slice(0, comma < 0 ? 0 : comma)) ? Math.floor((payload.length * 3) / 4) : payload.length;
}

/** data: image URLs are decoded here, never fetched; the byte cap is checked before decoding. */
function decodeDataUrl(url: string, maxBytes: number, label: string): Buffer {
  const comma = url.indexOf(",");
  if (comma < 0) throw new ImageError(`Image ${label} is a malformed data: URL`, { url: label });
  if (estimatedDataBytes(url) > maxBytes) {
    throw new TooLargeError(`Image ${label} holds more than the ${maxBytes} bytes allowed`, { url: label });
  }
  const meta = url.slice(5, comma);
  const payload = url.slice(comma + 1);
  if (/;base64$/i.test(meta)) return Buffer.from(payload.replace(/\s+/g, ""), "base64");
  try {
    return Buffer.from(decodeURIComponent(payload), "utf8");
  } catch (error) {
    throw new ImageError(`Image ${label} is a malformed data: URL`, { url: label, cause: error });
  }
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
