/**
 * The search index in partitions (issue 5): how captures are cut into partitions, and that a build re-indexes only
 * the partitions whose captures changed, reusing the others from the search cache. Pagefind runs, Chromium does not
 * (site.test.ts searches the merged partitions in the browser).
 */
import { existsSync, statSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildSite, type BuildSummary } from "../../src/site/build.ts";
import { resolveSiteConfig } from "../../src/site/config.ts";
import type { Capture } from "../../src/site/data.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { partitionCaptures } from "../../src/site/search-index.ts";
import { FIXTURE_CACHE, FIXTURE_PARTITION_SIZE, hashOf } from "./fixture-site.ts";

const fake = (hash: string) => ({ hash_url: hash }) as Capture;
const hashes = (n: number, salt = "") => Array.from({ length: n }, (_, i) => hashUrl(`https://example.com/${salt}${i}`));

describe("cutting captures into partitions", () => {
  test("makes a power-of-two number of partitions by hash prefix, about partitionSize captures each", () => {
    const partitions = partitionCaptures(hashes(10_000).map(fake), 1000);
    expect(partitions.map((p) => p.id)).toEqual(Array.from({ length: 16 }, (_, i) => `part-${String(i).padStart(2, "0")}`));
    for (const p of partitions) {
      expect(p.captures.length).toBeGreaterThan(500);
      expect(p.captures.length).toBeLessThan(800);
      expect(new Set(p.captures.map((c) => c.hash_url[0]))).toEqual(new Set([Number(p.id.slice(5)).toString(16)]));
    }
    expect(partitionCaptures([], 1000)).toEqual([]);
    expect(partitionCaptures(hashes(999).map(fake), 1000).map((p) => p.id)).toEqual(["part-0"]);
  });

  test("adding a capture changes exactly one partition and leaves the others as they were", () => {
    const before = partitionCaptures(hashes(5000).map(fake), 1000);
    const after = partitionCaptures([...hashes(5000), hashUrl("https://example.com/new")].map(fake), 1000);
    const changed = after.filter((p, i) => p.captures.map((c) => c.hash_url).join() !== before[i]?.captures.map((c) => c.hash_url).join());
    expect(after.map((p) => p.id)).toEqual(before.map((p) => p.id));
    expect(changed).toHaveLength(1);
  });
});

describe("rebuilding with a search cache", () => {
  let tmp: string;
  let cacheDir: string;
  let searchCacheDir: string;
  let outDir: string;
  const site = resolveSiteConfig({ pathPrefix: "/archive/" });
  const build = (): Promise<BuildSummary> => buildSite({ cacheDir, outDir, site, searchCacheDir, searchPartitionSize: FIXTURE_PARTITION_SIZE });

  /** The text Pagefind stored for one partition's pages (fragments are gzipped JSON). */
  async function indexedText(partition: string): Promise<string> {
    const dir = path.join(outDir, "pagefind", partition, "fragment");
    const texts = await Promise.all((await readdir(dir)).map(async (name) => gunzipSync(await readFile(path.join(dir, name))).toString("utf8")));
    return texts.join("\n");
  }

  async function rewriteBody(hash: string, edit: (body: string) => string): Promise<void> {
    const file = path.join(cacheDir, hash, "index.html");
    const text = await readFile(file, "utf8");
    const end = text.indexOf("\n---\n", 4) + 5;
    const body = edit(text.slice(end));
    const sha = createHash("sha256").update(body).digest("hex");
    await writeFile(file, text.slice(0, end).replace(/content_sha256: .*/, `content_sha256: ${sha}`) + body);
  }

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "search-partitions-"));
    cacheDir = path.join(tmp, "cache");
    searchCacheDir = path.join(tmp, "search-cache");
    outDir = path.join(tmp, "_site");
    await cp(FIXTURE_CACHE, cacheDir, { recursive: true });
  });

  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  test("the first build indexes every partition, and a second build of the same cache indexes none", async () => {
    const first = await build();
    expect(first).toMatchObject({ captures: 10, pagesIndexed: 10, searchPartitions: 4, searchPartitionsIndexed: 4 });
    const second = await build();
    expect(second).toMatchObject({ captures: 10, pagesIndexed: 10, searchPartitions: 4, searchPartitionsIndexed: 0 });
    // The site was emptied and rebuilt: the reused partitions were put back from the cache, all four of them.
    expect((await readdir(path.join(outDir, "pagefind"))).sort()).toEqual(["part-0", "part-1", "part-2", "part-3"]);
    expect(await indexedText("part-0")).toContain("quetzalcoatlus");
  });

  test("puts cached bundles into the site as hard links, not copies", async () => {
    const [bundle] = (await readdir(searchCacheDir)).filter((name) => name.startsWith("part-0-"));
    const cached = await stat(path.join(searchCacheDir, bundle!, "pagefind-entry.json"));
    const served = await stat(path.join(outDir, "pagefind", "part-0", "pagefind-entry.json"));
    expect(served.ino).toBe(cached.ino);
    expect(served.nlink).toBeGreaterThanOrEqual(2);
  });

  // A search cache on another file system (a tmpfs here) cannot be linked from the site: its files are copied.
  const shm = "/dev/shm";
  const otherDevice = existsSync(shm) && statSync(shm).dev !== statSync(os.tmpdir()).dev;
  test.skipIf(!otherDevice)("copies cached bundles when the cache is on another file system", async () => {
    const elsewhere = await mkdtemp(path.join(shm, "search-cache-"));
    try {
      await buildSite({ cacheDir, outDir, site, searchCacheDir: elsewhere, searchPartitionSize: FIXTURE_PARTITION_SIZE });
      const reused = await buildSite({ cacheDir, outDir, site, searchCacheDir: elsewhere, searchPartitionSize: FIXTURE_PARTITION_SIZE });
      expect(reused).toMatchObject({ pagesIndexed: 10, searchPartitionsIndexed: 0 });
      expect((await stat(path.join(outDir, "pagefind", "part-0", "pagefind-entry.json"))).nlink).toBe(1);
      expect(await indexedText("part-0")).toContain("quetzalcoatlus");
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  test("changing one capture's text re-indexes only its partition, and the new text is in the index", async () => {
    await rewriteBody(hashOf("templates"), (body) => `${body}<p>A xylophonist joined later.</p>\n`);
    const summary = await build();
    expect(summary).toMatchObject({ captures: 10, pagesIndexed: 10, searchPartitionsIndexed: 1 });
    expect(await indexedText("part-0")).toContain("xylophonist");
    expect(await indexedText("part-2")).not.toContain("xylophonist");
  });

  test("adding a capture re-indexes one partition, and the cache keeps only the current partitions", async () => {
    const url = "https://example.org/added-later";
    await cp(path.join(cacheDir, hashOf("rtl")), path.join(cacheDir, hashUrl(url)), { recursive: true });
    const file = path.join(cacheDir, hashUrl(url), "index.html");
    await writeFile(file, (await readFile(file, "utf8")).replace(/^url: .*$/m, `url: ${url}`).replace(/^hash_url: .*$/m, `hash_url: ${hashUrl(url)}`));
    const summary = await build();
    expect(summary).toMatchObject({ captures: 11, pagesIndexed: 11, searchPartitions: 4, searchPartitionsIndexed: 1 });
    expect(await readdir(searchCacheDir)).toHaveLength(4);
  });
});
