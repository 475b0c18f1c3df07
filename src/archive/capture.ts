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
import { collapseSpace } from "../util/html.ts";
import { EmptyCaptureError, UnsupportedTypeError, toArchiveError } from "./errors.ts";
import type { EncodedImageCache } from "./images/encode.ts";
import { EXCERPT_MAX_CHARS } from "./limits.ts";
import type { RunMetrics } from "./metrics.ts";
import type { ExtractPool } from "./parse/pool.ts";
import { judgeCapture } from "./refresh.ts";
import { renderArticle } from "./render/article.ts";
import type { RenderContext, RenderedBody } from "./render/body.ts";
import { renderImage } from "./render/image.ts";
import { renderPdf } from "./render/pdf.ts";
import { renderText } from "./render/text.ts";
import { countWords } from "./sanitize.ts";
import { sniffKind } from "./sniff.ts";
import type { ArchiveConfig, CaptureResult, Fetcher, Link } from "./types.ts";

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
}

const ACCEPT_PAGE = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,application/pdf;q=0.7,image/*;q=0.6,*/*;q=0.1";

export async function captureLink(link: Link, ctx: CaptureContext): Promise<CaptureResult> {
  const { cacheDir } = ctx.config;
  const previous = await readCaptureMeta(cacheDir, link.hash);
  let workDir: string | undefined;
  try {
    const page = await ctx.fetcher.fetch(link.url, { accept: ACCEPT_PAGE });
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
    });
    const wordCount = body.kind === "pdf" || body.kind === "image" ? 0 : countWords(body.html);
    const sha = createHash("sha256").update(body.html).digest("hex");
    const judgement = judgeCapture(link.url, { kind: body.kind, wordCount, images: body.images, imagesFailed: body.imagesFailed, sha256: sha }, previous);
    if (judgement.verdict === "empty" || judgement.verdict === "worse") throw new EmptyCaptureError(judgement.reason, { url: link.url });
    if (judgement.verdict === "unchanged") {
      await discardWorkFolder(workDir);
      await clearFailure(cacheDir, link.hash);
      return { link, outcome: "unchanged", kind: body.kind, title: previous?.title ?? body.title };
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
      byline: collapseSpace(body.byline),
      site_name: collapseSpace(body.siteName),
      lang: collapseSpace(body.lang),
      dir: body.dir,
      excerpt: truncate(collapseSpace(body.excerpt), EXCERPT_MAX_CHARS),
      published_at: isoDate(body.publishedAt),
      word_count: wordCount,
      file: body.file,
      images: body.images,
      images_failed: body.imagesFailed,
      content_sha256: sha,
      archiver: ctx.config.archiver,
    };
    await writeFileDurably(path.join(workDir, CAPTURE_FILE), renderCaptureFile(meta, body.html));
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

function truncate(value: string | undefined, max: number): string | undefined {
  if (value === undefined || value.length <= max) return value;
  return `${value.slice(0, max - 1).trimEnd()}…`;
}

function isoDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
