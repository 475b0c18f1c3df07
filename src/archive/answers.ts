/**
 * What an answer of the original says, for the capture and the link watch: the validators worth sending back, whether a
 * failure means the page is gone for good, and the answer in public words (a fixed sentence, reasons.ts). Pure.
 */
import { publicReason } from "../cache/reasons.ts";
import { ETAG, FIELD_MAX_CHARS, isHttpDate } from "../cache/schema.ts";
import type { CaptureMeta, CheckAnswer } from "../cache/types.ts";
import { ArchiveError, HttpStatusError, toArchiveError } from "./errors.ts";
import type { FetchedResource } from "./types.ts";

/** The response's validators, when they are safe to send back (schema.ts). */
export function validatorsOf(page: FetchedResource): Pick<CaptureMeta, "etag" | "last_modified"> {
  const etag = page.headers.etag?.trim();
  const lastModified = page.headers["last-modified"]?.trim();
  return {
    ...(etag && etag.length <= FIELD_MAX_CHARS.etag && ETAG.test(etag) ? { etag } : {}),
    ...(lastModified && isHttpDate(lastModified) ? { last_modified: lastModified } : {}),
  };
}

/** An answer that says the original is gone for good: 404, 410 or 451, or a host name that does not exist. */
export function isGoneError(error: unknown): boolean {
  if (error instanceof HttpStatusError) return error.status === 404 || error.status === 410 || error.status === 451;
  return error instanceof ArchiveError && error.code === "ARCHIVE_DNS" && !error.retryable;
}

/** What a failed fetch answered, in public words only (reasons.ts). */
export function answerOf(error: unknown): CheckAnswer {
  const archiveError = toArchiveError(error, "");
  const status = archiveError instanceof HttpStatusError ? archiveError.status : undefined;
  return { ...(status ? { http_status: status } : {}), code: archiveError.code, reason: publicReason(archiveError.code, status) };
}
