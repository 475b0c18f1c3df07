/**
 * Shared by the e2e tests: the fixture captures' URLs (their md5 is the mirror address), and a helper that builds
 * test/fixtures/cache into a temp folder under a path prefix and serves it on 127.0.0.1, port 0.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, BrowserContextOptions, Browser, Page } from "playwright-core";
import { buildSite, type BuildOptions, type BuildSummary } from "../../src/site/build.ts";
import { resolveSiteConfig, type SiteConfig } from "../../src/site/config.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { serveSite, type StaticServer } from "../../src/site/serve.ts";

export const FIXTURE_CACHE = fileURLToPath(new URL("../fixtures/cache/", import.meta.url));
/** The fixture cache's links.txt: notes and #tags for some of its captures. */
export const FIXTURE_LINKS = fileURLToPath(new URL("../fixtures/links.txt", import.meta.url));

/** Every valid capture in the fixture cache, newest first. */
export const CAPTURE_URLS = {
  ars: "https://arstechnica.com/security/2015/05/just-released-minecraft-exploit-makes-it-easy-to-crash-game-servers/",
  wikipedia: "https://en.wikipedia.org/wiki/Mozilla",
  factorio: "https://www.factorio.com/blog/post/fff-282",
  rtl: "https://example.org/rtl-test",
  templates: "https://blog.example.com/template-syntax",
  hostile: "https://evil.example/hostile",
  text: "https://www.rfc-editor.org/rfc/rfc-fixture.txt",
  pdf: "https://example.org/papers/fixture.pdf",
  image: "https://images.example.net/photo.png",
  arsAbout: "https://arstechnica.com/about-us/",
} as const;
export const BROKEN_URLS = ["https://broken.example/bad-yaml", "https://broken.example/missing-fields"];
export const hashOf = (key: keyof typeof CAPTURE_URLS): string => hashUrl(CAPTURE_URLS[key]);
/**
 * Captures per search partition in the fixture site: tiny, so its 10 captures make 4 partitions (by the first two
 * bits of hash_url) and search must merge them: "quetzalcoatlus" (templates) is in the first, "Minecraft" (ars) in
 * the third.
 */
export const FIXTURE_PARTITION_SIZE = 3;

export interface FixtureSite {
  site: SiteConfig;
  summary: BuildSummary;
  outDir: string;
  server: StaticServer;
  /** Absolute URL of a site path ("/ab12…/" → http://127.0.0.1:port/archive/ab12…/). */
  url(sitePath: string): string;
  close(): Promise<void>;
}

export async function buildFixtureSite(overrides: Partial<SiteConfig> = {}, build: Partial<BuildOptions> = {}): Promise<FixtureSite> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "site-e2e-"));
  const outDir = path.join(tmp, "_site");
  const site = resolveSiteConfig({ url: "https://owner.example", pathPrefix: "/archive/", pageSize: 4, ...overrides });
  const summary = await buildSite({ cacheDir: FIXTURE_CACHE, linksFile: FIXTURE_LINKS, outDir, site, searchPartitionSize: FIXTURE_PARTITION_SIZE, searchCacheDir: path.join(tmp, "search-cache"), ...build });
  const server = await serveSite({ root: outDir, pathPrefix: site.pathPrefix });
  return {
    site,
    summary,
    outDir,
    server,
    url: (sitePath) => server.url + sitePath.replace(/^\//, ""),
    close: async () => {
      await server.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** A page that records every request and console message, so tests can assert on both. */
export interface RecordedPage {
  page: Page;
  context: BrowserContext;
  requests: string[];
  /** Requests that got a response (blocked ones never do). */
  responses: string[];
  /** Requests that failed, with Chromium's reason (net::ERR_BLOCKED_BY_CSP for a CSP refusal). */
  failed: Array<{ url: string; error: string }>;
  console: Array<{ type: string; text: string }>;
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openRecordedPage(browser: Browser, options: BrowserContextOptions = {}): Promise<RecordedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const recorded: RecordedPage = { page, context, requests: [], responses: [], failed: [], console: [], pageErrors: [], close: () => context.close() };
  page.on("request", (request) => recorded.requests.push(request.url()));
  page.on("response", (response) => recorded.responses.push(response.url()));
  page.on("requestfailed", (request) => recorded.failed.push({ url: request.url(), error: request.failure()?.errorText ?? "" }));
  page.on("console", (message) => recorded.console.push({ type: message.type(), text: message.text() }));
  page.on("pageerror", (error) => recorded.pageErrors.push(error.message));
  return recorded;
}
