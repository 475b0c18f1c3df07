/**
 * The near-duplicate rules and the md5 key exist twice: in the archive (src/links/near.ts, src/cache/layout.ts) and in
 * site/mirror.js, the dependency-free script blogs load. One table of cases holds both to the same answers.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hashUrl, versionStamp } from "../../src/cache/layout.ts";
import { nearKey, TRACKING_PARAMETERS, TRACKING_PREFIXES } from "../../src/links/near.ts";
import type { Capture } from "../../src/site/data.ts";
import { lookupShard, mirrorLookup } from "../../src/site/mirror-lookup.ts";

interface MirrorModule {
  nearKey(url: string): string | undefined;
  md5(text: string): string;
  shardOf(url: string): string;
  findCapture(entries: Array<{ url: string }>, written: string, resolved: string): { url: string } | undefined;
  TRACKING_PARAMETERS: string[];
  TRACKING_PREFIXES: string[];
}
const mirror = (await import(fileURLToPath(new URL("../../site/mirror.js", import.meta.url)))) as MirrorModule;

/** [a URL, one written another way, whether they are near duplicates]. */
const CASES: Array<[string, string, boolean]> = [
  ["https://example.com/post", "http://example.com/post", true],
  ["https://example.com/post", "https://www.example.com/post", true],
  ["https://example.com/post", "https://example.com/post/", true],
  ["https://example.com/post", "https://example.com/post//", true],
  ["https://example.com/", "https://example.com", true],
  ["https://example.com/post", "https://EXAMPLE.com/post", true],
  ["https://example.com/post", "https://example.com/post#comments", true],
  ["https://example.com/post", "https://example.com/post?utm_source=rss&utm_medium=feed", true],
  ["https://example.com/post", "https://example.com/post?fbclid=IwAR0abc", true],
  ["https://example.com/post", "https://example.com/post?GCLID=x&UTM_Campaign=y", true],
  ["https://example.com/post?id=3", "http://www.example.com/post/?utm_source=x&id=3#top", true],
  ["https://example.com/post", "https://example.com:443/post", true],
  ["https://café.example/a", "https://xn--caf-dma.example/a", true],
  ["https://example.com/post", "https://example.com/Post", false],
  ["https://example.com/post?id=3", "https://example.com/post?id=4", false],
  ["https://example.com/post?a=1&b=2", "https://example.com/post?b=2&a=1", false],
  ["https://example.com/post", "https://example.com:8443/post", false],
  ["https://example.com/post", "https://blog.example.com/post", false],
  ["https://wwwexample.com/post", "https://example.com/post", false],
  ["https://example.com/post?utm=1", "https://example.com/post", false],
];

describe("near-duplicate keys", () => {
  it.each(CASES)("%s and %s: near duplicates %s, in the archive and in mirror.js alike", (a, b, near) => {
    expect(nearKey(a) === nearKey(b)).toBe(near);
    expect(mirror.nearKey(a)).toBe(nearKey(a));
    expect(mirror.nearKey(b)).toBe(nearKey(b));
  });

  it("have no key for what is not an absolute http(s) URL, in either", () => {
    for (const url of ["mailto:a@example.com", "/relative", "javascript:alert(1)", "ftp://example.com/x", "not a url"]) {
      expect(nearKey(url)).toBeUndefined();
      expect(mirror.nearKey(url)).toBeUndefined();
    }
  });

  it("drop the same tracking parameters in the archive and in mirror.js", () => {
    expect(mirror.TRACKING_PARAMETERS).toEqual(TRACKING_PARAMETERS);
    expect(mirror.TRACKING_PREFIXES).toEqual(TRACKING_PREFIXES);
  });
});

describe("mirror.js", () => {
  it("computes the archive's md5 key for ASCII, any script, emoji, and lengths around the block boundaries", () => {
    const texts = ["", "a", "abc", "http://blog.circleci.com/its-the-future/", "https://例え.jp/パス?q=ü", "😀🏳️‍🌈", "\u0000\uffff"];
    for (let length = 50; length <= 130; length++) texts.push("x".repeat(length));
    for (const text of texts) expect(mirror.md5(text), JSON.stringify(text)).toBe(hashUrl(text));
    expect(mirror.md5("http://blog.circleci.com/its-the-future/")).toBe("c49c76ef1aea72cabf73a382c7900429");
  });

  it("looks a link up in the shard the build listed its capture in", () => {
    for (const [a, b] of CASES) {
      expect(mirror.shardOf(a)).toBe(lookupShard(a));
      expect(mirror.shardOf(b)).toBe(lookupShard(b));
    }
  });

  it("prefers the capture of the URL exactly as written to a near duplicate", () => {
    const entries = [{ url: "https://example.com/post" }, { url: "https://example.com/post/" }];
    expect(mirror.findCapture(entries, "https://example.com/post/", "https://example.com/post/")).toBe(entries[1]);
    expect(mirror.findCapture(entries, "https://www.example.com/post?utm_source=x", "https://www.example.com/post?utm_source=x")).toBe(entries[0]);
    expect(mirror.findCapture(entries, "https://example.com/other", "https://example.com/other")).toBeUndefined();
  });
});

describe("the mirror lookup files", () => {
  it("list every capture once, in the shard of its near-duplicate key, with its version, and every shard even when empty", () => {
    const urls = ["https://example.com/a", "https://www.example.com/a/", "https://example.org/b"];
    const captures = urls.map((url, i) => ({ url, hash_url: hashUrl(url), archived_at: `2025-0${i + 1}-02T03:04:05Z`, ...(i === 2 ? { originalStatus: "gone" } : {}) }) as Capture);
    const shards = mirrorLookup(captures);
    expect(shards.size).toBe(256);
    expect([...shards.values()].flat()).toHaveLength(3);
    const a = shards.get(lookupShard(urls[0]!))!;
    expect(a.map((e) => e.url)).toEqual([urls[0], urls[1]]);
    expect(a[0]).toEqual({ url: urls[0], hash_url: hashUrl(urls[0]!), archived_at: "2025-01-02T03:04:05Z", version: "20250102030405" });
    expect(shards.get(lookupShard(urls[2]!))!.find((e) => e.url === urls[2])).toMatchObject({ status: "gone" });
  });
});

describe("versionStamp", () => {
  it("is archived_at in UTC to the second, whatever offset it was written with", () => {
    expect(versionStamp("2025-11-20T10:00:00Z")).toBe("20251120100000");
    expect(versionStamp("2025-11-20T10:00:00.999Z")).toBe("20251120100000");
    expect(versionStamp("2025-11-20T23:30:05-02:00")).toBe("20251121013005");
    expect(() => versionStamp("yesterday")).toThrow(/not a date-time/);
  });
});
