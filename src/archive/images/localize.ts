/**
 * Images stage: article HTML with remote (or data:) images in → the same HTML with every visible image stored in
 * `dir` as a re-encoded WebP/AVIF named by content hash, and each <img> reduced to src/alt/width/height.
 * Side effects: downloads through the `download` passed in, writes files in `dir`. Never throws for one image:
 * a failed image keeps its alt text and is listed in `failures` (issue #2 §6).
 */
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import pLimit from "p-limit";
import { ArchiveError, FetchTimeoutError, ImageError } from "../errors.ts";
import { messageOf } from "../../util/error.ts";
import { untilAborted } from "../../util/abort.ts";
import { formatBytes } from "../../util/bytes.ts";
import { PIXEL_MAX } from "./candidates.ts";
import type { RunMetrics } from "../metrics.ts";
import { contentKey, decodeDataUrl, encodeShared, probeImage, reuse, type EncodedImageCache } from "./encode.ts";
import type { ImagePlan } from "./plan.ts";
import type { ImageLimits } from "../types.ts";

export interface ImageDownload {
  body: Buffer;
}

export interface LocalizeOptions {
  /** Folder the image files are written into (the capture's temporary folder). */
  dir: string;
  limits: ImageLimits;
  /** Fetches one image within limits.maxBytes; must honour `signal` (the per-image timeout aborts it). */
  download: (url: string, signal: AbortSignal) => Promise<ImageDownload>;
  /** The previous capture's folder: an image whose content hash already has a file there is copied, not re-encoded. */
  reuseDir?: string;
  /** Images already encoded in this run, shared by its captures: the same bytes on two pages are encoded once. */
  encoded?: EncodedImageCache | undefined;
  /** Where encodes and reuses are counted. */
  metrics?: RunMetrics | undefined;
  /** What the capture as a whole lets its images use; unbounded when absent. */
  budget?: ImageBudget | undefined;
}

/** The images' share of a capture's bounds. When a bound is reached, the images not yet stored are dropped. */
export interface ImageBudget {
  /** Fetchable images attempted at most, in page order. */
  maxImages: number;
  /** Bytes of stored image files at most. */
  maxBytes: number;
  /** Aborts when the images' time is up (or the run is ending). */
  signal?: AbortSignal | undefined;
}

export interface ImageFailure {
  url: string;
  reason: string;
  code: string;
}

export interface LocalizeResult {
  html: string;
  /** <img> elements that pointed at an image (stored or failed); tracking pixels and dropped images are not counted. */
  images: number;
  failed: number;
  failures: ImageFailure[];
  /** Images not attempted, or not finished, because the budget ran out; they keep their alt text. */
  dropped: number;
  /** Which bound it was, in words for the capture page ("the capture's limit of 300 images"). */
  droppedReason: string | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The stage

type Outcome =
  | { kind: "stored"; file: string; width: number; height: number }
  | { kind: "pixel" }
  | { kind: "failed"; error: ArchiveError }
  | { kind: "dropped" };

interface Stored {
  file: string;
  width: number;
  height: number;
}

/** Thrown inside the stage when a bound of the budget is reached; its image is dropped, not failed. */
class BudgetSpent extends Error {
  readonly why: string;
  constructor(why: string) {
    super(why);
    this.why = why;
  }
}

/** Localizes the images of an article from the plan its parse made (plan.ts): fetch, encode, write, put back. */
export async function localizeImages(plan: ImagePlan, options: LocalizeOptions): Promise<LocalizeResult> {
  const { dir, limits, download, reuseDir } = options;
  const budget = options.budget ?? { maxImages: Infinity, maxBytes: Infinity };
  let attempted = 0;
  let storedBytes = 0;
  let droppedReason: string | undefined;
  const drop = (why: string): Outcome => {
    droppedReason ??= why;
    return { kind: "dropped" };
  };
  const timeIsUp = () => (budget.signal?.reason instanceof BudgetSpent ? budget.signal.reason.why : "the capture's time limit");

  const limit = pLimit(Math.max(1, limits.concurrency));
  const byUrl = new Map<string, Promise<Outcome>>();
  const byHash = new Map<string, Promise<Stored>>();

  const load = (url: string): Promise<Outcome> => {
    let pending = byUrl.get(url);
    if (!pending) {
      pending = limit(() => loadOne(url));
      byUrl.set(url, pending);
    }
    return pending;
  };

  const loadOne = async (url: string): Promise<Outcome> => {
    if (budget.signal?.aborted) return drop(timeIsUp());
    const label = url.startsWith("data:") ? `${url.slice(0, 40)}…` : url;
    const controller = new AbortController();
    const started = Date.now();
    const timeout = new FetchTimeoutError(`Image ${label} took longer than ${limits.timeoutMs} ms`, { url: label });
    const timer = setTimeout(() => controller.abort(timeout), limits.timeoutMs);
    const signal = budget.signal ? AbortSignal.any([controller.signal, budget.signal]) : controller.signal;
    try {
      const body = url.startsWith("data:")
        ? decodeDataUrl(url, limits.maxBytes, label)
        : (await untilAborted(download(url, signal), signal)).body;
      const probe = await untilAborted(probeImage(body, limits, label), signal);
      if (probe.width <= PIXEL_MAX && probe.height <= PIXEL_MAX) return { kind: "pixel" };
      const hash = contentKey(body);
      let stored = byHash.get(hash);
      if (!stored) {
        const remaining = Math.max(1, limits.timeoutMs - (Date.now() - started));
        stored = storeImage(body, hash, remaining, label, signal);
        byHash.set(hash, stored);
      }
      return { kind: "stored", ...(await untilAborted(stored, signal)) };
    } catch (error) {
      if (error instanceof BudgetSpent) return drop(error.why);
      if (budget.signal?.aborted) return drop(timeIsUp());
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
    const spend = (bytes: number) => {
      if (storedBytes + bytes > budget.maxBytes) throw new BudgetSpent(`the capture's limit of ${formatBytes(budget.maxBytes)} of images`);
      storedBytes += bytes;
    };
    if (reuseDir) {
      const reused = await reuse(join(reuseDir, file), target, limits.maxWidth, spend);
      if (reused) {
        if (options.metrics) options.metrics.imagesReused += 1;
        return { file, ...reused };
      }
    }
    const encoded = await encodeShared(body, hash, limits, timeoutMs, label, options.encoded, options.metrics);
    // A timed-out image must not leave an unreferenced file behind in the capture.
    if (signal.aborted) throw signal.reason;
    spend(encoded.data.length);
    await writeFile(target, encoded.data);
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
    // Images are numbered here in page order, before any await: the first maxImages are attempted.
    if (attempted++ >= budget.maxImages) return drop(`the capture's limit of ${budget.maxImages} images`);
    let outcome: Outcome | undefined;
    for (const url of image.urls) {
      const next = await load(url);
      // Keep the first failure: it is about the URL the reader saw; later ones are fallbacks.
      if (next.kind !== "failed" || !outcome) outcome = next;
      if (next.kind !== "failed") break;
      if (budget.signal?.aborted) return drop(timeIsUp());
      // A slow server will be slow for the next size too; do not spend another timeout on it.
      if (next.error.code === "ARCHIVE_FETCH_TIMEOUT") break;
    }
    return outcome!;
  });

  let images = 0;
  let dropped = 0;
  const failures: ImageFailure[] = [];
  const rendered = (await Promise.all(work)).map((outcome, index): string => {
    const { tag, hasAlt } = plan.images[index]!;
    if (outcome !== "none" && outcome.kind === "pixel") return "";
    if (outcome !== "none" && outcome.kind === "dropped") {
      dropped += 1;
      return hasAlt ? tag : "";
    }
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
  return { html: out, images, failed: failures.length, failures, dropped, droppedReason: dropped > 0 ? droppedReason : undefined };
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

