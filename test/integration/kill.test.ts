/**
 * A run killed at any moment leaves, for every link, the old capture or the new one — never half of one — and the
 * next run finishes the job without tripping on what was left.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashUrl } from "../../src/cache/layout.ts";
import { makeWorkspace, readCapture } from "../helpers/archive.ts";
import { startServer, type TestServer } from "../helpers/server.ts";
import { runScript } from "../helpers/spawn.ts";

const PAGES = 16;

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
  for (let i = 0; i < PAGES; i++) {
    const image = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: i * 15, g: 80, b: 120 } } }).png().toBuffer();
    server.route(`/img/${i}.png`, async (_req, res) => {
      await new Promise((r) => setTimeout(r, 40));
      res.writeHead(200, { "content-type": "image/png" });
      res.end(image);
    });
    server.route(`/page/${i}`, async (_req, res) => {
      await new Promise((r) => setTimeout(r, 60));
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><html><head><title>Page ${i}</title></head><body><article><h1>Page ${i}</h1>
        <p>${"Words that make this paragraph long enough to be the article, with commas, and more. ".repeat(8)}</p>
        <img src="/img/${i}.png" alt="Picture ${i}"><img src="/img/${(i + 1) % PAGES}.png" alt="Next picture">
        <p>${"A second paragraph keeps Readability confident that this is the content. ".repeat(6)}</p></article></body></html>`);
    });
  }
});

afterAll(async () => {
  await server?.close();
});

const runArchive = (flags: string[], killWhen?: () => boolean) => runScript("scripts/archive.ts", flags, { killWhen });

async function expectOnlyWholeCaptures(cacheDir: string): Promise<number> {
  let whole = 0;
  for (const name of await readdir(cacheDir)) {
    if (!/^[0-9a-f]{32}$/.test(name)) continue;
    // A folder under its final name must be a complete capture: front matter, body, and every image it names.
    const { meta, html } = await readCapture(cacheDir, name);
    expect(meta.hash_url).toBe(name);
    // The body is whole when it hashes to what the archiver recorded (the file adds one final newline).
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    expect([sha(html), sha(html.replace(/\n$/, ""))]).toContain(meta.content_sha256);
    for (const [, src] of html.matchAll(/src="([^"]+)"/g)) expect(existsSync(path.join(cacheDir, name, src!))).toBe(true);
    whole += 1;
  }
  return whole;
}

describe("a run killed mid-way", () => {
  it("leaves only whole captures, and the next run completes them with no temp files left", async () => {
    const ws = await makeWorkspace();
    const urls = Array.from({ length: PAGES }, (_, i) => server.url(`/page/${i}`));
    await ws.writeLinks(urls);
    const flags = ws.flags(["--concurrency", "3"]);

    // Kill as soon as a few requests have been served: work folders are then half-written.
    const before = server.requests.length;
    const killed = await runArchive(flags, () => server.requests.length - before >= 10);
    expect(killed.signal).toBe("SIGKILL");
    const partial = await expectOnlyWholeCaptures(ws.cacheDir);
    expect(partial).toBeLessThan(PAGES);

    // A refresh killed while it replaces captures must leave each one old or new, never missing.
    const rerun = await runArchive(flags);
    expect(rerun.code, rerun.output).toBe(0);
    expect(await expectOnlyWholeCaptures(ws.cacheDir)).toBe(PAGES);
    const mark = server.requests.length;
    const killedRefresh = await runArchive([...flags, "--refresh"], () => server.requests.length - mark >= 14);
    expect(killedRefresh.signal).toBe("SIGKILL");
    await runArchive([...flags, "--progress", "quiet"], () => false);
    expect(await expectOnlyWholeCaptures(ws.cacheDir)).toBe(PAGES);
    const left = (await readdir(ws.cacheDir)).filter((n) => n.startsWith("."));
    expect(left).toEqual([]);
    for (const url of urls) expect((await readCapture(ws.cacheDir, hashUrl(url))).meta.url).toBe(url);
  });
});
