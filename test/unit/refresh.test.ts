import { describe, expect, it } from "vitest";
import { hashUrl } from "../../src/cache/layout.ts";
import type { CaptureMeta } from "../../src/cache/types.ts";
import { judgeCapture, type Candidate } from "../../src/archive/refresh.ts";

const url = "https://example.com/post";
const kept: CaptureMeta = {
  title: "Post", url, hash_url: hashUrl(url), archived_at: "2026-01-01T00:00:00.000Z", final_url: url, status: "captured",
  kind: "article", content_type: "text/html", http_status: 200, word_count: 1000, images: 2, images_failed: 0,
  content_sha256: "aaa", archiver: "link-archive/0",
}; // prettier-ignore
const candidate = (over: Partial<Candidate> = {}): Candidate => ({ kind: "article", wordCount: 950, images: 2, imagesFailed: 0, sha256: "bbb", ...over });

describe("judgeCapture", () => {
  it("keeps a first capture, and a changed one", () => {
    expect(judgeCapture(url, candidate(), undefined)).toEqual({ verdict: "new" });
    expect(judgeCapture(url, candidate(), kept)).toEqual({ verdict: "new" });
  });

  it("calls a capture with the same body unchanged", () => {
    expect(judgeCapture(url, candidate({ sha256: "aaa" }), kept)).toEqual({ verdict: "unchanged" });
  });

  it("refuses a page with no words and no stored image, naming the URL", () => {
    expect(judgeCapture(url, candidate({ wordCount: 0, images: 3, imagesFailed: 3 }), undefined)).toEqual({ verdict: "empty", reason: expect.stringContaining(url) });
    // Images alone are worth keeping (a gallery).
    expect(judgeCapture(url, candidate({ wordCount: 0, images: 3, imagesFailed: 1 }), undefined).verdict).toBe("new");
    // A PDF or an image capture has no words by nature.
    expect(judgeCapture(url, candidate({ kind: "pdf", wordCount: 0, images: 0 }), undefined).verdict).toBe("new");
  });

  it("refuses a refresh of an article that shrank below a fifth of the kept words, and keeps one just above", () => {
    const worse = judgeCapture(url, candidate({ wordCount: 199 }), kept);
    expect(worse).toEqual({ verdict: "worse", reason: expect.stringMatching(/199 words where the kept capture has 1000/) });
    expect(judgeCapture(url, candidate({ wordCount: 200 }), kept).verdict).toBe("new");
  });
});
