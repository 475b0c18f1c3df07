/**
 * The link watch against a real node:http server that plays a web changing over time: pages edited, dying (404, then
 * a host name that stops resolving, through the fetcher's lookup seam), answering "not found" or a parked domain with
 * 200, moving for good, timing out once, and answering 304 to the validators their capture stored.
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import type http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveCheckConfig } from "../../src/archive/check/config.ts";
import { checkLinks, type CheckSummary } from "../../src/archive/check/run.ts";
import { createFetcher } from "../../src/archive/fetch/index.ts";
import { archiveLinks } from "../../src/archive/run.ts";
import type { Fetcher } from "../../src/archive/types.ts";
import { captureBodyOf } from "../../src/cache/capture-file.ts";
import { captureTokens } from "../../src/cache/capture-text.ts";
import { diffTokens } from "../../src/cache/changes.ts";
import { hashUrl, statusFile } from "../../src/cache/layout.ts";
import { readCheckLog, readStatus } from "../../src/cache/status.ts";
import { makeWorkspace, readCapture, type Workspace } from "../helpers/archive.ts";
import { startServer, type Handler, type TestServer } from "../helpers/server.ts";

const PARAGRAPHS = (subject: string, animal = "fox") => `
<p>The ${subject} is a long article about walking in the hills, with enough words that Readability takes it as the page's main content.</p>
<p>On the second day the path climbed through a beech wood, and a ${animal} crossed it in the early light, unhurried, before the rain.</p>
<p>A third paragraph, because real articles are long, and Readability scores paragraphs by their length and their commas, like this, and this.</p>
<p>Last, a note on maps: the old survey sheets still show the drove roads, the wells and the sheepfolds that the newer ones leave out.</p>`;
const PAGE = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><nav><a href="/">Home</a></nav><article><h1>${title}</h1>${body}</article></body></html>`;

/** The web's state: what each path answers now. Tests change it between checks. */
const web = new Map<string, Handler>();
const seen: Array<{ path: string; headers: http.IncomingHttpHeaders }> = [];
const dead = new Set<string>();
let server: TestServer;
let ws: Workspace;
let fetcher: Fetcher;
let clock = Date.parse("2026-05-01T09:00:00Z");
const now = () => new Date(clock);
const days = (n: number) => (clock += n * 24 * 60 * 60 * 1000);

const ok = (html: string, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...headers });
  res.end(html);
};
const status = (code: number, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(code, { "content-type": "text/html", ...headers });
  res.end(`<p>${code}</p>`);
};

/** Links on named hosts, so one can stop resolving: every name resolves to 127.0.0.1 until it is declared dead. */
const url = (host: string, p: string) => `http://${host}.test:${server.port}${p}`;
const PLACES = {
  edited: ["blog", "/edited"],
  cached: ["blog", "/cached"],
  dies: ["dying", "/dies"],
  soft: ["blog", "/soft"],
  front: ["blog", "/front"],
  parked: ["parked", "/article"],
  moved: ["blog", "/moved"],
  flaky: ["flaky", "/flaky"],
  down: ["down", "/down"],
} as const;
/** Known once the server has its port. */
let LINKS: Record<keyof typeof PLACES, string>;
const hashOf = (key: keyof typeof PLACES) => hashUrl(LINKS[key]);

async function check(extra: string[] = []): Promise<CheckSummary> {
  const { config } = resolveCheckConfig(["--links", ws.linksFile, "--cache", ws.cacheDir, "--allow-private-network", "--retries", "0", "--headers-timeout", "400", "--timeout", "3000", "--progress", "quiet", ...extra], {}, ws.dir);
  return checkLinks(config, { fetcher, now });
}
const report = (summary: CheckSummary, key: keyof typeof PLACES) => summary.reports.find((r) => r.link.url === LINKS[key])!;

beforeAll(async () => {
  server = await startServer();
  LINKS = Object.fromEntries(Object.entries(PLACES).map(([key, [host, p]]) => [key, url(host, p)])) as typeof LINKS;
  server.route("/", ok(PAGE("Front page", "<p>Welcome to the front page of this site, where the latest posts are listed.</p>")));
  for (const p of ["/edited", "/cached", "/dies", "/soft", "/front", "/article", "/moved", "/new-address", "/flaky", "/down"]) {
    server.route(p, (req, res) => {
      seen.push({ path: p, headers: req.headers });
      const handler = web.get(`${req.headers.host?.split(":")[0]}${p}`) ?? web.get(p);
      if (handler) handler(req, res);
      else status(404)(req, res);
    });
  }
  web.set("/edited", ok(PAGE("Edited", PARAGRAPHS("first walk"))));
  web.set("/cached", (req, res) => {
    if (req.headers["if-none-match"] === '"v1"') {
      res.writeHead(304, { etag: '"v1"' });
      res.end();
      return;
    }
    ok(PAGE("Cached", PARAGRAPHS("cached walk")), { etag: '"v1"', "last-modified": "Wed, 01 Apr 2026 10:00:00 GMT" })(req, res);
  });
  web.set("/dies", ok(PAGE("Dies", PARAGRAPHS("last walk"))));
  web.set("/soft", ok(PAGE("Soft", PARAGRAPHS("soft walk"))));
  web.set("/front", ok(PAGE("Front", PARAGRAPHS("front walk"))));
  web.set("/article", ok(PAGE("Parked", PARAGRAPHS("parked walk"))));
  web.set("/moved", ok(PAGE("Moved", PARAGRAPHS("moving walk"))));
  web.set("/new-address", ok(PAGE("Moved", PARAGRAPHS("moving walk"))));
  web.set("/flaky", ok(PAGE("Flaky", PARAGRAPHS("flaky walk"))));
  web.set("/down", ok(PAGE("Down", PARAGRAPHS("down walk"))));

  ws = await makeWorkspace();
  await ws.writeLinks(Object.values(LINKS));
  const config = ws.config();
  fetcher = createFetcher({
    limits: { ...config.fetch, retries: 0, headersTimeoutMs: 400 },
    userAgent: "link-archive/test",
    allowPrivateNetwork: true,
    perHostConcurrency: 2,
    // Forgetting dead hosts between requests: each check is a run of its own, and one fetcher serves them all here.
    rememberDeadHosts: false,
    lookup: async (hostname) => {
      if (dead.has(hostname)) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
      return [{ address: "127.0.0.1", family: 4 }];
    },
  });
  const archived = await archiveLinks(config, { fetcher, now });
  expect(archived.captured).toBe(Object.keys(LINKS).length);
});

afterAll(async () => {
  await fetcher?.close();
  await server?.close();
});

describe("the link watch", () => {
  it("stores the validators a page answered with, and sends them back: a 304 is alive and changes nothing", async () => {
    expect((await readCapture(ws.cacheDir, hashOf("cached"))).meta).toMatchObject({ etag: '"v1"', last_modified: "Wed, 01 Apr 2026 10:00:00 GMT" });
    const before = await readFile(path.join(ws.cacheDir, hashOf("cached"), "index.html"), "utf8");
    seen.length = 0;
    days(1);
    const summary = await check();
    const asked = seen.find((s) => s.path === "/cached")!;
    expect(asked.headers["if-none-match"]).toBe('"v1"');
    expect(asked.headers["if-modified-since"]).toBe("Wed, 01 Apr 2026 10:00:00 GMT");
    expect(report(summary, "cached")).toMatchObject({ status: "alive", reason: expect.stringContaining("304 Not Modified") });
    expect(await readFile(path.join(ws.cacheDir, hashOf("cached"), "index.html"), "utf8")).toBe(before);
    // Every link seen alive for the first time: one record each, and the log of the run.
    expect(summary.counts.alive).toBe(Object.keys(LINKS).length);
    expect((await readCheckLog(ws.cacheDir)).runs).toHaveLength(1);
  });

  it("keeps the earlier version of a page whose words were edited, and the words changed are exactly the edit", async () => {
    const hash = hashOf("edited");
    const first = await readCapture(ws.cacheDir, hash);
    web.set("/edited", ok(PAGE("Edited", PARAGRAPHS("first walk", "badger"))));
    days(7);
    const summary = await check();
    expect(report(summary, "edited")).toMatchObject({ status: "alive", newVersion: true, reason: expect.stringContaining("new version") });
    const names = await readdir(path.join(ws.cacheDir, hash));
    const versionName = names.find((n) => /^\d{14}\.html$/.test(n));
    expect(versionName).toBe(`${first.meta.archived_at.replace(/\D/g, "").slice(0, 14)}.html`);
    const old = captureBodyOf(await readFile(path.join(ws.cacheDir, hash, versionName!), "utf8"));
    const current = await readCapture(ws.cacheDir, hash);
    expect(old).toBe(first.html);
    expect(current.html).toContain("a badger crossed it");
    const { parts, added, removed } = diffTokens(captureTokens(old).tokens, captureTokens(current.html).tokens);
    const edited = parts!.filter((p) => p.kind !== "same").map((p) => `${p.kind}:${p.tokens.map((t) => t.text).join(" ")}`);
    expect(edited).toEqual(["removed:fox", "added:badger"]);
    expect([added, removed]).toEqual([1, 1]);
    // Other links were untouched: no record rewritten for a link whose status did not change.
    expect(summary.written).toBe(0);
  });

  it("records a page that dies, first with a 404 and then with a host name that no longer resolves, as gone since the 404", async () => {
    web.set("/dies", status(404));
    days(7);
    const goneAt = now().toISOString();
    const summary = await check();
    expect(report(summary, "dies")).toMatchObject({ status: "gone", was: "alive", written: true });
    const record = await readStatus(ws.cacheDir, hashOf("dies"));
    expect(record).toMatchObject({ status: "gone", since: goneAt, answer: { http_status: 404, code: "ARCHIVE_HTTP_STATUS", reason: "the server answered HTTP 404 (the page is gone)" } });
    expect(record!.history.map((h) => h.status)).toEqual(["alive"]);
    const written = await stat(statusFile(ws.cacheDir, hashOf("dies")));

    dead.add("dying.test");
    days(7);
    const later = await check();
    expect(report(later, "dies")).toMatchObject({ status: "gone", written: false });
    expect((await stat(statusFile(ws.cacheDir, hashOf("dies")))).mtimeMs).toBe(written.mtimeMs);
    expect(await readStatus(ws.cacheDir, hashOf("dies"))).toMatchObject({ status: "gone", since: goneAt });
  });

  it("takes a 200 that says 'Page not found' as gone, not as a change, and keeps the capture", async () => {
    const before = await readFile(path.join(ws.cacheDir, hashOf("soft"), "index.html"), "utf8");
    web.set("/soft", ok(PAGE("Page not found", "<p>Sorry, the page you were looking for does not exist. Try the search box or go back to the home page.</p>")));
    days(1);
    const summary = await check();
    expect(report(summary, "soft")).toMatchObject({ status: "gone", newVersion: false, reason: expect.stringContaining('"not found" page') });
    expect(await readFile(path.join(ws.cacheDir, hashOf("soft"), "index.html"), "utf8")).toBe(before);
    expect((await readdir(path.join(ws.cacheDir, hashOf("soft")))).filter((n) => /^\d{14}\.html$/.test(n))).toEqual([]);
  });

  it("takes a redirect to the site's front page as gone, not as moved", async () => {
    web.set("/front", status(301, { location: "/" }));
    days(1);
    const summary = await check();
    expect(report(summary, "front")).toMatchObject({ status: "gone", reason: "it redirects to the site's front page, which keeps almost none of the archived text" });
  });

  it("takes a parked domain as gone", async () => {
    web.set("parked.test/article", ok(PAGE("parked.test", "<p>This domain is for sale! Buy this domain today from a trusted broker, with secure payment and fast transfer.</p>")));
    days(1);
    const summary = await check();
    expect(report(summary, "parked")).toMatchObject({ status: "gone", reason: "its domain is parked or for sale" });
  });

  it("takes a permanent redirect to another address as moved, and names the new address", async () => {
    web.set("/moved", status(301, { location: "/new-address" }));
    days(1);
    const summary = await check();
    expect(report(summary, "moved")).toMatchObject({ status: "moved", was: "alive" });
    expect(await readStatus(ws.cacheDir, hashOf("moved"))).toMatchObject({ status: "moved", moved_to: url("blog", "/new-address") });
  });

  it("does not call a page that timed out once unreachable, and forgets the failure when it answers again", async () => {
    web.set("/flaky", () => undefined); // never answers: the headers timeout ends it
    days(1);
    const first = await check();
    expect(report(first, "flaky")).toMatchObject({ status: "pending", written: true });
    expect(await readStatus(ws.cacheDir, hashOf("flaky"))).toMatchObject({ status: "alive", failing: { count: 1, answer: { code: "ARCHIVE_FETCH_TIMEOUT" } } });

    web.set("/flaky", ok(PAGE("Flaky", PARAGRAPHS("flaky walk"))));
    days(1);
    const second = await check();
    expect(report(second, "flaky")).toMatchObject({ status: "alive", written: true });
    const record = await readStatus(ws.cacheDir, hashOf("flaky"));
    expect(record?.failing).toBeUndefined();
    expect(record?.history).toEqual([]);
  });

  it("calls an original unreachable only after three failed checks in a row spanning a week", async () => {
    web.set("/down", status(503));
    const verdicts: string[] = [];
    for (const gap of [1, 3, 2, 2]) {
      days(gap);
      verdicts.push(report(await check(), "down").status);
    }
    // Three failures within 6 days are not yet a verdict; the fourth, 8 days after the first, is.
    expect(verdicts).toEqual(["pending", "pending", "pending", "unreachable"]);
    const record = await readStatus(ws.cacheDir, hashOf("down"));
    expect(record).toMatchObject({ status: "unreachable", answer: { http_status: 503 } });
    expect(record?.failing).toBeUndefined();
  });

  it("keeps versions the same way on npm run archive --refresh, and keeps the current one when the new copy is much shorter or a soft 404", async () => {
    const hash = hashOf("edited");
    const versions = async () => (await readdir(path.join(ws.cacheDir, hash))).filter((n) => /^\d{14}\.html$/.test(n)).sort();
    const before = await versions();
    web.set("/edited", ok(PAGE("Edited", PARAGRAPHS("second walk", "badger"))));
    days(1);
    const refreshLinks = path.join(ws.dir, "refresh.txt");
    await writeFile(refreshLinks, `${LINKS.edited}\n`);
    const refreshed = await archiveLinks(ws.config(["--links", refreshLinks, "--refresh"]), { fetcher, now });
    expect(refreshed.results[0]).toMatchObject({ outcome: "captured", newVersion: true });
    expect(await versions()).toHaveLength(before.length + 1);
    const current = await readFile(path.join(ws.cacheDir, hash, "index.html"), "utf8");

    web.set("/edited", ok(PAGE("Edited", "<p>Removed at the author's request.</p>")));
    days(1);
    const worse = await archiveLinks(ws.config(["--links", refreshLinks, "--refresh"]), { fetcher, now });
    expect(worse.results[0]).toMatchObject({ outcome: "failed", code: "ARCHIVE_EMPTY", keptPrevious: true });
    expect(await readFile(path.join(ws.cacheDir, hash, "index.html"), "utf8")).toBe(current);
    expect(await versions()).toHaveLength(before.length + 1);

    // A "not found" page as long as an article is not much shorter, but it is a soft 404: it is not kept either.
    const lost = "<p>Page not found. We looked everywhere for it: the archives, the tag pages, the drafts folder and the old site.</p><p>Perhaps one of our most popular stories will interest you instead, such as the harbour festival, the new ferry timetable or the winter lecture series at the library.</p><p>You can also search the site, browse the categories in the menu above, or write to the editors, who read every letter and answer most of them within the week.</p>";
    web.set("/edited", ok(PAGE("404", lost)));
    days(1);
    const soft = await archiveLinks(ws.config(["--links", refreshLinks, "--refresh"]), { fetcher, now });
    expect(soft.results[0]).toMatchObject({ outcome: "failed", code: "ARCHIVE_SOFT_404", keptPrevious: true, publicReason: 'it now answers with a "not found" or parked page (the kept capture stays)' });
    expect(await readFile(path.join(ws.cacheDir, hash, "index.html"), "utf8")).toBe(current);
    expect(await versions()).toHaveLength(before.length + 1);
  });
});
