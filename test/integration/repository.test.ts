/**
 * The repository stands on its own and its imports point one way. A clone has nothing beside it, so no tracked file may
 * refer to the folder of fixtures that exists only beside this repository's own CI; and the library (src/) never
 * imports the commands, the developer tools or the tests, each part of it only what is below it (util < cache < links
 * < archive, site < ci, import < cli), and the parse workers never reach sharp (they plan images; the main thread encodes them).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
const sources = tracked.filter((file) => /\.(ts|mts|js|mjs)$/.test(file) && !file.startsWith("test/fixtures/"));

/** Relative module specifiers a file imports (static, dynamic, side-effect, and worker URLs), as repository paths. */
function importsOf(file: string): { relative: string[]; packages: string[] } {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const relative: string[] = [];
  const packages: string[] = [];
  const patterns = [/\bfrom\s+["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, /^\s*import\s+["']([^"']+)["']/gm, /new\s+URL\(\s*["'](\.[^"']+\.ts)["']\s*,\s*import\.meta\.url/g];
  for (const pattern of patterns) {
    for (const [, specifier] of text.matchAll(pattern)) {
      if (specifier!.startsWith(".")) relative.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier!)));
      else packages.push(specifier!);
    }
  }
  return { relative, packages };
}

/** What each part of src/ may import, besides itself (and node: and npm packages). */
const MAY_IMPORT: Record<string, string[]> = {
  "src/util/": [],
  "src/types/": [],
  "src/cache/": ["src/util/"],
  // links.txt: its line grammar (URL, note, tags) and the near-duplicate rules, read by the archiver and the site.
  "src/links/": ["src/util/", "src/cache/"],
  "src/archive/": ["src/util/", "src/cache/", "src/links/"],
  "src/site/": ["src/util/", "src/cache/", "src/links/"],
  "src/ci/": ["src/util/", "src/cache/", "src/links/", "src/archive/"],
  "src/verify/": ["src/util/", "src/cache/", "src/links/", "src/archive/"],
  // The importer reads exports and feeds, and fetches feeds and sitemaps through the archiver's guarded fetcher.
  "src/import/": ["src/util/", "src/cache/", "src/links/", "src/archive/"],
  // The commands: one options table and one main each, over everything below.
  "src/cli/": ["src/util/", "src/cache/", "src/links/", "src/archive/", "src/site/", "src/ci/", "src/import/", "src/verify/"],
};

describe("the repository", () => {
  it("has no tracked file that refers to the fixtures folder beside it, which a clone does not have", () => {
    const outside = `..${"/"}shared`;
    const offenders = tracked.filter((file) => !/\.(gz|png|webp|avif|jpg|pdf|ico)$/.test(file) && readFileSync(path.join(ROOT, file), "latin1").includes(outside));
    expect(offenders).toEqual([]);
  });

  it("has every module of src/ import only from below it, never scripts/, tools/ or test/", () => {
    const problems: string[] = [];
    for (const file of sources.filter((f) => f.startsWith("src/"))) {
      const part = Object.keys(MAY_IMPORT).find((prefix) => file.startsWith(prefix));
      if (!part) {
        problems.push(`${file} is in no known part of src/`);
        continue;
      }
      for (const target of importsOf(file).relative) {
        if (target.startsWith(part)) continue;
        if (!MAY_IMPORT[part]!.some((allowed) => target.startsWith(allowed))) problems.push(`${file} imports ${target}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("has the commands and tools import the library, never the tests (and commands never the tools)", () => {
    const problems: string[] = [];
    for (const file of sources.filter((f) => f.startsWith("scripts/") || f.startsWith("tools/") || !f.includes("/"))) {
      for (const target of importsOf(file).relative) {
        if (target.startsWith("test/") || (file.startsWith("scripts/") && target.startsWith("tools/"))) problems.push(`${file} imports ${target}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("has every module of src/ and scripts/ load on Node's own type stripping, without tsx (the parse workers and CI's commit job run so)", () => {
    // The parse worker runs only as a worker (the pool tests load it, on Node's stripping, without tsx).
    const modules = sources.filter((f) => (f.startsWith("src/") || f.startsWith("scripts/")) && f.endsWith(".ts") && !f.endsWith(".d.ts") && f !== "src/archive/parse/worker.ts");
    const program = `for (const m of ${JSON.stringify(modules)}) await import("./" + m);`;
    // process.execPath is the Node the tests run on (24, from the node devDependency), which strips types itself.
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", program], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(output).toBe("");
  }, 60_000);

  it("keeps sharp out of everything the parse workers load", () => {
    const seen = new Set<string>();
    const queue = ["src/archive/parse/worker.ts"];
    const reachesSharp: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const { relative, packages } = importsOf(file);
      if (packages.some((name) => name === "sharp" || name.startsWith("sharp/"))) reachesSharp.push(file);
      queue.push(...relative.filter((target) => target.endsWith(".ts")));
    }
    expect(seen.size).toBeGreaterThan(5);
    expect(seen).not.toContain("src/archive/images/encode.ts");
    expect(reachesSharp).toEqual([]);
  });
});
