/**
 * `npm run cite` as a user runs it, against the fixture cache and its links.txt: the addresses it prints are the ones
 * the built site serves (test/e2e checks them against a real build; here, against the cache and the settings).
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hashUrl } from "../../src/cache/layout.ts";
import { runScript } from "../helpers/spawn.ts";

const CACHE = fileURLToPath(new URL("../fixtures/cache/", import.meta.url));
const LINKS = fileURLToPath(new URL("../fixtures/links.txt", import.meta.url));
const ARS = "https://arstechnica.com/security/2015/05/just-released-minecraft-exploit-makes-it-easy-to-crash-game-servers/";
const cite = (args: string[], env: Record<string, string> = {}) =>
  runScript("scripts/cite.ts", ["--cache", CACHE, "--links", LINKS, ...args], { env });

describe("npm run cite", () => {
  it("prints a captured URL's mirror, its pinned version, and Markdown and Robust Links HTML that point at it", async () => {
    const run = await cite(["--url", "https://alice.github.io", "--path-prefix", "/links/", ARS]);
    const version = `https://alice.github.io/links/${hashUrl(ARS)}/20251120100000/`;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`  mirror    https://alice.github.io/links/${hashUrl(ARS)}/\n`);
    expect(run.stdout).toContain(`  version   ${version}\n`);
    expect(run.stdout).toContain(`  markdown  [Just-released Minecraft exploit makes it easy to crash game servers](${version})`);
    expect(run.stdout).toContain(
      `  html      <a href="${version}" data-originalurl="${ARS}" data-versionurl="${version}" data-versiondate="2025-11-20T10:00:00Z">Just-released Minecraft exploit makes it easy to crash game servers</a>`,
    );
    expect(run.stdout).toContain("(links.txt:3)");
  });

  it("gives a URL not captured yet its future mirror address, names the near duplicate that is, and exits 1", async () => {
    const url = "http://www.factorio.com/blog/post/fff-282/?utm_source=feed";
    const run = await cite(["--json", url, ARS], { SITE_URL: "https://bob.example", SITE_PATH_PREFIX: "/archive/" });
    expect(run.code).toBe(1);
    const [first, second] = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    expect(first).toMatchObject({
      url,
      hash_url: hashUrl(url),
      captured: false,
      mirror: `https://bob.example/archive/${hashUrl(url)}/`,
      resembles: { line: 5, url: "https://www.factorio.com/blog/post/fff-282", captured: true },
    });
    expect(first).not.toHaveProperty("version");
    expect(second).toMatchObject({ captured: true, version: `https://bob.example/archive/${hashUrl(ARS)}/20251120100000/`, version_date: "2025-11-20T10:00:00Z" });
  });

  it("exits 2 without a URL or with one that is not http(s)", async () => {
    const none = await cite([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Give at least one URL");
    const bad = await cite(["ftp://example.com/x"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"ftp://example.com/x" is not an http(s) URL');
  });
});
