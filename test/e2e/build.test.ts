/**
 * The build without a browser: the root path prefix, environment overrides, the noindex switch, and what the loader
 * refuses. Fast: no Pagefind, no Chromium.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { JSDOM } from "jsdom";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildSite, type BuildSummary } from "../../src/site/build.ts";
import { resolveSiteConfig } from "../../src/site/config.ts";
import { SiteConfigError } from "../../src/site/errors.ts";
import { loadArchive } from "../../src/site/data.ts";
import { renderCaptureFile } from "../../src/cache/capture-file.ts";
import { hashUrl, versionStamp } from "../../src/cache/layout.ts";
import { FIXTURE_CACHE, hashOf } from "./fixture-site.ts";
import { build } from "../../src/cli/build.ts";
import type { CommandIo } from "../../src/cli/run.ts";

let tmp: string;
let outDir: string;
let summary: BuildSummary;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "site-build-"));
  outDir = path.join(tmp, "_site");
  // The file says /archive/ and noindex; CI's environment says otherwise, and wins.
  const site = resolveSiteConfig({ pathPrefix: "/archive/", noindexMirrors: true }, { SITE_PATH_PREFIX: "/", SITE_URL: "https://ci.example/", SITE_NOINDEX: "false" });
  summary = await buildSite({ cacheDir: FIXTURE_CACHE, outDir, site, search: false });
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("building the site", () => {
  test("environment overrides set the path prefix and base URL, and links carry no prefix at the root", async () => {
    const index = await readFile(path.join(outDir, "index.html"), "utf8");
    const json = JSON.parse(await readFile(path.join(outDir, "archive.json"), "utf8")) as { captures: Array<{ path: string; hash_url: string }> };
    const feed = await readFile(path.join(outDir, "feed.xml"), "utf8");
    expect(summary.captures).toBe(10);
    expect(index).toContain(`href="/${hashOf("ars")}/"`);
    expect(index).not.toContain("/archive/");
    expect(json.captures.every((c) => c.path === `/${c.hash_url}/`)).toBe(true);
    expect(feed).toContain(`<id>https://ci.example/${hashOf("ars")}/</id>`);
  });

  test("mirror pages keep the canonical link but drop noindex when the setting is off", async () => {
    const page = await readFile(path.join(outDir, hashOf("ars"), "index.html"), "utf8");
    expect(page).toContain(`<link rel="canonical" href="https://arstechnica.com/`);
    expect(page).not.toContain(`name="robots"`);
  });

  test("an unknown setting or a path prefix with dot segments is a configuration error that names the fix", () => {
    expect(() => resolveSiteConfig({ pathprefix: "/x/" } as never)).toThrow(SiteConfigError);
    expect(() => resolveSiteConfig({ pathPrefix: "/a/../b/" })).toThrow(/write it like "\/my-repo\/"/);
  });

  test("npm run build verifies first: a capture with a script committed by hand never reaches the site, and is named", async () => {
    const out = path.join(tmp, "_site-verified");
    const output: string[] = [];
    const io = { stdout: { write: (s: string) => output.push(s) }, stderr: { write: (s: string) => output.push(s) }, env: {}, cwd: tmp } as unknown as CommandIo;
    const request = { cacheDir: FIXTURE_CACHE, linksFile: path.join(tmp, "no-links.txt"), outDir: out, searchCacheDir: path.join(tmp, "search-verified"), verifyMemo: path.join(tmp, "verify.json"), search: false, site: resolveSiteConfig({}) };
    const built = await build(request, io);
    expect(built.code).toBe(0);
    expect(existsSync(path.join(out, hashOf("hostile")))).toBe(false);
    expect(existsSync(path.join(out, hashOf("ars"), "index.html"))).toBe(true);
    expect(output.join("")).toContain(`warning: cache/${hashOf("hostile")}: verify: its HTML is not what the sanitizer leaves`);
  });

  test("refuses to empty the working directory as its output folder", async () => {
    await expect(buildSite({ cacheDir: FIXTURE_CACHE, outDir: process.cwd(), site: resolveSiteConfig({}), search: false })).rejects.toThrow(/Refusing/);
  });

  test("front matter in JavaScript is refused, never evaluated", async () => {
    const cache = path.join(tmp, "cache-js");
    const url = "https://example.com/js-front-matter";
    await mkdir(path.join(cache, hashUrl(url)), { recursive: true });
    await writeFile(
      path.join(cache, hashUrl(url), "index.html"),
      `---js\n{ title: (globalThis.frontMatterRan = "yes"), url: "${url}", hash_url: "${hashUrl(url)}", archived_at: "2025-01-01T00:00:00Z", kind: "article" }\n---\n<p>x</p>\n`,
    );
    const archive = await loadArchive(cache);
    expect((globalThis as { frontMatterRan?: string }).frontMatterRan).toBeUndefined();
    expect(archive.captures).toEqual([]);
    expect(archive.problems).toEqual([{ where: `cache-js/${hashUrl(url)}`, reason: expect.stringContaining("front matter") }]);
  });

  test("a committed symbolic link is named and never followed: nothing it points at is published", async () => {
    const cache = path.join(tmp, "cache-links");
    const out = path.join(tmp, "_site-links");
    const secret = path.join(tmp, "secret.txt");
    await writeFile(secret, "TOP SECRET runner file");
    // A pdf capture whose document.pdf is a link, an article whose image is a link, and a capture folder that is one.
    const pdfUrl = "https://example.com/report.pdf";
    const pdf = path.join(cache, hashUrl(pdfUrl));
    await mkdir(pdf, { recursive: true });
    await writeFile(path.join(pdf, "index.html"), renderCaptureFile(fixtureMeta(pdfUrl, { kind: "pdf", file: "document.pdf" }), "<p>pdf</p>"));
    await symlink(secret, path.join(pdf, "document.pdf"));
    const articleUrl = "https://example.com/article";
    const article = path.join(cache, hashUrl(articleUrl));
    await mkdir(article, { recursive: true });
    await writeFile(path.join(article, "index.html"), renderCaptureFile(fixtureMeta(articleUrl), "<p>words here</p>"));
    const image = "0123456789abcdef0123456789abcdef.webp";
    await symlink(secret, path.join(article, image));
    const elsewhere = path.join(tmp, "elsewhere");
    const linkedUrl = "https://example.com/linked-folder";
    await mkdir(elsewhere, { recursive: true });
    await writeFile(path.join(elsewhere, "index.html"), renderCaptureFile(fixtureMeta(linkedUrl), "<p>planted</p>"));
    await symlink(elsewhere, path.join(cache, hashUrl(linkedUrl)));

    const built = await buildSite({ cacheDir: cache, outDir: out, site: resolveSiteConfig({}), search: false });
    expect(built.captures).toBe(1);
    expect(built.problems).toEqual(
      expect.arrayContaining([
        { where: `cache-links/${hashUrl(pdfUrl)}`, reason: '"file" document.pdf is a symbolic link; it is not served' },
        { where: `cache-links/${hashUrl(linkedUrl)}`, reason: expect.stringMatching(/symbolic link/) },
      ]),
    );
    expect(existsSync(path.join(out, hashUrl(articleUrl), "index.html"))).toBe(true);
    // The page, its version address and its TimeMap; nothing of what the link pointed at.
    expect((await readdir(path.join(out, hashUrl(articleUrl)))).sort()).toEqual([versionStamp(fixtureMeta(articleUrl).archived_at), "index.html", "timemap.link"]);
    expect(existsSync(path.join(out, hashUrl(pdfUrl)))).toBe(false);
    expect(existsSync(path.join(out, hashUrl(linkedUrl)))).toBe(false);
    const everything = await readdir(out, { recursive: true });
    for (const file of everything) {
      if (!/\.(?:html|xml|json|link)$/.test(file)) continue;
      expect(await readFile(path.join(out, file), "utf8"), file).not.toContain("TOP SECRET");
    }
  });

  test("a feed built from captures whose text holds characters XML forbids still parses as XML", async () => {
    const cache = path.join(tmp, "cache-control");
    const out = path.join(tmp, "_site-control");
    // As a capture written before control characters were stripped at capture time would hold them.
    const url = "https://example.com/control";
    await mkdir(path.join(cache, hashUrl(url)), { recursive: true });
    const fields = { title: "Hello\u0001World\uFFFE", byline: "Bob\u000BSmith", excerpt: "bell\u0007 and \u001b[31m escape" };
    await writeFile(path.join(cache, hashUrl(url), "index.html"), renderCaptureFile(fixtureMeta(url, fields), "<p>words</p>"));
    await buildSite({ cacheDir: cache, outDir: out, site: resolveSiteConfig({}), search: false });
    const feed = await readFile(path.join(out, "feed.xml"), "utf8");
    // jsdom parses application/xml with saxes, a conforming XML parser: it throws on a character XML 1.0 forbids.
    const document = new JSDOM(feed, { contentType: "application/xml" }).window.document;
    expect(document.querySelector("entry > title")?.textContent).toBe("HelloWorld");
    expect(document.querySelector("entry > author > name")?.textContent).toBe("BobSmith");
  });

  test("titles that look like numbers, booleans or null stay strings and their captures stay on the site", async () => {
    const cache = path.join(tmp, "cache-numbers");
    const titles = ["09", "008", "0o17", "+.5", "yes", "~", "null", "1e3"];
    for (const title of titles) {
      const url = `https://example.com/${encodeURIComponent(title)}`;
      await mkdir(path.join(cache, hashUrl(url)), { recursive: true });
      await writeFile(path.join(cache, hashUrl(url), "index.html"), renderCaptureFile(fixtureMeta(url, { title, byline: title }), "<p>words</p>"));
    }
    const archive = await loadArchive(cache);
    expect(archive.problems).toEqual([]);
    expect(archive.captures.map((c) => c.title).sort()).toEqual([...titles].sort());
  });
});

function fixtureMeta(url: string, fields: Record<string, unknown> = {}) {
  return {
    title: "A capture", url, hash_url: hashUrl(url), archived_at: "2026-01-01T00:00:00.000Z", final_url: url,
    status: "captured", kind: "article", content_type: "text/html", http_status: 200, word_count: 2, images: 0,
    images_failed: 0, content_sha256: "", archiver: "test", ...fields,
  }; // prettier-ignore
}
