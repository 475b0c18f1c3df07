/**
 * The Internet Archive, played by a local fake on another loopback address: the availability API and the snapshots
 * it serves (a dead link is captured from its closest snapshot, and says so), and Save Page Now (a run with keys
 * submits each new capture, backs off a 429, and records the snapshot it reports). Nothing here reaches the real one.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveLinks } from "../../src/archive/run.ts";
import { resolveConfig } from "../../src/archive/config.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { readStatus } from "../../src/cache/status.ts";
import { makeWorkspace, readCapture } from "../helpers/archive.ts";
import { html, startServer, type TestServer } from "../helpers/server.ts";

const ARTICLE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A page the web forgot</title></head><body><article>
<h1>A page the web forgot</h1>
<p>This is the archived text of an article that no longer exists on its own site, with enough words to be an article.</p>
<p>It tells of lighthouses along a northern coast, their keepers, the lamps they trimmed and the logs they kept by hand.</p>
<p>A third paragraph, because real articles are long, and Readability scores paragraphs by their length and commas, like this.</p>
<img src="/img/lamp.png" alt="A lighthouse lamp">
</article></body></html>`;
const STAMP = "20240105120000";

let origin: TestServer;
let archive: TestServer;
let lamp: Buffer;
const saves: Array<{ authorization: string | undefined; body: string }> = [];
let statusPolls = 0;

beforeAll(async () => {
  lamp = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#aa7733" } }).png().toBuffer();
  origin = await startServer({ "/alive": html(ARTICLE.replace("no longer exists on its own site", "still exists on its own site")), "/also-alive": html(ARTICLE) });
  archive = await startServer({}, { host: "127.0.0.2" });
  const dead = origin.url("/dead");
  archive.route("/wayback/available", (req, res) => {
    const asked = new URL(req.url ?? "", archive.origin).searchParams.get("url");
    res.writeHead(200, { "content-type": "application/json" });
    // The snapshot's address is the answer's, but the archiver builds its own from the timestamp (here: a trap).
    res.end(JSON.stringify(asked === dead ? { url: asked, archived_snapshots: { closest: { available: true, url: "http://evil.example/steal", timestamp: STAMP, status: "200" } } } : { archived_snapshots: {} }));
  });
  archive.route(`/web/${STAMP}id_/${dead}`, html(ARTICLE));
  archive.route(`/web/${STAMP}im_/${origin.url("/img/lamp.png")}`, (_req, res) => {
    res.writeHead(200, { "content-type": "image/png" });
    res.end(lamp);
  });
  let first = true;
  archive.route("/save", (req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      saves.push({ authorization: req.headers.authorization, body });
      if (first) {
        first = false;
        res.writeHead(429, { "retry-after": "0", "content-type": "application/json" });
        res.end('{"status":"error","status_ext":"error:too-many-daily-captures"}');
        return;
      }
      const url = new URLSearchParams(body).get("url");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ url, job_id: url?.endsWith("/also-alive") ? "spn2-fails" : "spn2-works" }));
    });
  });
  archive.route("/save/status/spn2-works", (_req, res) => {
    statusPolls++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(statusPolls < 2 ? { status: "pending" } : { status: "success", timestamp: "20260601080000", original_url: "ignored" }));
  });
  archive.route("/save/status/spn2-fails", (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "error", message: "<script>server text is never shown</script>" }));
  });
});

afterAll(async () => {
  await origin?.close();
  await archive?.close();
});

const waybackFlags = () => ["--wayback-fallback", "--wayback-api", archive.url("/wayback/available"), "--wayback-replay", archive.url("/web"), "--wayback-save-url", archive.url("/save")];

describe("the Internet Archive as a fallback", () => {
  it("captures a link already gone at its first capture from the closest snapshot, and says so", async () => {
    const ws = await makeWorkspace();
    const dead = origin.url("/dead");
    await ws.writeLinks([dead]);
    const summary = await archiveLinks(ws.config(waybackFlags()));
    expect(summary.captured).toBe(1);
    expect(summary.results[0]).toMatchObject({ outcome: "captured", source: "internet-archive" });
    const { meta, html: body } = await readCapture(ws.cacheDir, hashUrl(dead));
    expect(meta).toMatchObject({
      url: dead,
      final_url: dead,
      source: "internet-archive",
      source_url: `${archive.url("/web")}/${STAMP}/${dead}`,
      source_date: "2024-01-05T12:00:00Z",
      title: "A page the web forgot",
    });
    expect(body).toContain("lighthouses along a northern coast");
    // Its image came from the snapshot's own copy, re-encoded like any other.
    expect((await readdir(path.join(ws.cacheDir, hashUrl(dead)))).filter((n) => n.endsWith(".webp"))).toHaveLength(1);
    expect(archive.requests).toContain(`/web/${STAMP}im_/${origin.url("/img/lamp.png")}`);
    expect(archive.requests.join()).not.toContain("evil.example");
    // The original is recorded as gone, with the answer it gave.
    expect(await readStatus(ws.cacheDir, hashUrl(dead))).toMatchObject({ status: "gone", answer: { http_status: 404 } });
  });

  it("asks nothing of the Internet Archive with --no-wayback-fallback, and the dead link fails as before", async () => {
    const ws = await makeWorkspace();
    await ws.writeLinks([origin.url("/dead-too")]);
    const before = archive.requests.length;
    const summary = await archiveLinks(ws.config([...waybackFlags(), "--no-wayback-fallback"]));
    expect(summary.failed).toBe(1);
    expect(summary.failures[0]).toMatchObject({ code: "ARCHIVE_HTTP_STATUS" });
    expect(archive.requests.length).toBe(before);
  });

  it("fails a dead link with its own answer when the Internet Archive has no snapshot of it", async () => {
    const ws = await makeWorkspace();
    await ws.writeLinks([origin.url("/never-archived")]);
    const summary = await archiveLinks(ws.config(waybackFlags()));
    expect(summary.failures[0]).toMatchObject({ outcome: "failed", code: "ARCHIVE_HTTP_STATUS", publicReason: "the server answered HTTP 404 (the page is gone)" });
  });
});

describe("the Internet Archive as a second copy", () => {
  it("submits each new capture to Save Page Now with the keys, backs off a 429, and records the snapshot; a failure fails nothing", async () => {
    const ws = await makeWorkspace();
    const [alive, alsoAlive] = [origin.url("/alive"), origin.url("/also-alive")];
    await ws.writeLinks([alive, alsoAlive]);
    const { config } = resolveConfig(ws.flags(waybackFlags()), { IA_ACCESS_KEY: "access", IA_SECRET_KEY: "secret" }, ws.dir);
    config.wayback.save!.pollMs = 20;
    config.wayback.save!.concurrency = 1;
    const summary = await archiveLinks(config);
    expect(summary.captured).toBe(2);
    expect(summary.failed).toBe(0);
    expect(saves.every((s) => s.authorization === "LOW access:secret")).toBe(true);
    // The 429 was waited out and the same URL submitted again.
    expect(saves.map((s) => new URLSearchParams(s.body).get("url"))).toEqual([alive, alive, alsoAlive]);
    expect((await readCapture(ws.cacheDir, hashUrl(alive))).meta.wayback_snapshot).toBe(`${archive.url("/web")}/20260601080000/${alive}`);
    expect((await readCapture(ws.cacheDir, hashUrl(alsoAlive))).meta.wayback_snapshot).toBeUndefined();
    const failed = summary.results.find((r) => r.link.url === alsoAlive)!;
    expect(failed.waybackSave).toMatchObject({ ok: false, reason: "Save Page Now could not capture it" });
  });

  it("is off without keys, and --wayback-save without them is a usage error naming the variables", () => {
    expect(resolveConfig(["--links", "x"], {}, "/").config.wayback.save).toBeUndefined();
    expect(() => resolveConfig(["--wayback-save"], {}, "/")).toThrow(/IA_ACCESS_KEY and IA_SECRET_KEY/);
  });
});
