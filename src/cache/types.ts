/** The records cache/ holds, as they are on disk. Keys are snake_case: this is a public contract (DESIGN.md). */

/** What kind of capture a folder holds. */
export type CaptureKind =
  | "article" // Readability found an article
  | "page" // no article found: the page's sanitized body is kept
  | "text" // text/plain, shown preformatted
  | "pdf" // the original PDF is stored beside index.html
  | "image"; // a direct image link: the re-encoded image is stored beside index.html

export const CAPTURE_KINDS: readonly CaptureKind[] = ["article", "page", "text", "pdf", "image"];

/** The front matter of cache/<hash>/index.html. */
export interface CaptureMeta {
  title: string;
  url: string;
  hash_url: string;
  archived_at: string;
  final_url: string;
  status: "captured";
  kind: CaptureKind;
  content_type: string;
  http_status: number;
  byline?: string;
  site_name?: string;
  lang?: string;
  dir?: "ltr" | "rtl";
  excerpt?: string;
  published_at?: string;
  word_count: number;
  /** For pdf and image captures: the stored file's name, in the capture folder. */
  file?: string;
  /** Images found in the article, and how many of them could not be stored. */
  images: number;
  images_failed: number;
  /** Images not attempted because the capture's budget ran out (count, time or bytes), and which limit it was. */
  images_dropped?: number;
  images_dropped_reason?: string;
  /** sha256 of the stored body, so a refresh can tell "unchanged" from "changed". */
  content_sha256: string;
  archiver: string;
}

/** A recorded failure: cache/_failures/<hash>.json. The next run retries it; the site lists it. */
export interface FailureRecord {
  url: string;
  hash_url: string;
  line: number;
  code: string;
  reason: string;
  first_failed_at: string;
  last_failed_at: string;
  attempts: number;
  /** True when a good older capture exists and was kept. */
  kept_previous: boolean;
}
