/**
 * Image bytes in → a re-encoded raster image out (sharp/libvips): the format is read from the bytes, never the
 * Content-Type; pixel bombs are refused from the header; EXIF orientation applied, metadata stripped, width capped.
 * Also what the images stage shares across a run: the content key that names stored files, and the cache of encodes.
 * Runs on the main thread only (the extraction workers never import this module).
 */
import { createHash } from "node:crypto";
import { copyFile, lstat } from "node:fs/promises";
import sharp, { type Metadata } from "sharp";
import { FetchTimeoutError, ImageError, TooLargeError, UnsupportedTypeError } from "../errors.ts";
import { messageOf } from "../../util/error.ts";
import { estimatedDataBytes } from "./candidates.ts";
import type { ImageFormat, ImageLimits } from "../types.ts";
import { ENCODE_CACHE_BYTES } from "../limits.ts";
import { createMetrics, type RunMetrics } from "../metrics.ts";

export interface EncodedImage {
  data: Buffer;
  width: number;
  height: number;
  format: ImageFormat;
}

// libvips keeps recent operations and their pixels cached (up to 50 MB) for reuse; a run encodes each image once and
// keeps encoded results itself (EncodedImageCache), so that cache would only hold memory.
sharp.cache(false);

/**
 * What sharp may decode for us. Anything else (HTML, PDF, HEVC HEIC, ...) is refused before decoding.
 * "heif" is how sharp reports AVIF. SVG is rasterized: sharp's librsvg, given a buffer, has no base URL and loads
 * only data: URLs — no network, no local files, no XInclude (verified by a test; see images.test.ts).
 */
const DECODABLE_FORMATS = new Set(["jpeg", "png", "webp", "gif", "heif", "tiff", "svg"]);

/**
 * The name (without extension) an image is stored under: the first 32 hex digits of sha256 of its bytes as served.
 * Named by content, so the same image at two URLs is stored once, and a refresh finds the previous capture's file
 * under the same name whatever the encode settings.
 */
export function contentKey(body: Buffer): string {
  return createHash("sha256").update(body).digest("hex").slice(0, 32);
}

/**
 * Decode, orient, strip metadata, cap the width and re-encode one image.
 * Used for images in articles and for a direct image link stored as a capture.
 * Throws ArchiveError: TooLargeError (bytes or pixels), UnsupportedTypeError (not an image), ImageError (broken).
 */
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
export async function probeImage(body: Buffer, limits: ImageLimits, label: string): Promise<Probe> {
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

export async function encodeProbed(body: Buffer, limits: ImageLimits, timeoutMs: number, label: string): Promise<EncodedImage> {
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

/**
 * Encoded images of one run by content hash, so a logo or photo shared by many pages costs one encode, not one per
 * page. Bounded by bytes: the oldest entries go first. Encoding is deterministic for given
 * bytes and limits, which are the run's, so a copy is what a second encode would have written.
 */
export class EncodedImageCache {
  readonly #entries = new Map<string, Promise<EncodedImage>>();
  readonly #sizes = new Map<string, number>();
  #bytes = 0;
  readonly maxBytes: number;
  readonly #metrics: RunMetrics;
  constructor(metrics: RunMetrics = createMetrics(), maxBytes = ENCODE_CACHE_BYTES) {
    this.#metrics = metrics;
    this.maxBytes = maxBytes;
  }

  getOrEncode(key: string, encode: () => Promise<EncodedImage>): Promise<EncodedImage> {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#metrics.imagesShared += 1;
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


export function encodeShared(
  body: Buffer,
  hash: string,
  limits: ImageLimits,
  timeoutMs: number,
  label: string,
  cache: EncodedImageCache | undefined,
  metrics: RunMetrics | undefined,
): Promise<EncodedImage> {
  const encode = () => {
    if (metrics) metrics.imagesEncoded += 1;
    return encodeProbed(body, limits, timeoutMs, label);
  };
  if (!cache) return encode();
  return cache.getOrEncode(`${hash}:${limits.format}:${limits.quality}:${limits.maxWidth}`, encode);
}

/**
 * Copies the previous capture's file for this content hash; returns its dimensions, or undefined to encode afresh. A
 * file wider than `maxWidth` is encoded afresh: a recapture after lowering --image-max-width is how an archive shrinks.
 */
export async function reuse(
  from: string,
  to: string,
  maxWidth: number,
  spend: (bytes: number) => void = () => {},
): Promise<{ width: number; height: number } | undefined> {
  let width: number | undefined;
  let height: number | undefined;
  let size: number;
  try {
    // A link planted in the previous capture would copy whatever it points at into this one: regular files only.
    const info = await lstat(from);
    if (!info.isFile()) return undefined;
    size = info.size;
    ({ width, height } = await sharp(from).metadata());
  } catch {
    return undefined;
  }
  if (!width || !height || width > maxWidth) return undefined;
  spend(size);
  try {
    await copyFile(from, to);
  } catch {
    return undefined;
  }
  return { width, height };
}

/** data: image URLs are decoded here, never fetched; the byte cap is checked before decoding. */
export function decodeDataUrl(url: string, maxBytes: number, label: string): Buffer {
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

