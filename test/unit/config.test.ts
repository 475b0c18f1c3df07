import { describe, expect, it } from "vitest";
import { ARCHIVE_COMMAND, helpText, OPTIONS, resolveConfig } from "../../src/archive/config.ts";
import { envName, UsageError } from "../../src/util/options.ts";

describe("resolveConfig", () => {
  it("uses the documented defaults", () => {
    const { config } = resolveConfig([], {}, "/repo");
    expect(config).toMatchObject({
      linksFile: "/repo/links.txt",
      cacheDir: "/repo/cache",
      refresh: false,
      concurrency: 4,
      allowPrivateNetwork: false,
      shard: undefined,
      progress: "lines",
    });
    expect(config.fetch.maxRedirects).toBe(10);
    expect(config.images).toMatchObject({ maxWidth: 1600, format: "webp", maxInputPixels: 40_000_000 });
    expect(config.userAgent).toMatch(/^link-archive\/\S+ \(.*\+https:\/\/github\.com\//);
  });

  it("lets flags win over environment variables, which win over defaults", () => {
    const env = { ARCHIVE_CONCURRENCY: "3", ARCHIVE_PER_HOST: "5", ARCHIVE_REFRESH: "true" };
    const { config } = resolveConfig(["--concurrency", "7"], env, "/repo");
    expect(config.concurrency).toBe(7);
    expect(config.perHostConcurrency).toBe(5);
    expect(config.refresh).toBe(true);
  });

  it("names the archive's own repository in the User-Agent on GitHub Actions", () => {
    const { config } = resolveConfig([], { GITHUB_REPOSITORY: "alice/links" }, "/repo");
    expect(config.userAgent).toContain("+https://github.com/alice/links");
  });

  it("parses --shard I/N and refuses shards out of range", () => {
    expect(resolveConfig(["--shard", "2/4"], {}, "/").config.shard).toEqual({ index: 2, count: 4 });
    for (const bad of ["0/4", "5/4", "x", "1/0"]) {
      expect(() => resolveConfig(["--shard", bad], {}, "/")).toThrow(UsageError);
    }
  });

  it("explains a bad number with the flag, its bounds and every way to set it", () => {
    expect(() => resolveConfig(["--concurrency", "zero"], {}, "/")).toThrow(/--concurrency must be a whole number at least 1 and at most 64.*ARCHIVE_CONCURRENCY/);
    expect(() => resolveConfig([], { ARCHIVE_MAX_REDIRECTS: "-1" }, "/")).toThrow(/ARCHIVE_MAX_REDIRECTS is "-1"/);
  });

  it("rejects an unknown flag as a usage error", () => {
    expect(() => resolveConfig(["--refersh"], {}, "/")).toThrow(UsageError);
  });

  it("lists every flag in --help", () => {
    const help = helpText();
    for (const option of OPTIONS) expect(help).toContain(`--${option.flag}`);
    expect(envName(ARCHIVE_COMMAND, OPTIONS.find((o) => o.flag === "image-max-width")!)).toBe("ARCHIVE_IMAGE_MAX_WIDTH");
  });

  it("takes a setting from site.config.json's archive section, under the environment and flags", () => {
    const file = { "per-host": 5, concurrency: 6, "image-format": "avif" };
    const { config } = resolveConfig(["--concurrency", "8"], { ARCHIVE_PER_HOST: "3" }, "/repo", false, file);
    expect(config.perHostConcurrency).toBe(3);
    expect(config.concurrency).toBe(8);
    expect(config.images.format).toBe("avif");
  });

  it("names the file and the known settings for an unknown or malformed setting in it", () => {
    expect(() => resolveConfig([], {}, "/repo", false, { "per-hots": 3 })).toThrow(/site\.config\.json \("archive"\): unknown setting "per-hots"; known settings: links, cache/);
    expect(() => resolveConfig([], {}, "/repo", false, { "per-host": "many" })).toThrow(/"per-host" in site\.config\.json \("archive"\) is "many", but --per-host must be a whole number/);
  });

  it("has no hidden environment variable: every one it reads is named in --help", () => {
    const help = helpText();
    expect(help).toContain("--user-agent TEXT");
    expect(help).toContain("GITHUB_STEP_SUMMARY");
    const { config } = resolveConfig([], { ARCHIVE_USER_AGENT: "my-bot/1" }, "/repo");
    expect(config.userAgent).toBe("my-bot/1");
    // The archiver's name in front matter comes from the package, never from the User-Agent sent.
    expect(config.archiver).toMatch(/^link-archive\/\d/);
  });

  it("refuses --workers 0: a page parsed on the main thread would have no time limit", () => {
    expect(() => resolveConfig(["--workers", "0"], {}, "/repo")).toThrow(/--workers must be a whole number at least 1/);
  });
});
