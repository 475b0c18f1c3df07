/**
 * The archiver against the real web, as far as a closed network allows: all 130 pages of Readability's test suite,
 * served by a local server, archived by the real pipeline. Their images point at hosts that do not resolve here,
 * which is link rot at its worst: every capture must still be made, keep its alt text and load nothing remote.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetcherFor } from "../../src/archive/fetch/index.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { archiveLinks, type RunSummary } from "../../src/archive/run.ts";
import type { ArchiveConfig } from "../../src/archive/types.ts";
import { makeWorkspace, readCapture, type Workspace } from "../helpers/archive.ts";
import { expectedTitle, PAGES, readExpected, readSource, squash, TITLE_EXCEPTIONS } from "../helpers/readability-pages.ts";
import { scriptCapable } from "../helpers/safety.ts";
import { startServer, type TestServer } from "../helpers/server.ts";
import { verifyArchive } from "../../src/verify/archive.ts";

let server: TestServer;
let ws: Workspace;
let config: ArchiveConfig;
let summary: RunSummary;
const urlOf = (name: string) => server.url(`/pages/${name}/`);

beforeAll(async () => {
  server = await startServer();
  for (const name of PAGES) {
    const body = readSource(name);
    // The suite stores every page as UTF-8 whatever its <meta> says, so it is served as a server would serve it.
    server.route(`/pages/${name}/`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(body);
    });
  }
  ws = await makeWorkspace();
  await ws.writeLinks(PAGES.map(urlOf));
  // A generous total timeout: on a loaded machine a page's fetch can wait behind other pages' parsing, and this
  // test is about what the archiver makes of real pages, not about timeouts (bounds.test.ts is).
  config = ws.config(["--concurrency", "4", "--timeout", "60000", "--per-host", "8"]);
  // No other host resolves on this network; answering at once keeps the run about pages, not DNS waits.
  const fetcher = createFetcherFor(config, { offline: true });
  try {
    summary = await archiveLinks(config, { fetcher });
  } finally {
    await fetcher.close();
  }
}, 600_000);

afterAll(async () => {
  await server?.close();
});

describe("archiving Readability's 130 real pages", () => {
  it("stores every capture as verify wants it: sanitizing each stored body again changes nothing", async () => {
    const verdict = await verifyArchive(config.cacheDir, { decode: true });
    expect(verdict.checked).toBe(summary.captured);
    expect(verdict.failed).toEqual([]);
  });

  it("captures every page or fails it with a recorded reason", () => {
    expect(summary.total).toBe(130);
    expect(summary.captured + summary.failed).toBe(130);
    for (const failure of summary.failures) expect(failure.reason, failure.link.url).toBeTruthy();
    // None of them is expected to fail: they are all real articles.
    expect(summary.failures.map((f) => `${f.link.url}: ${f.reason}`)).toEqual([]);
  });

  it.each(PAGES)("%s: has the recorded title and byline and nothing script-capable", async (name) => {
    const { meta, html } = await readCapture(config.cacheDir, hashUrl(urlOf(name)));
    const expected = readExpected(name);
    expect(meta.title, TITLE_EXCEPTIONS[name]?.why).toBe(expectedTitle(name, urlOf(name), expected.title));
    if (expected.byline) expect(squash(meta.byline)).toBe(squash(expected.byline));
    expect(meta.url).toBe(urlOf(name));
    expect(scriptCapable(html, urlOf(name))).toEqual([]);
    // Remote images fail here (no host resolves) and keep their alt; data: images are stored. Either way, every
    // src that is left names a file in the capture folder.
    for (const [, src] of html.matchAll(/<img[^>]+src="([^"]+)"/g)) {
      expect(existsSync(path.join(config.cacheDir, meta.hash_url, src!)), src).toBe(true);
    }
    expect(meta.images_failed).toBeLessThanOrEqual(meta.images);
  });
});
