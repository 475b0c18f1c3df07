import { describe, expect, it } from "vitest";
import { CacheWriteError } from "../../src/cache/errors.ts";
import { ArchiveError, HttpStatusError, reviveArchiveError, toArchiveError, type ArchiveErrorCode } from "../../src/archive/errors.ts";

const CODES: ArchiveErrorCode[] = [
  "ARCHIVE_USAGE", "ARCHIVE_BAD_LINK", "ARCHIVE_BLOCKED_ADDRESS", "ARCHIVE_DNS", "ARCHIVE_NETWORK", "ARCHIVE_TLS",
  "ARCHIVE_FETCH_TIMEOUT", "ARCHIVE_TOO_LARGE", "ARCHIVE_TOO_MANY_REDIRECTS", "ARCHIVE_REDIRECT_LOOP",
  "ARCHIVE_BAD_REDIRECT", "ARCHIVE_HTTP_STATUS", "ARCHIVE_BAD_ENCODING", "ARCHIVE_UNSUPPORTED_TYPE", "ARCHIVE_PARSE",
  "ARCHIVE_EMPTY", "ARCHIVE_SOFT_404", "ARCHIVE_IMAGE", "ARCHIVE_STORE", "ARCHIVE_CANCELLED", "ARCHIVE_BAD_BODY", "ARCHIVE_INTERNAL",
]; // prettier-ignore

describe("archive errors", () => {
  it.each(CODES)("%s comes back from another thread with its code, message and URL", (code) => {
    const revived = reviveArchiveError(code, "what failed, and what to try", "https://example.com/");
    expect(revived).toBeInstanceOf(ArchiveError);
    expect(revived).toMatchObject({ code, message: "what failed, and what to try", url: "https://example.com/" });
    // Each code has a class of its own, named after it (HTTP status errors need their status, so they are the base).
    if (code !== "ARCHIVE_HTTP_STATUS") expect(revived.name).not.toBe("ArchiveError");
  });

  it("gives an unexpected error its own code instead of borrowing one", () => {
    const error = toArchiveError(new TypeError("x is undefined"), "https://example.com/a");
    expect(error).toMatchObject({ code: "ARCHIVE_INTERNAL", url: "https://example.com/a" });
    expect(error.message).toContain("x is undefined");
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it("records a cache that could not be written as ARCHIVE_STORE", () => {
    expect(toArchiveError(new CacheWriteError("Could not write cache/ab/index.html: EACCES")).code).toBe("ARCHIVE_STORE");
  });

  it("keeps the Retry-After a server sent on its status error, and retries only what may pass", () => {
    expect(new HttpStatusError(429, "slow down", { retryAfterMs: 5000 })).toMatchObject({ retryAfterMs: 5000, retryable: true });
    expect(new HttpStatusError(404, "gone")).toMatchObject({ retryAfterMs: undefined, retryable: false });
    expect(new HttpStatusError(501, "not implemented").retryable).toBe(false);
  });
});
