/**
 * The commands as a user runs them: each --help (and the README's copy of it), and the exit codes of archive and check.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace } from "../helpers/archive.ts";
import { html, startServer, type TestServer } from "../helpers/server.ts";
import { ROOT, runScript } from "../helpers/spawn.ts";
import { COMMANDS } from "../../tools/readme-help.ts";


const archive = (args: string[]) => runScript("scripts/archive.ts", args);

let server: TestServer;
beforeAll(async () => {
  const paragraph = "<p>An article with enough words to be an article, and commas, and sentences that go on.</p>";
  server = await startServer({ "/ok": html(`<html><head><title>OK</title></head><body><article>${paragraph.repeat(6)}</article></body></html>`) });
});
afterAll(async () => {
  await server?.close();
});

describe("every command", () => {
  it("prints --help exactly as the README shows it", async () => {
    const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
    const runs = await Promise.all(COMMANDS.map(([script]) => runScript(script, ["--help"])));
    COMMANDS.forEach(([script, shown], index) => {
      const { code, stdout, stderr } = runs[index]!;
      expect(code, `${script}: ${stderr}`).toBe(0);
      const start = readme.indexOf(`\`${shown}\``);
      expect(start, `README.md shows \`${shown}\``).toBeGreaterThan(-1);
      const block = /```text\n([\s\S]*?)\n```/.exec(readme.slice(start));
      expect(block?.[1], `the README's copy of ${shown}`).toBe(stdout.trimEnd());
    });
  });
});

describe("npm run archive", () => {
  it("exits 2 with the flag named on a usage error, and on a missing links file", async () => {
    const bad = await archive(["--concurrency", "lots"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--concurrency");
    const missing = await archive(["--links", "/nonexistent/links.txt"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("/nonexistent/links.txt");
  });

  it("exits 1 naming the failed link, then 0 once every link is captured or cached", async () => {
    const ws = await makeWorkspace();
    await ws.writeLinks([server.url("/ok"), server.url("/missing")]);
    const first = await archive(ws.flags());
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(`links.txt:2: ${server.url("/missing")}`);
    expect(first.stdout).toMatch(/1 captured, 0 unchanged, 0 already cached, 1 failed/);
    await ws.writeLinks([server.url("/ok")]);
    const second = await archive(ws.flags());
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/0 captured, 0 unchanged, 1 already cached, 0 failed/);
  });
});

describe("npm run check", () => {
  const check = (args: string[]) => runScript("scripts/check.ts", args);

  it("exits 2 naming the flag on a usage error: a slice past the last, or a missing links file", async () => {
    const past = await check(["--slices", "2", "--slice", "3"]);
    expect(past.code).toBe(2);
    expect(past.stderr).toContain("--slice 3 is past the last of 2 slices");
    const missing = await check(["--links", "/nonexistent/links.txt"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("/nonexistent/links.txt");
  });

  it("exits 0 with a summary, prints a line for each status that changed, and writes the summary JSON", async () => {
    const ws = await makeWorkspace();
    await ws.writeLinks([server.url("/ok")]);
    expect((await archive(ws.flags())).code).toBe(0);
    const summaryFile = path.join(ws.dir, "check.json");
    const flags = ["--links", ws.linksFile, "--cache", ws.cacheDir, "--allow-private-network", "--retries", "0", "--summary", summaryFile];
    const first = await check(flags);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${server.url("/ok")} (links.txt:1): unknown → alive: it answers with the words the capture keeps`);
    expect(first.stdout).toMatch(/Checked 1 of 1 captured links \(slice 1 of 1\): 1 alive, 0 changed, 0 moved, 0 gone, 0 unreachable\./);
    const second = await check(flags);
    expect(second.stdout).not.toContain("→");
    expect(JSON.parse(await readFile(summaryFile, "utf8"))).toMatchObject({ checked: 1, written: 0, changes: [], counts: { alive: 1 } });
  });
});
