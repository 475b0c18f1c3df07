import { describe, expect, it } from "vitest";
import { hashUrl } from "../../src/cache/layout.ts";
import { checkCaptureMeta, checkFailureRecord } from "../../src/cache/schema.ts";

const url = "https://example.com/post";
const good = {
  title: "Post", url, hash_url: hashUrl(url), archived_at: "2026-01-01T00:00:00.000Z", kind: "article", word_count: 3,
}; // prettier-ignore

describe("the capture schema", () => {
  it("accepts an older capture with only the required fields, and fills in the rest", () => {
    const checked = checkCaptureMeta(good, hashUrl(url));
    expect(checked).toMatchObject({ ok: true, value: { final_url: url, status: "captured", images: 0, images_failed: 0, content_sha256: "" } });
  });

  it("lists every problem of a capture at once", () => {
    const checked = checkCaptureMeta({ ...good, title: 9, url: "javascript:alert(1)", archived_at: "yesterday", kind: "video", images: -1 }, hashUrl(url));
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors).toEqual(
      expect.arrayContaining([
        '"title" must be a string',
        '"url" must be an absolute http(s) URL',
        '"archived_at" must be an ISO 8601 date-time',
        '"kind" must be one of article, page, text, pdf, image',
        '"images" must be a whole number ≥ 0',
      ]),
    );
  });

  it("ties a capture to its folder: hash_url must be md5 of url and the folder's name", () => {
    expect(checkCaptureMeta(good, "f".repeat(32))).toMatchObject({ ok: false, errors: [expect.stringContaining("does not match its folder name")] });
    expect(checkCaptureMeta({ ...good, url: `${url}?moved` }, hashUrl(url))).toMatchObject({ ok: false, errors: ['"hash_url" is not md5 of "url"'] });
  });

  it("lets a pdf or image capture name only a plain file of a servable type", () => {
    for (const file of ["../../etc/passwd", ".hidden.pdf", "index.html", "page.svg", "a/b.pdf"]) {
      const kind = file.endsWith(".svg") ? "image" : "pdf";
      expect(checkCaptureMeta({ ...good, kind, file }, hashUrl(url)).ok, file).toBe(false);
    }
    expect(checkCaptureMeta({ ...good, kind: "pdf", file: "document.pdf" }, hashUrl(url)).ok).toBe(true);
  });

  it("checks failure records", () => {
    expect(checkFailureRecord({ url, hash_url: hashUrl(url), last_failed_at: "2026-01-02T00:00:00Z" })).toMatchObject({ ok: true });
    expect(checkFailureRecord([])).toEqual({ ok: false, errors: ["not a JSON object"] });
    expect(checkFailureRecord({ url, hash_url: "x", last_failed_at: "soon" }).ok).toBe(false);
  });
});
