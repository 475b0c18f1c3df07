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
  /** The response's validators, sent back by the link watch as If-None-Match and If-Modified-Since (RFC 9110 §13.1). */
  etag?: string;
  last_modified?: string;
  /**
   * Where the bytes came from when not from the original: "internet-archive" when the original was already gone at its
   * first capture and the Wayback Machine's closest snapshot was captured instead. `source_url` is that snapshot's
   * address (shown and linked), `source_date` its date-time.
   */
  source?: "internet-archive";
  source_url?: string;
  source_date?: string;
  /** The Internet Archive's own snapshot of the original, when Save Page Now reported one for this capture. */
  wayback_snapshot?: string;
}

/**
 * What the link watch knows of an original (npm run check). "unknown": never checked (no status record).
 *   alive        it answers, and says what the current version says (304, the same words, or a change now kept)
 *   changed      it answers with materially different words that were not kept (a worse copy, or not capturable)
 *   moved        a permanent redirect (301/308) to another address, recorded in moved_to
 *   gone         404, 410 or 451; its host name no longer resolves; or a soft 404 (a "not found" or parked page
 *                answered 200, or a redirect to the site's front page)
 *   unreachable  timeouts, 5xx, 429, refused connections: a verdict only after UNREACHABLE_AFTER checks in a row
 *                spanning at least UNREACHABLE_SPAN_DAYS (src/cache/status.ts); before that the record keeps a streak
 */
export type OriginalStatus = "unknown" | "alive" | "changed" | "moved" | "gone" | "unreachable";
export const ORIGINAL_STATUSES: readonly OriginalStatus[] = ["unknown", "alive", "changed", "moved", "gone", "unreachable"];

/** The answer a check got, in public words: the HTTP status and an error code with its fixed sentence (reasons.ts). */
export interface CheckAnswer {
  http_status?: number;
  code?: string;
  /** A fixed sentence (publicReason, or the watch's own), never text a server chose. */
  reason: string;
}

/** One state the original was in, from when it was first seen in it. */
export interface StatusEntry {
  /** "unknown" only in a record whose first checks all failed (a streak, not yet a verdict). */
  status: OriginalStatus;
  since: string;
  answer: CheckAnswer;
  /** For moved: the address it now redirects to. */
  moved_to?: string;
}

/** cache/_status/<hash>.json: rewritten only on a transition (or while a failure streak is building). */
export interface StatusRecord extends StatusEntry {
  url: string;
  hash_url: string;
  /** Earlier states, oldest first, at most STATUS_HISTORY_MAX. */
  history: StatusEntry[];
  /** Checks in a row that could not reach the original, not yet a verdict (absent when the last check reached it). */
  failing?: { since: string; count: number; answer: CheckAnswer };
}

/** One slice's entry in the check log. */
export interface SliceRecord {
  slice: number;
  checked_at: string;
  /** Links of the slice checked by that run. */
  links: number;
  /** The run was cut short (--max): the next run goes on after this hash before moving to another slice. */
  resume_after?: string;
}

/** One check run's counts, in the check log. */
export interface CheckRunRecord {
  started_at: string;
  finished_at: string;
  slice: number;
  slices: number;
  checked: number;
  counts: Partial<Record<Exclude<OriginalStatus, "unknown">, number>>;
  /** Links still failing but not yet a verdict. */
  pending: number;
  new_versions: number;
  requests: number;
  bytes: number;
}

/** cache/_checks.json. */
export interface CheckLog {
  format: 1;
  slices: number;
  slice_records: SliceRecord[];
  /** The latest runs, newest last, at most CHECK_RUNS_KEPT. */
  runs: CheckRunRecord[];
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
