/**
 * One link → one capture folder. Fetches the URL, turns the response into a safe body by its kind (article, page,
 * text, PDF, image), builds the capture in a work folder and renames it into place. Never throws for a link's own
 * failure: it returns a CaptureResult, records the failure, and keeps any previous capture.
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { decodeText } from "./parse/decode.ts";
import { EmptyCaptureError, UnsupportedTypeError, toArchiveError } from "./errors.ts";
import { contentKey, encodeImage, type EncodedImageCache } from "./images/encode.ts";
import { localizeImages } from "./images/localize.ts";
import type { ExtractPool } from "./parse/pool.ts";
import { countWords, sanitizeArticle } from "./sanitize.ts";
import { renderCaptureFile } from "../cache/capture-file.ts";
import { clearFailure, recordFailure } from "../cache/failures.ts";
import { captureDir } from "../cache/layout.ts";
import { commitCapture, createWorkFolder, discardWorkFolder, readCaptureMeta, writeFileDurably } from "../cache/store.ts";
import type { CaptureKind, CaptureMeta } from "../cache/types.ts";
import type { ArchiveConfig, CaptureResult, FetchedResource, Fetcher, Link } from "./types.ts";
import { EXCERPT_MAX_CHARS, WORSE_COPY_RATIO } from "./limits.ts";

export interface CaptureContext {
  config: ArchiveConfig;
  fetcher: Fetcher;
  /** The clock, injectable for tests. */
  now: () => Date;
  /** Decode + extract, on worker threads (pool.ts). */
  extractor: ExtractPool;
  /** Images encoded in this run, shared by its captures. */
  images?: EncodedImageCache;
}

const ACCEPT_PAGE = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,application/pdf;q=0.7,image/*;q=0.6,*/*;q=0.1";
const ACCEPT_IMAGE = "image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8";
/** A refresh whose text shrank below this share of the kept capture is taken as a removal notice or paywall. */

interface Body {
  kind: CaptureKind;
  html: string;
  title: string;
  byline?: string | undefined;
  siteName?: string | undefined;
  lang?: string | undefined;
  dir?: "ltr" | "rtl" | undefined;
  excerpt?: string | undefined;
  publishedAt?: string | undefined;
  file?: string | undefined;
  images: number;
  imagesFailed: number;
}

export async function captureLink(link: Link, ctx: CaptureContext): Promise<CaptureResult> {
  const { cacheDir } = ctx.config;
  const previous = await readCaptureMeta(cacheDir, link.hash);
  let workDir: string | undefined;
  try {
    const page = await ctx.fetcher.fetch(link.url, { accept: ACCEPT_PAGE });
    workDir = await createWorkFolder(cacheDir, link.hash);
    const body = await buildBody(page, workDir, ctx, previous ? captureDir(cacheDir, link.hash) : undefined);
    const wordCount = body.kind === "pdf" || body.kind === "image" ? 0 : countWords(body.html);
    if (wordCount === 0 && body.images === body.imagesFailed && body.kind !== "pdf" && body.kind !== "image") {
      throw new EmptyCaptureError(`${link.url} came back with no text and no images; nothing worth keeping.`, { url: link.url });
    }
    if (previous?.word_count && previous.kind === "article" && wordCount < previous.word_count * WORSE_COPY_RATIO) {
      throw new EmptyCaptureError(
        `${link.url} now has ${wordCount} words where the kept capture has ${previous.word_count}: probably a removal notice, paywall or error page. The previous capture was kept.`,
        { url: link.url },
      );
    }
    const sha = createHash("sha256").update(body.html).digest("hex");
    if (previous?.content_sha256 === sha) {
      await discardWorkFolder(workDir);
      await clearFailure(cacheDir, link.hash);
      return { link, outcome: "unchanged", kind: body.kind, title: previous.title ?? body.title };
    }
    const meta: CaptureMeta = {
      title: body.title,
      url: link.url,
      hash_url: link.hash,
      archived_at: ctx.now().toISOString(),
      final_url: page.finalUrl,
      status: "captured",
      kind: body.kind,
      content_type: page.mediaType || "application/octet-stream",
      http_status: page.status,
      byline: clean(body.byline),
      site_name: clean(body.siteName),
      lang: clean(body.lang),
      dir: body.dir,
      excerpt: truncate(clean(body.excerpt), EXCERPT_MAX_CHARS),
      published_at: isoDate(body.publishedAt),
      word_count: wordCount,
      file: body.file,
      images: body.images,
      images_failed: body.imagesFailed,
      content_sha256: sha,
      archiver: ctx.config.archiver,
    };
    await writeFileDurably(path.join(workDir, "index.html"), renderCaptureFile(meta, body.html));
    await commitCapture(cacheDir, link.hash, workDir);
    workDir = undefined;
    await clearFailure(cacheDir, link.hash);
    return { link, outcome: "captured", kind: body.kind, title: body.title };
  } catch (thrown) {
    if (workDir) await discardWorkFolder(workDir).catch(() => undefined);
    const error = toArchiveError(thrown, link.url);
    const keptPrevious = previous !== undefined;
    await recordFailure(cacheDir, link, { code: error.code, reason: error.message, keptPrevious, at: ctx.now() });
    return { link, outcome: "failed", code: error.code, reason: error.message, keptPrevious };
  }
}

type Sniffed = "html" | "text" | "pdf" | "image" | "unknown";

/** The kind of a response, from its bytes first and its Content-Type second (servers lie; bytes do not). */
export function sniffKind(page: Pick<FetchedResource, "mediaType" | "body">): Sniffed {
  const head = page.body.subarray(0, 512);
  if (head.subarray(0, 5).toString("latin1") === "%PDF-") return "pdf";
  if (isImageMagic(head)) return "image";
  const type = page.mediaType;
  if (type === "text/html" || type === "application/xhtml+xml") return "html";
  if (type === "image/svg+xml") return "image"; // rasterized by the image stage, never stored as SVG
  if (type === "text/plain") return "text";
  if (type === "" || type === "application/octet-stream" || type === "text/xml" || type === "application/xml") {
    const text = head.toString("latin1").replace(/^\uFEFF|^\xEF\xBB\xBF/, "").trimStart().toLowerCase();
    if (/^<(!doctype html|html|head|body|!--)/.test(text)) return "html";
  }
  return "unknown";
}

function isImageMagic(b: Buffer): boolean {
  const ascii = (from: number, to: number) => b.subarray(from, to).toString("latin1");
  return (
    (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) || // JPEG
    ascii(0, 8) === "\x89PNG\r\n\x1a\n" ||
    ascii(0, 6) === "GIF87a" ||
    ascii(0, 6) === "GIF89a" ||
    (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") ||
    (ascii(4, 8) === "ftyp" && /^(avif|avis|heic|heix|mif1)$/.test(ascii(8, 12))) ||
    ascii(0, 4) === "II*\0" ||
    ascii(0, 4) === "MM\0*"
  );
}

async function buildBody(page: FetchedResource, workDir: string, ctx: CaptureContext, reuseDir: string | undefined): Promise<Body> {
  const sniffed = sniffKind(page);
  const fileName = lastPathSegment(page.finalUrl);
  switch (sniffed) {
    case "html": {
      const article = await ctx.extractor.extract(page.body, page.charset, page.finalUrl, {
        imageMaxWidth: ctx.config.images.maxWidth,
      });
      // The worker planned the images (images.ts) so this thread parses no HTML; an article without a plan has its HTML.
      const localized = await localizeImages(article.imagePlan ?? article.html, {
        baseUrl: page.finalUrl,
        dir: workDir,
        limits: ctx.config.images,
        reuseDir,
        encoded: ctx.images,
        download: async (url, signal) => {
          const image = await ctx.fetcher.fetch(url, {
            accept: ACCEPT_IMAGE,
            maxBytes: ctx.config.images.maxBytes,
            totalTimeoutMs: ctx.config.images.timeoutMs,
            signal,
          });
          return { body: image.body, finalUrl: image.finalUrl, mediaType: image.mediaType };
        },
      });
      return {
        kind: article.readerable ? "article" : "page",
        html: sanitizeArticle(localized.html, { baseUrl: page.finalUrl }),
        title: article.title,
        byline: article.byline,
        siteName: article.siteName,
        lang: article.lang,
        dir: article.dir,
        excerpt: article.excerpt,
        publishedAt: article.publishedTime,
        images: localized.images,
        imagesFailed: localized.failed,
      };
    }
    case "text": {
      const text = decodeText(page.body, page.charset);
      return {
        kind: "text",
        html: `<pre>${escapeHtml(text)}</pre>`,
        title: firstLine(text) ?? fileName,
        excerpt: text.slice(0, EXCERPT_MAX_CHARS),
        images: 0,
        imagesFailed: 0,
      };
    }
    case "pdf": {
      // Kept as the original file: a PDF is the document. The site links it for download rather than embedding it.
      const file = "document.pdf";
      await writeFile(path.join(workDir, file), page.body);
      return {
        kind: "pdf",
        html: `<p>PDF document (${formatBytes(page.body.length)}): <a href="${file}">${escapeHtml(fileName)}</a></p>`,
        title: fileName,
        file,
        images: 0,
        imagesFailed: 0,
      };
    }
    case "image": {
      // A direct image link is stored re-encoded like every other image: an SVG or a crafted file is never served
      // from the owner's site as it came.
      const image = await encodeImage(page.body, ctx.config.images);
      const file = `${contentKey(page.body)}.${image.format}`;
      await writeFile(path.join(workDir, file), image.data);
      return {
        kind: "image",
        html: `<figure><img src="${file}" alt="${escapeHtml(fileName)}" width="${image.width}" height="${image.height}"></figure>`,
        title: fileName,
        file,
        images: 1,
        imagesFailed: 0,
      };
    }
    default:
      throw new UnsupportedTypeError(
        `${page.finalUrl} is ${page.mediaType || "of no declared type"}, which is not archived (HTML, plain text, PDF and images are).`,
        { url: page.url },
      );
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.replace(/\s+/g, " ").trim();
  return trimmed ? trimmed : undefined;
}

function truncate(value: string | undefined, max: number): string | undefined {
  if (value === undefined || value.length <= max) return value;
  return `${value.slice(0, max - 1).trimEnd()}…`;
}

function isoDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function lastPathSegment(url: string): string {
  try {
    const parsed = new URL(url);
    const segment = decodeURIComponent(parsed.pathname.split("/").filter(Boolean).pop() ?? "");
    return segment || parsed.hostname;
  } catch {
    return url;
  }
}

function firstLine(text: string): string | undefined {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== "");
  return line ? truncate(line.trim(), 120) : undefined;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
