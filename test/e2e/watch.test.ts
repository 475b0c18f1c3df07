/**
 * The link watch and versions, end to end: a local web archived (one dead link taken from a local fake of the
 * Wayback Machine), changed a week later and checked (one page edited, one dead, one moved), built into a site and
 * driven with Debian's Chromium: statuses on pages and lists, the gone page, every version's page, the change page, the
 * TimeMap and archive.json, with the CSP, axe and no-request-leaves checks every page gets.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { JSDOM } from "jsdom";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { resolveCheckConfig } from "../../src/archive/check/config.ts";
import { checkLinks } from "../../src/archive/check/run.ts";
import { archiveLinks } from "../../src/archive/run.ts";
import { hashUrl, versionStamp } from "../../src/cache/layout.ts";
import { buildSite } from "../../src/site/build.ts";
import { resolveSiteConfig } from "../../src/site/config.ts";
import { lookupShard } from "../../src/site/mirror-lookup.ts";
import { serveSite, type StaticServer } from "../../src/site/serve.ts";
import { launchBrowser } from "../../tools/chromium.ts";
import { makeWorkspace, readCapture, type Workspace } from "../helpers/archive.ts";
import { html, startServer, type Handler, type TestServer } from "../helpers/server.ts";
import { openRecordedPage } from "./fixture-site.ts";
import { seriousViolations } from "./axe.ts";

const PAGE = (title: string, animal = "fox") => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><article><h1>${title}</h1>
<p>The ${title.toLowerCase()} is a long article about walking in the hills, with enough words that Readability takes it as the main content.</p>
<p>On the second day the path climbed through a beech wood, and a ${animal} crossed it in the early light, unhurried, before the rain.</p>
<p>A third paragraph, because real articles are long, and Readability scores paragraphs by their length and their commas, like this.</p>
</article></body></html>`;
const STAMP = "20230301101500";

let web: TestServer;
let fakeArchive: TestServer;
let site: StaticServer;
let browser: Browser;
let ws: Workspace;
let tmp: string;
let outDir: string;
const routes = new Map<string, Handler>();
const u = { edited: "", dies: "", moved: "", dead: "" };
let firstAt = "";
let checkedAt = "";

beforeAll(async () => {
  web = await startServer();
  fakeArchive = await startServer({}, { host: "127.0.0.2" });
  for (const key of Object.keys(u) as Array<keyof typeof u>) u[key] = web.url(`/${key}`);
  for (const p of ["/edited", "/dies", "/moved", "/new-home"]) web.route(p, (req, res) => (routes.get(p) ?? html("<p>404</p>"))(req, res));
  routes.set("/edited", html(PAGE("Edited walk")));
  routes.set("/dies", html(PAGE("Last walk")));
  routes.set("/moved", html(PAGE("Moving walk")));
  routes.set("/new-home", html(PAGE("Moving walk")));
  fakeArchive.route("/wayback/available", (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ archived_snapshots: { closest: { available: true, timestamp: STAMP, status: "200" } } }));
  });
  fakeArchive.route(`/web/${STAMP}id_/${u.dead}`, html(PAGE("Forgotten walk")));

  ws = await makeWorkspace();
  await ws.writeLinks(Object.values(u));
  let clock = Date.parse("2026-04-01T08:00:00Z");
  const now = () => new Date(clock);
  firstAt = now().toISOString();
  await archiveLinks(ws.config(["--wayback-fallback", "--wayback-api", fakeArchive.url("/wayback/available"), "--wayback-replay", fakeArchive.url("/web")]), { now });

  // A week later the web has changed.
  clock += 7 * 24 * 3600 * 1000;
  checkedAt = now().toISOString();
  routes.set("/edited", html(PAGE("Edited walk", "badger")));
  routes.set("/dies", (_req, res) => {
    res.writeHead(404, { "content-type": "text/html" });
    res.end("<p>gone</p>");
  });
  routes.set("/moved", (_req, res) => {
    res.writeHead(301, { location: "/new-home" });
    res.end();
  });
  const { config } = resolveCheckConfig(["--links", ws.linksFile, "--cache", ws.cacheDir, "--allow-private-network", "--retries", "0", "--progress", "quiet"], {}, ws.dir);
  await checkLinks(config, { now });

  tmp = await mkdtemp(path.join(os.tmpdir(), "watch-e2e-"));
  outDir = path.join(tmp, "_site");
  site = await serveSite({ root: outDir, pathPrefix: "/archive/" });
  const origin = site.url.replace(/\/archive\/$/, "");
  await buildSite({ cacheDir: ws.cacheDir, linksFile: ws.linksFile, outDir, site: resolveSiteConfig({ url: origin, pathPrefix: "/archive/" }), searchCacheDir: path.join(tmp, "search") });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([web?.close(), fakeArchive?.close(), site?.close()]);
  if (tmp) await rm(tmp, { recursive: true, force: true });
  if (ws) await rm(ws.dir, { recursive: true, force: true });
});

const at = (sitePath: string) => site.url + sitePath.replace(/^\//, "");
const isLocal = (url: string) => url.startsWith(site.url.replace(/\/archive\/$/, "/"));
const stampOf = (iso: string) => versionStamp(iso);
const pages = () => {
  const edited = hashUrl(u.edited);
  return ["/", "/gone/", `/${hashUrl(u.dies)}/`, `/${edited}/`, `/${edited}/${stampOf(firstAt)}/`, `/${edited}/changes/${stampOf(checkedAt)}/`, `/${hashUrl(u.dead)}/`];
};

describe("statuses", () => {
  test("a capture page says its original is gone, and since when, and the index and the gone page list it", async () => {
    const { page, close } = await openRecordedPage(browser);
    await page.goto(at(`/${hashUrl(u.dies)}/`));
    const status = await page.textContent(".original-status");
    const notice = await page.textContent(".notice-gone");
    await page.goto(at("/"));
    const listed = await page.$$eval(".capture-item", (items) => items.map((li) => li.textContent?.replace(/\s+/g, " ") ?? ""));
    await page.goto(at("/gone/"));
    const rows = await page.$$eval("table.gone tbody tr", (trs) => trs.map((tr) => [tr.getAttribute("data-status"), tr.querySelector("a")?.getAttribute("href")]));
    await close();
    expect(status).toBe("original gone since 8 April 2026");
    expect(notice).toContain("the server answered HTTP 404 (the page is gone)");
    expect(listed.find((text) => text.includes("Last walk"))).toContain("original gone since 8 April 2026");
    expect(listed.find((text) => text.includes("Moving walk"))).toContain("original moved on 8 April 2026");
    expect(rows.sort()).toEqual([
      ["gone", `/archive/${hashUrl(u.dies)}/`],
      ["gone", `/archive/${hashUrl(u.dead)}/`],
      ["moved", `/archive/${hashUrl(u.moved)}/`],
    ].sort());
  });

  test("archive.json and mirror.js's lookup files carry each link's status", async () => {
    const json = (await fetch(at("/archive.json")).then((r) => r.json())) as { captures: Array<Record<string, unknown>> };
    const byUrl = new Map(json.captures.map((c) => [c.url, c]));
    expect(byUrl.get(u.dies)).toMatchObject({ status: "gone", status_since: checkedAt });
    expect(byUrl.get(u.moved)).toMatchObject({ status: "moved", moved_to: web.url("/new-home") });
    expect(byUrl.get(u.edited)).toMatchObject({ status: "alive" });
    expect(byUrl.get(u.dead)).toMatchObject({ status: "gone", source: "internet-archive" });
    const lookup = (await fetch(at(`/mirror/${lookupShard(u.dies)}.json`)).then((r) => r.json())) as { captures: Array<{ url: string; status?: string }> };
    expect(lookup.captures.find((c) => c.url === u.dies)).toMatchObject({ status: "gone" });
  });

  test("a capture taken from the Internet Archive says so on its page and links the snapshot", async () => {
    const { page, close } = await openRecordedPage(browser);
    await page.goto(at(`/${hashUrl(u.dead)}/`));
    const note = (await page.textContent(".notice-source"))?.replace(/\s+/g, " ");
    const link = await page.getAttribute(".notice-source a", "href");
    await close();
    expect(note).toContain("taken from the Internet Archive’s snapshot of 1 March 2023");
    expect(link).toBe(`${fakeArchive.url("/web")}/${STAMP}/${u.dead}`);
    expect((await readCapture(ws.cacheDir, hashUrl(u.dead))).meta.source).toBe("internet-archive");
  });
});

describe("versions", () => {
  test("the current page lists both versions, and the earlier one keeps its own address and its own words", async () => {
    const hash = hashUrl(u.edited);
    const { page, close } = await openRecordedPage(browser);
    await page.goto(at(`/${hash}/`));
    const current = await page.textContent(".capture-body");
    const listed = await page.$$eval(".version-list li", (lis) => lis.map((li) => li.textContent?.replace(/\s+/g, " ").trim()));
    const earlierHref = await page.getAttribute(".version-list a", "href");
    await page.goto(at(earlierHref!.replace(/^\/archive/, "")));
    const earlier = await page.textContent(".capture-body");
    const note = await page.textContent(".notice-version");
    await close();
    expect(current).toContain("a badger crossed it");
    expect(listed).toEqual(["1 April 2026 · what changed next", "8 April 2026 (latest, this page)"]);
    expect(earlierHref).toBe(`/archive/${hash}/${stampOf(firstAt)}/`);
    expect(earlier).toContain("a fox crossed it");
    expect(earlier).not.toContain("badger");
    expect(note).toContain("This is an earlier version of this page, taken on 1 April 2026");
  });

  test("the change page shows exactly the words removed and added, marked in text, and says how many", async () => {
    const hash = hashUrl(u.edited);
    const { page, close } = await openRecordedPage(browser, { viewport: { width: 375, height: 800 } });
    await page.goto(at(`/${hash}/changes/${stampOf(checkedAt)}/`));
    const summary = await page.textContent("[data-testid=diff-summary]");
    const removed = await page.$$eval(".change-body del", (els) => els.map((e) => e.textContent));
    const added = await page.$$eval(".change-body ins", (els) => els.map((e) => e.textContent));
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    await close();
    expect(summary).toBe("1 word added, 1 word removed.");
    // The marker and the hidden label are text: the change reads without colour, and aloud.
    expect(removed).toEqual(["[−removed: fox]"]);
    expect(added).toEqual(["[+added: badger]"]);
    expect(scroll).toBeLessThanOrEqual(client);
  });

  test("the TimeMap lists the original and both versions with their datetimes, each address serving its page", async () => {
    const hash = hashUrl(u.edited);
    const response = await fetch(at(`/${hash}/timemap.link`));
    const text = await response.text();
    expect(response.headers.get("content-type")).toBe("application/link-format");
    const origin = site.url.replace(/\/$/, "");
    expect(text.trim().split(",\n")).toEqual([
      `<${u.edited}>; rel="original"`,
      `<${origin}/${hash}/timemap.link>; rel="self"; type="application/link-format"; from="Wed, 01 Apr 2026 08:00:00 GMT"; until="Wed, 08 Apr 2026 08:00:00 GMT"`,
      `<${origin}/${hash}/${stampOf(firstAt)}/>; rel="first memento"; datetime="Wed, 01 Apr 2026 08:00:00 GMT"`,
      `<${origin}/${hash}/${stampOf(checkedAt)}/>; rel="last memento"; datetime="Wed, 08 Apr 2026 08:00:00 GMT"`,
    ]);
    for (const m of text.matchAll(/<(http[^>]+\/\d{14}\/)>/g)) expect((await fetch(m[1]!)).status).toBe(200);
  });
});

describe("safety", () => {
  test("the new pages start with the CSP meta tag, load nothing from elsewhere and run nothing", async () => {
    const recorded = await openRecordedPage(browser);
    for (const sitePath of pages()) {
      await recorded.page.goto(at(sitePath));
      const { document } = new JSDOM(await recorded.page.content()).window;
      const csp = document.head.firstElementChild;
      expect(csp?.getAttribute("http-equiv"), sitePath).toBe("Content-Security-Policy");
      expect(csp?.getAttribute("content"), sitePath).toContain("script-src 'none'");
    }
    await recorded.close();
    expect(recorded.pageErrors).toEqual([]);
    expect(recorded.console.filter((m) => m.type === "error")).toEqual([]);
    expect(recorded.requests.filter((url) => !isLocal(url))).toEqual([]);
  });

  test("the status, version, change and gone pages have no serious or critical axe-core violations, light and dark", async () => {
    const found: string[] = [];
    for (const colorScheme of ["light", "dark"] as const) {
      const recorded = await openRecordedPage(browser, { bypassCSP: true, colorScheme });
      for (const sitePath of pages()) {
        await recorded.page.goto(at(sitePath));
        const violations = await seriousViolations(recorded.page);
        found.push(...violations.map((v) => `${colorScheme} ${sitePath}: ${v}`));
      }
      await recorded.close();
    }
    expect(found).toEqual([]);
  });

  test("the version and change pages are built from files the build wrote, not from the raw capture", async () => {
    const hash = hashUrl(u.edited);
    const page = await readFile(path.join(outDir, hash, stampOf(firstAt), "index.html"), "utf8");
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page).not.toContain("content_sha256");
  });
});
