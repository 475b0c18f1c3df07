/**
 * Verify against real files: the fixture cache (nine good captures, three broken on purpose), captures planted by
 * hand (a script, a link, an SVG posing as WebP, a broken image, an oversized file), the bodies older versions of the
 * archiver wrote, and the memo that lets a rebuild skip what passed.
 */
import { cp, mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCaptureFile } from "../../src/cache/capture-file.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { verifyArchive } from "../../src/verify/archive.ts";
import { verifyCapture } from "../../src/verify/verify.ts";
import { FIXTURE_CACHE, hashOf } from "../e2e/fixture-site.ts";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "verify-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function meta(url: string, fields: Record<string, unknown> = {}) {
  return {
    title: "A capture", url, hash_url: hashUrl(url), archived_at: "2026-01-01T00:00:00.000Z", final_url: url,
    status: "captured", kind: "article", content_type: "text/html", http_status: 200, word_count: 2, images: 0,
    images_failed: 0, content_sha256: "", archiver: "test", ...fields,
  }; // prettier-ignore
}

/** A capture folder written by hand, as a pull request could add one. */
async function plant(cache: string, url: string, body: string, fields: Record<string, unknown> = {}, files: Record<string, Buffer | string> = {}): Promise<string> {
  const key = hashUrl(url);
  await mkdir(path.join(cache, key), { recursive: true });
  await writeFile(path.join(cache, key, "index.html"), renderCaptureFile(meta(url, fields), body));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(cache, key, name), content);
  return key;
}

describe("verify", () => {
  it("passes the fixture cache's good captures and names each broken one with why", async () => {
    const verdict = await verifyArchive(FIXTURE_CACHE, { decode: true });
    expect(verdict.checked).toBe(12);
    expect(verdict.failed.map((f) => f.key).sort()).toEqual(
      [hashOf("hostile"), hashUrl("https://broken.example/bad-yaml"), hashUrl("https://broken.example/missing-fields")].sort(),
    );
    expect(verdict.failed.find((f) => f.key === hashOf("hostile"))!.problems).toEqual([expect.stringContaining("its HTML is not what the sanitizer leaves")]);
  });

  it("refuses a capture with a script added by hand, and one whose final_url is javascript:", async () => {
    const cache = path.join(tmp, "planted");
    const script = await plant(cache, "https://example.com/a", "<p>Fine words.</p>\n<script>alert(1)</script>\n");
    const handler = await plant(cache, "https://example.com/b", '<p onclick="alert(1)">Fine words.</p>\n');
    const final = await plant(cache, "https://example.com/c", "<p>Fine words.</p>\n", { final_url: "javascript:alert(1)" });
    const ok = await plant(cache, "https://example.com/d", "<p>Fine words.</p>\n");
    const verdict = await verifyArchive(cache, { decode: true });
    expect(verdict.failed.map((f) => f.key).sort()).toEqual([script, handler, final].sort());
    expect(verdict.failed.find((f) => f.key === final)!.problems[0]).toContain('"final_url" must be an absolute http(s) URL');
    expect(verdict.failed.map((f) => f.key)).not.toContain(ok);
  });

  it("refuses links, unexpected files, an SVG posing as WebP, a broken image, and an index.html past its size", async () => {
    const cache = path.join(tmp, "files");
    const webp = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#08f" } }).webp().toBuffer();
    const good = "0123456789abcdef0123456789abcdef.webp";
    const linked = await plant(cache, "https://example.com/linked", "<p>x</p>\n");
    await symlink("/etc/hostname", path.join(cache, linked, good));
    const extra = await plant(cache, "https://example.com/extra", "<p>x</p>\n", {}, { "page.html": "<script>alert(1)</script>" });
    const svg = await plant(cache, "https://example.com/svg", "<p>x</p>\n", {}, { [good]: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>' });
    const broken = await plant(cache, "https://example.com/broken", "<p>x</p>\n", {}, { [good]: webp.subarray(0, 40) });
    const big = await plant(cache, "https://example.com/big", "<p>x</p>\n");
    await truncate(path.join(cache, big, "index.html"), 26 * 1024 * 1024);
    const fine = await plant(cache, "https://example.com/fine", `<p><img src="${good}" alt="x" width="40" height="30" /></p>\n`, {}, { [good]: webp });

    const decoded = await verifyArchive(cache, { decode: true });
    const problems = (key: string) => decoded.failed.find((f) => f.key === key)?.problems.join(" | ");
    expect(problems(linked)).toContain(`${good} is a symbolic link`);
    expect(problems(extra)).toContain("page.html is not a file a capture may hold");
    expect(problems(svg)).toContain(`${good} is not a webp or avif image`);
    expect(problems(broken)).toContain(`${good} does not decode as an image`);
    expect(problems(big)).toContain("index.html is 26.0 MB, over the 25.0 MB a capture file may have");
    expect(problems(fine)).toBeUndefined();
    // Without decoding (the commit job), a header that says WebP is taken at its word; everything else still holds.
    const headers = await verifyArchive(cache, { decode: false });
    expect(headers.failed.map((f) => f.key).sort()).toEqual([linked, extra, svg, big].sort());
  });

  it("accepts the text, PDF and image bodies older versions of the archiver wrote", async () => {
    const cache = path.join(tmp, "older");
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#f80" } }).png().toBuffer();
    const image = "0123456789abcdef0123456789abcdef.png";
    const keys = [
      await plant(cache, "https://example.com/notes.txt", "<pre>a &#60;b&#62; &#38; &#34;c&#34; &#39;d&#39;\n</pre>\n", { kind: "text" }),
      await plant(cache, "https://example.com/paper.pdf", '<p>PDF document (12 KB): <a href="document.pdf">paper.pdf</a></p>\n', { kind: "pdf", file: "document.pdf" }, { "document.pdf": "%PDF-1.4\n%%EOF\n" }),
      await plant(cache, "https://example.com/p.png", `<figure><img src="${image}" alt="p.png" width="8" height="8"></figure>\n`, { kind: "image", file: image }, { [image]: png }),
    ];
    const verdict = await verifyArchive(cache, { decode: true });
    expect(verdict).toMatchObject({ checked: 3, failed: [] });
    // The fixed body of a text capture cannot carry a tag.
    await writeFile(path.join(cache, keys[0]!, "index.html"), renderCaptureFile(meta("https://example.com/notes.txt", { kind: "text" }), "<pre>a <b onclick=x>b</b></pre>\n"));
    expect(await verifyCapture(cache, keys[0]!, { decode: true })).toEqual([expect.stringContaining("not what the sanitizer leaves")]);
  });

  it("remembers what passed, and checks a capture again when one of its files changes", async () => {
    const cache = path.join(tmp, "memo");
    await cp(FIXTURE_CACHE, cache, { recursive: true });
    const memoFile = path.join(tmp, "memo.json");
    const first = await verifyArchive(cache, { decode: true, memoFile });
    expect(first).toMatchObject({ checked: 12, remembered: 0 });
    const second = await verifyArchive(cache, { decode: true, memoFile });
    expect(second).toMatchObject({ checked: 3, remembered: 9 });
    const ars = path.join(cache, hashOf("ars"), "index.html");
    await writeFile(ars, (await readFile(ars, "utf8")).replace("</p>", "</p><script>alert(1)</script>"));
    const third = await verifyArchive(cache, { decode: true, memoFile });
    expect(third).toMatchObject({ checked: 4, remembered: 8 });
    expect(third.failed.map((f) => f.key)).toContain(hashOf("ars"));
    // A memo made without decoding does not vouch for a check with it.
    const headersOnly = path.join(tmp, "memo-headers.json");
    await verifyArchive(cache, { decode: false, memoFile: headersOnly });
    expect((await verifyArchive(cache, { decode: true, memoFile: headersOnly })).remembered).toBe(0);
  });

  it("passes earlier versions in the capture format, and refuses one with a script, one newer than index.html, or one misnamed", async () => {
    const cache = path.join(tmp, "versions");
    const url = "https://example.com/changing";
    const key = await plant(cache, url, "<p>Now it says this.</p>\n", { archived_at: "2026-03-01T00:00:00.000Z" });
    const version = (at: string, body: string) => renderCaptureFile(meta(url, { archived_at: at }), body);
    await writeFile(path.join(cache, key, "20260101000000.html"), version("2026-01-01T00:00:00.000Z", "<p>Once it said that.</p>\n"));
    expect(await verifyCapture(cache, key, { decode: true })).toEqual([]);
    await writeFile(path.join(cache, key, "20260101000000.html"), version("2026-01-01T00:00:00.000Z", "<p>Once.</p><script>alert(1)</script>\n"));
    expect(await verifyCapture(cache, key, { decode: true })).toEqual([expect.stringMatching(/^20260101000000\.html: its HTML is not what the sanitizer leaves/)]);
    await writeFile(path.join(cache, key, "20260101000000.html"), version("2026-01-01T00:00:00.000Z", "<p>Once it said that.</p>\n"));
    await writeFile(path.join(cache, key, "20270101000000.html"), version("2027-01-01T00:00:00.000Z", "<p>From the future.</p>\n"));
    expect(await verifyCapture(cache, key, { decode: true })).toEqual(["20270101000000.html is not older than index.html: a version file holds an earlier version"]);
    await rm(path.join(cache, key, "20270101000000.html"));
    await writeFile(path.join(cache, key, "20250101000000.html"), version("2026-01-01T00:00:00.000Z", "<p>Misnamed.</p>\n"));
    expect(await verifyCapture(cache, key, { decode: true })).toEqual(["20250101000000.html: its archived_at is not the time it is named by"]);
  });

  it("names a status record or a check log that fails its schema, and they do not fail any capture", async () => {
    const cache = path.join(tmp, "records");
    const url = "https://example.com/watched";
    await plant(cache, url, "<p>Fine words.</p>\n");
    await mkdir(path.join(cache, "_status"), { recursive: true });
    await writeFile(path.join(cache, "_status", `${hashUrl(url)}.json`), JSON.stringify({ url, hash_url: hashUrl(url), status: "dead", since: "2026-01-01T00:00:00Z", answer: { reason: "x" }, history: [] }));
    await writeFile(path.join(cache, "_checks.json"), "{ not json");
    const verdict = await verifyArchive(cache, { decode: true });
    expect(verdict.failed).toEqual([]);
    expect(verdict.records).toEqual([
      { where: `_status/${hashUrl(url)}.json`, problem: expect.stringContaining('"status" must be one of unknown, alive, changed, moved, gone, unreachable') },
      { where: "_checks.json", problem: expect.stringContaining("is not JSON") },
    ]);
  });
});
