/**
 * What each kind of response becomes before it is stored: the capture's body (sanitized HTML), its own metadata, and
 * the files it wrote into the work folder. One renderer a kind (article.ts for HTML, text.ts, pdf.ts, image.ts), in
 * ArchiveBox's one-extractor-a-file shape; capture.ts chooses by what sniff.ts finds.
 */
import type { EncodedImageCache } from "../images/encode.ts";
import type { ImageBudget } from "../images/localize.ts";
import type { RunMetrics } from "../metrics.ts";
import type { ExtractPool } from "../parse/pool.ts";
import type { CaptureKind } from "../../cache/types.ts";
import type { ArchiveConfig, FetchedResource, Fetcher } from "../types.ts";

export interface RenderedBody {
  kind: CaptureKind;
  /** Safe HTML: sanitized, or built by us from escaped text. */
  html: string;
  title: string;
  byline?: string | undefined;
  siteName?: string | undefined;
  lang?: string | undefined;
  dir?: "ltr" | "rtl" | undefined;
  excerpt?: string | undefined;
  publishedAt?: string | undefined;
  /** For pdf and image captures: the stored file's name. */
  file?: string | undefined;
  /** Images found in the article, and how many of them could not be stored. */
  images: number;
  imagesFailed: number;
  /** Images dropped because the capture's budget ran out, and which bound it was. */
  imagesDropped?: number | undefined;
  imagesDroppedReason?: string | undefined;
}

export interface RenderContext {
  /** The response, after redirects. */
  page: FetchedResource;
  /** The capture's work folder: files are written here, and renamed into place with index.html. */
  workDir: string;
  config: ArchiveConfig;
  fetcher: Fetcher;
  /** Decode + extract, on worker threads. */
  extractor: ExtractPool;
  /** Images encoded in this run, shared by its captures. */
  images?: EncodedImageCache | undefined;
  /** The previous capture's folder, whose images (named by content) are copied rather than encoded again. */
  reuseDir?: string | undefined;
  /** Where an image of the page is fetched from, when not from its own address (a Wayback snapshot's copy of it). */
  imageUrl?: ((url: string) => string) | undefined;
  metrics?: RunMetrics | undefined;
  /** The capture's deadline (and the run's): every fetch and the parse stop when it aborts. */
  signal?: AbortSignal | undefined;
  /** What the capture lets its images use. */
  imageBudget?: ImageBudget | undefined;
}

/** The last path segment of a URL, decoded, or its host: the name a file capture is shown under. */
export function lastPathSegment(url: string): string {
  try {
    const parsed = new URL(url);
    const segment = decodeURIComponent(parsed.pathname.split("/").filter(Boolean).pop() ?? "");
    return segment || parsed.hostname;
  } catch {
    return url;
  }
}
