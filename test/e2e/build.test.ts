/**
 * The build without a browser: the root path prefix, environment overrides, the noindex switch, and what the loader
 * refuses. Fast: no Pagefind, no Chromium.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildSite, type BuildSummary } from "../../src/site/build.ts";
import { resolveSiteConfig, SiteConfigError } from "../../src/site/config.ts";
import { loadArchive } from "../../src/site/data.ts";
import { hashUrl } from "../../src/archive/links.ts";
import { FIXTURE_CACHE, hashOf } from "./fixture-site.ts";

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
});
