/**
 * Messy real captures, as a reader with a screen reader or a keyboard meets them. Axe once found serious violations on
 * the article pages of a site built from real benchmark pages: links left empty when their image was dropped
 * (link-name) and wide tables that scroll but cannot be reached by keyboard (scrollable-region-focusable). Here the
 * 91 pages of the extraction benchmark and Readability's 130 test pages are archived by the real pipeline from a
 * local server (their image hosts do not resolve, as in an old article), built into a site, and every mirror page is
 * checked with axe-core in Chromium: no serious or critical violation.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createFetcherFor } from "../../src/archive/fetch/index.ts";
import { archiveLinks, type RunSummary } from "../../src/archive/run.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { buildSite } from "../../src/site/build.ts";
import { resolveSiteConfig } from "../../src/site/config.ts";
import { serveSite, type StaticServer } from "../../src/site/serve.ts";
import { benchmarkIds, pageGzip } from "../../tools/bench/benchmark-files.ts";
import { launchBrowser } from "../../tools/chromium.ts";
import { makeWorkspace, type Workspace } from "../helpers/archive.ts";
import { PAGES, readSource } from "../helpers/readability-pages.ts";
import { startServer, type TestServer } from "../helpers/server.ts";
import { AXE_SCRIPT, seriousViolations } from "./axe.ts";
import { openRecordedPage } from "./fixture-site.ts";

let server: TestServer;
let ws: Workspace;
let summary: RunSummary;
let siteServer: StaticServer;
let browser: Browser;
let tmp: string;
const urls: string[] = [];

beforeAll(async () => {
  server = await startServer();
  for (const id of benchmarkIds()) {
    const body = gunzipSync(pageGzip(id));
    server.route(`/benchmark/${id}/`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(body);
    });
    urls.push(server.url(`/benchmark/${id}/`));
  }
  for (const name of PAGES) {
    const body = readSource(name);
    server.route(`/readability/${name}/`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(body);
    });
    urls.push(server.url(`/readability/${name}/`));
  }
  ws = await makeWorkspace();
  await ws.writeLinks(urls);
  // Generous timeouts: this test is about what the pages become, not about a loaded machine's fetch times.
  const config = ws.config(["--concurrency", "4", "--timeout", "60000", "--per-host", "8"]);
  const fetcher = createFetcherFor(config, { offline: true });
  try {
    summary = await archiveLinks(config, { fetcher });
  } finally {
    await fetcher.close();
  }
  tmp = await mkdtemp(path.join(os.tmpdir(), "a11y-site-"));
  const site = resolveSiteConfig({ url: "https://owner.example", pathPrefix: "/archive/" });
  await buildSite({ cacheDir: ws.cacheDir, linksFile: ws.linksFile, outDir: path.join(tmp, "_site"), site, search: false });
  siteServer = await serveSite({ root: path.join(tmp, "_site"), pathPrefix: site.pathPrefix });
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await siteServer?.close();
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  if (ws) await rm(ws.dir, { recursive: true, force: true });
});

describe("the mirror pages of 221 real captures", () => {
  test("every page is captured", () => {
    expect(summary.total).toBe(urls.length);
    expect(summary.failures.map((f) => `${f.link.url}: ${f.reason}`)).toEqual([]);
  });

  test("none has a serious or critical axe-core violation", async () => {
    const found: string[] = [];
    let checked = 0;
    // Two pages at a time; axe itself is injected before each page's own scripts (there are none), and only the
    // axe run bypasses the CSP, which rightly refuses an injected script.
    const check = async (share: string[]) => {
      const recorded = await openRecordedPage(browser, { bypassCSP: true });
      await recorded.context.addInitScript({ path: AXE_SCRIPT });
      for (const url of share) {
        const response = await recorded.page.goto(`${siteServer.url}${hashUrl(url)}/`);
        expect(response?.status(), url).toBe(200);
        // Contrast is the site's own CSS (captures carry no style), checked light and dark in site.test.ts; here it
        // would cost most of the time for nothing new.
        const violations = await seriousViolations(recorded.page, { skipRules: ["color-contrast"] });
        found.push(...violations.map((v) => `${url}: ${v}`));
        checked += 1;
      }
      await recorded.close();
    };
    await Promise.all([check(urls.filter((_, i) => i % 2 === 0)), check(urls.filter((_, i) => i % 2 === 1))]);
    expect(checked).toBe(221);
    expect(found).toEqual([]);
  }, 600_000);
});
