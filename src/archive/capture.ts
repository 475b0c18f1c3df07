/**
 * One link → one capture folder. Fetches the URL, renders the response by its kind (render/), judges the result
 * against the capture already kept (refresh.ts), and builds the capture in a work folder renamed into place (cache/).
 * Never throws for a link's own failure: it returns a CaptureResult, records the failure, and keeps any previous
 * capture.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { renderCaptureFile } from "../cache/capture-file.ts";
import { clearFailure, recordFailure } from "../cache/failures.ts";
import { captureDir, CAPTURE_FILE } from "../cache/layout.ts";
import { commitCapture, createWorkFolder, discardWorkFolder, readCaptureMeta, writeFileDurably } from "../cache/store.ts";
import type { CaptureMeta } from "../cache/types.ts";
import { readdir, stat } from "node:fs/promises";
import { publicReason } from "../cache/reasons.ts";
import { FIELD_MAX_CHARS } from "../cache/schema.ts";
import { formatBytes } from "../util/bytes.ts";
import { capLength, cleanField } from "../util/text.ts";
import { CaptureTimeoutError, EmptyCaptureError, HttpStatusError, SoftNotFoundError, TooLargeError, UnsupportedTypeError, toArchiveError } from "./errors.ts";
import { softNotFound } from "./soft404.ts";
import { answerOf, isGoneError, validatorsOf } from "./answers.ts";
import { snapshotPage } from "./wayback/fallback.ts";
import type { Snapshot } from "./wayback/snapshot.ts";
import { captureBodyOf } from "../cache/capture-file.ts";
import { captureTokens, type TextToken } from "../cache/capture-text.ts";
import { changedMaterially } from "../cache/changes.ts";
import { readRegularFile } from "../cache/files.ts";
import { observeOriginal, readStatus } from "../cache/status.ts";
import { carryVersions } from "../cache/versions.ts";
import type { EncodedImageCache } from "./images/encode.ts";
import { CAPTURE_FILE_MAX_BYTES, EXCERPT_MAX_CHARS, IMAGES_SHARE_OF_CAPTURE_TIME } from "./limits.ts";
import type { RunMetrics } from "./metrics.ts";
import type { ExtractPool } from "./parse/pool.ts";
import { judgeCapture } from "./refresh.ts";
import { renderArticle } from "./render/article.ts";
import type { RenderContext, RenderedBody } from "./render/body.ts";
import { renderImage } from "./render/image.ts";
import { renderPdf } from "./render/pdf.ts";
import { renderText } from "./render/text.ts";
import { countWords, sanitizeArticle } from "./sanitize.ts";
import { sniffKind } from "./sniff.ts";
import type { ArchiveConfig, CaptureResult, FetchedResource, Fetcher, Link } from "./types.ts";

export interface CaptureContext {
  config: ArchiveConfig;
  fetcher: Fetcher;
  /** The clock, injectable for tests. */
  now: () => Date;
  /** Decode + extract, on worker threads (parse/pool.ts). */
  extractor: ExtractPool;
  /** Images encoded in this run, shared by its captures. */
  images?: EncodedImageCache;
  metrics?: RunMetrics;
  /** Aborts when the run must end: captures in flight stop, and are left for the next run. */
  signal?: AbortSignal | undefined;
}

export const ACCEPT_PAGE = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,application/pdf;q=0.7,image/*;q=0.6,*/*;q=0.1";

/** Kinds whose text is compared, and whose earlier versions are kept when it changes materially. */
const VERSIONED_KINDS = new Set(["article", "page", "text"]);

export interface CaptureOptions {
  /** The response already fetched (the link watch's own request), so the original is asked once. */
  page?: FetchedResource;
  /**
   * Record a failure in cache/_failures (default). The link watch does not: a weekly "the new copy is worse" would
   * rewrite the record every week, and the watch records what it found in the original's status instead.
   */
  recordFailures?: boolean;
}

/** Where a capture's bytes came from when not from the original itself. */
interface Source {
  snapshot: Snapshot;
}

export async function captureLink(link: Link, ctx: CaptureContext, options: CaptureOptions = {}): Promise<CaptureResult> {
  const { cacheDir, capture: limits } = ctx.config;
  const previous = await readCaptureMeta(cacheDir, link.hash);
  // The capture's own time limit, and the run's: whichever comes first stops every fetch, the parse and the images.
  const timeUp = new AbortController();
  const timer = setTimeout(() => timeUp.abort(new CaptureTimeoutError(`capture time limit of ${limits.timeoutMs} ms`)), limits.timeoutMs);
  const imagesTimeUp = new AbortController();
  const imagesTimer = setTimeout(() => imagesTimeUp.abort(), limits.timeoutMs * IMAGES_SHARE_OF_CAPTURE_TIME);
  const runSignal = ctx.signal ?? new AbortController().signal;
  const signal = AbortSignal.any([timeUp.signal, runSignal]);
  let workDir: string | undefined;
  let source: Source | undefined;
  try {
    runSignal.throwIfAborted();
    let page: FetchedResource;
    try {
      page = options.page ?? (await ctx.fetcher.fetch(link.url, { accept: ACCEPT_PAGE, signal }));
    } catch (error) {
      // Gone before it was ever captured: the Internet Archive's closest copy, through the same pipeline.
      const fallback = !previous && ctx.config.wayback.fallback && isGoneError(error) ? await snapshotPage(link, ctx, signal) : undefined;
      if (!fallback) throw error;
      page = fallback.page;
      source = { snapshot: fallback.snapshot };
      await observeOriginal(cacheDir, link, { kind: "verdict", status: "gone", answer: answerOf(error) }, ctx.now());
    }
    workDir = await createWorkFolder(cacheDir, link.hash);
    const body = await renderBody({
      page,
      workDir,
      config: ctx.config,
      fetcher: ctx.fetcher,
      extractor: ctx.extractor,
      images: ctx.images,
      metrics: ctx.metrics,
      reuseDir: previous ? captureDir(cacheDir, link.hash) : undefined,
      imageUrl: source?.snapshot.imageUrl,
      signal,
      imageBudget: { maxImages: limits.maxImages, maxBytes: limits.maxBytes, signal: AbortSignal.any([imagesTimeUp.signal, signal]) },
    });
    signal.throwIfAborted();
    // Sanitizing is the last step for every kind: what is stored is a fixed point of it, which verify re-checks.
    const html = sanitizeArticle(body.html, { baseUrl: page.finalUrl });
    const wordCount = body.kind === "pdf" || body.kind === "image" ? 0 : countWords(html);
    const sha = createHash("sha256").update(html).digest("hex");
    const judgement = judgeCapture(link.url, { kind: body.kind, wordCount, images: body.images, imagesFailed: body.imagesFailed, sha256: sha }, previous);
    if (judgement.verdict === "empty" || judgement.verdict === "worse") throw new EmptyCaptureError(judgement.reason, { url: link.url });
    // The words of the kept capture, when there is one whose text is compared: a soft 404 never replaces it.
    const compared = previous !== undefined && VERSIONED_KINDS.has(previous.kind);
    const kept = compared ? await keptTokens(cacheDir, link.hash) : undefined;
    const tokens = compared ? captureTokens(html).tokens : undefined;
    const soft = kept && tokens && judgement.verdict === "new" ? softNotFound(kept, { url: link.url, finalUrl: page.finalUrl, title: body.title, tokens }) : undefined;
    if (soft) {
      throw new SoftNotFoundError(`${link.url} now answers with a page that keeps ${Math.round(soft.retention * 100)}% of the kept capture's text and ${publicReason(soft.code).replace(/^it /, "")}; the kept capture stays`, { url: link.url });
    }
    if (judgement.verdict === "unchanged") {
      await discardWorkFolder(workDir);
      await clearFailure(cacheDir, link.hash);
      if (!source) await cameBack(cacheDir, link, ctx.now());
      return { link, outcome: "unchanged", kind: body.kind, title: previous?.title ?? body.title };
    }
    // The previous capture is kept as an earlier version when the words changed materially (changes.ts); a change of
    // dates and counters only replaces it, as a refresh always did.
    // An earlier version that cannot be read as text is kept whole rather than lost.
    const newVersion = compared && tokens !== undefined && VERSIONED_KINDS.has(body.kind) && (kept === undefined || changedMaterially(kept, tokens));
    const meta: CaptureMeta = {
      title: cleanField(body.title, FIELD_MAX_CHARS.title) ?? capLength(link.url, FIELD_MAX_CHARS.title),
      url: link.url,
      hash_url: link.hash,
      archived_at: archivedAt(ctx.now(), previous),
      final_url: page.finalUrl,
      status: "captured",
      kind: body.kind,
      content_type: cleanField(page.mediaType, FIELD_MAX_CHARS.content_type) ?? "application/octet-stream",
      http_status: page.status,
      byline: cleanField(body.byline, FIELD_MAX_CHARS.byline),
      site_name: cleanField(body.siteName, FIELD_MAX_CHARS.site_name),
      lang: cleanField(body.lang, FIELD_MAX_CHARS.lang),
      dir: body.dir,
      excerpt: cleanField(body.excerpt, Math.min(EXCERPT_MAX_CHARS, FIELD_MAX_CHARS.excerpt)),
      published_at: isoDate(body.publishedAt),
      word_count: wordCount,
      file: body.file,
      images: body.images,
      images_failed: body.imagesFailed,
      ...(body.imagesDropped ? { images_dropped: body.imagesDropped, images_dropped_reason: body.imagesDroppedReason } : {}),
      content_sha256: sha,
      archiver: ctx.config.archiver,
      ...(source ? {} : validatorsOf(page)),
      ...(source ? { source: "internet-archive" as const, source_url: source.snapshot.viewUrl, source_date: source.snapshot.date } : {}),
    };
    const file = renderCaptureFile(meta, html);
    // The earlier versions and the images they show join the work folder first, so the folder's size counts them.
    await carryVersions(cacheDir, link.hash, workDir, { previousBecomesVersion: newVersion });
    await checkSize(link.url, workDir, Buffer.byteLength(file), limits.maxBytes);
    await writeFileDurably(path.join(workDir, CAPTURE_FILE), file);
    await commitCapture(cacheDir, link.hash, workDir, { previousBecomesVersion: newVersion });
    workDir = undefined;
    await clearFailure(cacheDir, link.hash);
    if (!source) await cameBack(cacheDir, link, ctx.now());
    return { link, outcome: "captured", kind: body.kind, title: meta.title, imagesFailed: body.imagesFailed, ...(newVersion ? { newVersion: true } : {}), ...(source ? { source: "internet-archive" as const } : {}) };
  } catch (thrown) {
    if (workDir) await discardWorkFolder(workDir).catch(() => undefined);
    // The run is ending: this link is left for the next run, with nothing recorded against it.
    if (runSignal.aborted) return { link, outcome: "deferred" };
    const error = timeUp.signal.aborted
      ? new CaptureTimeoutError(
          `${link.url} could not be captured within the time limit of ${limits.timeoutMs / 1000} s (its fetches, its parse and its images together); the server may be slow, or the page too large. The next run tries again; --capture-timeout sets the limit`,
          { url: link.url, cause: thrown },
        )
      : toArchiveError(thrown, link.url);
    const reason = publicReason(error.code, error instanceof HttpStatusError ? error.status : undefined);
    const keptPrevious = previous !== undefined;
    // A refresh that finds the original gone tells the link watch (the watch itself records what it finds).
    if (keptPrevious && options.recordFailures !== false && isGoneError(thrown)) {
      await observeOriginal(cacheDir, link, { kind: "verdict", status: "gone", answer: answerOf(thrown) }, ctx.now()).catch(() => undefined);
    }
    if (options.recordFailures !== false) await recordFailure(cacheDir, link, { code: error.code, reason, keptPrevious, at: ctx.now() });
    return { link, outcome: "failed", code: error.code, reason: error.message, publicReason: reason, keptPrevious };
  } finally {
    clearTimeout(timer);
    clearTimeout(imagesTimer);
  }
}

/** A capture folder within its byte limit (images, the stored file, index.html); else the link fails, not the push. */
async function checkSize(url: string, workDir: string, indexBytes: number, maxBytes: number): Promise<void> {
  if (indexBytes > CAPTURE_FILE_MAX_BYTES) {
    throw new TooLargeError(
      `${url} would make an index.html of ${formatBytes(indexBytes)}, over the ${formatBytes(CAPTURE_FILE_MAX_BYTES)} a capture file may have; it is not archived`,
      { url },
    );
  }
  let total = indexBytes;
  for (const name of await readdir(workDir)) total += (await stat(path.join(workDir, name))).size;
  if (total > maxBytes) {
    throw new TooLargeError(
      `${url} would make a capture folder of ${formatBytes(total)}, over the ${formatBytes(maxBytes)} one capture may take (--capture-max-bytes; GitHub refuses files over 100 MiB and Pages sites over 1 GB)`,
      { url },
    );
  }
}

/** The renderer of the response's kind; a kind the archiver does not keep is an UnsupportedTypeError. */
function renderBody(ctx: RenderContext): Promise<RenderedBody> {
  const { page } = ctx;
  switch (sniffKind(page)) {
    case "html":
      return renderArticle(ctx);
    case "text":
      return renderText(ctx);
    case "pdf":
      return renderPdf(ctx);
    case "image":
      return renderImage(ctx);
    default:
      throw new UnsupportedTypeError(
        `${page.finalUrl} is ${page.mediaType || "of no declared type"}, which is not archived (HTML, plain text, PDF and images are).`,
        { url: page.url },
      );
  }
}

/**
 * The original answered well: a status record that said otherwise (gone, moved…) learns it is alive again. A link with
 * no record keeps none: records are the link watch's, written on transitions, not one a capture.
 */
async function cameBack(cacheDir: string, link: Link, now: Date): Promise<void> {
  const record = await readStatus(cacheDir, link.hash);
  if (record && record.status !== "alive") {
    await observeOriginal(cacheDir, link, { kind: "verdict", status: "alive", answer: { code: "CHECK_SAME", reason: publicReason("CHECK_SAME") } }, now).catch(() => undefined);
  }
}

/** Now, or a second past the previous capture when the clock has not moved on: every version needs an address of its own. */
function archivedAt(now: Date, previous: CaptureMeta | undefined): string {
  const floor = previous ? Date.parse(previous.archived_at) + 1000 : Number.NaN;
  return Number.isNaN(floor) || now.getTime() >= floor ? now.toISOString() : new Date(floor).toISOString();
}

/** The words of the stored current version; none (so nothing compares equal) when it cannot be read as text. */
async function keptTokens(cacheDir: string, hash: string): Promise<TextToken[] | undefined> {
  try {
    return captureTokens(captureBodyOf(await readRegularFile(path.join(captureDir(cacheDir, hash), CAPTURE_FILE), "utf8"))).tokens;
  } catch {
    return undefined;
  }
}

function isoDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
