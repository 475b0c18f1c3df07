/**
 * The capture file format round-trips every string it is given, in every text field, and never runs front matter.
 * Before the cache had one owner, titles like "09" or "0o17" were written unquoted by one YAML library and read back
 * as numbers by another, and the capture silently left the site.
 */
import { describe, expect, it } from "vitest";
import { captureBodyOf, parseCaptureFile, renderCaptureFile } from "../../src/cache/capture-file.ts";
import { CaptureFileError } from "../../src/cache/errors.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { checkCaptureMeta } from "../../src/cache/schema.ts";

const ADVERSARIAL = [
  "09", "008", "0800", "01.5", "+.5", "-.5", "0o17", "0x1F", "1e3", "007", ".inf", "-.Inf", ".NaN",
  "yes", "no", "on", "off", "y", "n", "true", "False", "~", "null", "Null", "", " ",
  "!!js/function 'function () {}'", "!!binary aGk=", "!<tag:yaml.org,2002:int> 3", "&anchor x", "*alias", "<<: *a",
  "---", "...", "--- x", "a\n---\nb", "\n---\n", "# not a comment", "key: value", "- item", "? q", "| block", "> folded",
  "{a: 1}", "[1, 2]", "'single'", '"double"', "`back`", "@at", "%TAG ! x", "trailing space ", " leading space",
  "tab\tinside", "line\nbreak", "cr\rhere", "crlf\r\nthere", "nel\u0085", "ls\u2028ps\u2029", "bom\uFEFF", "nul\u0000x",
  "bell\u0007", "esc\u001b[31m", "del\u007f", "c1\u0080\u009f", "noncharacter\uFFFE\uFFFF", "lone \uD800 surrogate",
  "emoji 🧭 and 𝒳", "rtl \u202Eevil", "x".repeat(20_000), "{{ 7 * 7 }}", "<script>alert(1)</script>",
]; // prettier-ignore

const TEXT_FIELDS = ["title", "byline", "site_name", "lang", "excerpt", "content_type", "archiver"] as const;

function meta(overrides: Record<string, unknown>) {
  const url = "https://example.com/post?q=1#x";
  return {
    title: "t", url, hash_url: hashUrl(url), archived_at: "2026-01-01T00:00:00.000Z", final_url: url, status: "captured",
    kind: "article", content_type: "text/html", http_status: 200, word_count: 3, images: 0, images_failed: 0,
    content_sha256: "", archiver: "link-archive/0", ...overrides,
  }; // prettier-ignore
}

describe("the capture file", () => {
  it.each(TEXT_FIELDS)("reads back every adversarial string in %s exactly as written", (field) => {
    for (const value of ADVERSARIAL) {
      const text = renderCaptureFile(meta({ [field]: value }), "<p>body</p>");
      const parsed = parseCaptureFile(text);
      expect((parsed.data as Record<string, unknown>)[field], JSON.stringify(value.slice(0, 40))).toBe(value);
      expect(parsed.body).toBe("<p>body</p>\n");
      expect(captureBodyOf(text)).toBe(parsed.body);
    }
  });

  it("keeps numbers and booleans typed, and a capture written by it passes the schema", () => {
    const written = meta({ title: "09", byline: "yes", word_count: 1234 });
    const parsed = parseCaptureFile(renderCaptureFile(written, "x")).data as Record<string, unknown>;
    expect(parsed.word_count).toBe(1234);
    const checked = checkCaptureMeta(parsed, written.hash_url);
    expect(checked).toMatchObject({ ok: true, value: { title: "09", byline: "yes", word_count: 1234 } });
  });

  it("writes every field on one line, whatever its length", () => {
    const text = renderCaptureFile(meta({ title: "x".repeat(500), excerpt: "a\nb" }), "");
    const front = text.slice(4, text.indexOf("\n---", 3));
    expect(front.split("\n")).toHaveLength(Object.keys(meta({})).length + 1);
  });

  it.each([
    ["---js\n{ title: (globalThis.captureRan = 1, 'x') }\n---\n<p>x</p>\n", "not begin with YAML"],
    ["--- js\n{ title: (globalThis.captureRan = 1, 'x') }\n---\n<p>x</p>\n", "not begin with YAML"],
    ["---javascript\nmodule.exports = { title: (globalThis.captureRan = 1) }\n---\n", "not begin with YAML"],
    ["---json\n{\"title\": \"x\"}\n---\n", "not begin with YAML"],
    ["<p>no front matter</p>", "not begin with YAML"],
    ["---\ntitle: [unclosed\n---\nbody", "could not be parsed"],
    ["---\ntitle: a\ntitle: b\n---\nbody", "could not be parsed"],
  ])("refuses %j without running it", (text, message) => {
    expect(() => parseCaptureFile(text)).toThrow(CaptureFileError);
    expect(() => parseCaptureFile(text)).toThrow(message);
    expect((globalThis as { captureRan?: number }).captureRan).toBeUndefined();
  });

  it("reads custom YAML tags as plain data, never as code", () => {
    const parsed = parseCaptureFile("---\ntitle: !!js/function 'function () { return 1 }'\n---\nb").data as Record<string, unknown>;
    expect(typeof parsed.title).not.toBe("function");
  });
});
