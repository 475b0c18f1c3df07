/**
 * The whole pipeline against a real node:http server: links.txt in, cache/<md5>/ out.
 */
import { gzipSync } from "node:zlib";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashUrl, shardOf } from "../../src/cache/layout.ts";
import { archiveLinks, exitCodeOf } from "../../src/archive/run.ts";
import { readFailures } from "../../src/cache/failures.ts";
import { makeWorkspace, readCapture } from "../helpers/archive.ts";
import { scriptCapable } from "../helpers/safety.ts";
import { html, startServer, type TestServer } from "../helpers/server.ts";

const ARTICLE = (title: string, extra = "") => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="author" content="Ada Lovelace"><meta property="og:site_name" content="Test Site">
<meta property="article:published_time" content="2024-03-05T10:00:00Z"></head>
<body><nav><a href="/">Home</a></nav><article><h1>${title}</h1>
<p>The first paragraph of a long article about analytical engines, with enough words that Readability treats it as the main content of the page.</p>
<p>A second paragraph continues the story: punched cards, the difference engine, Babbage and the notes that became the first published program.</p>
<p>A third paragraph, because real articles are long, and Readability scores paragraphs by their length and their commas, like this, and this.</p>
<img src="/img/photo.png" alt="A photo of the engine">
${extra}
<p>See <a href="/other">another page</a> and <a href="javascript:alert(1)">a trap</a>.</p>
</article><script>document.title = "pwned"</script></body></html>`;

let server: TestServer;
let photo: Buffer;

beforeAll(async () => {
  photo = await sharp({ create: { width: 2400, height: 1200, channels: 3, background: "#3366aa" } }).png().toBuffer();
  const pdf = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
  server = await startServer({
    "/article": html(ARTICLE("Notes on the Analytical Engine")),
    "/gzipped": (_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-encoding": "gzip" });
      res.end(gzipSync(ARTICLE("A gzipped article")));
    },
    "/redirect": (_req, res) => {
      res.writeHead(301, { location: "/article?from=redirect" });
      res.end();
    },
    "/img/photo.png": (_req, res) => {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(photo);
    },
    "/hostile": html(
      ARTICLE(
        "A hostile page",
        `<p onclick="alert(1)" style="color:red" id="x">Clobber <a name="forms">me</a></p>
         <iframe src="https://evil.example/"></iframe><svg onload="alert(1)"><circle r="5"/></svg>
         <form action="https://evil.example/"><input name="q"></form><img src="x" onerror="alert(1)">
         <a href="vbscript:msgbox(1)">vb</a><a href="data:text/html,<script>alert(1)</script>">data</a>
         <p>Template text {{ 7 * 7 }} and {% raw %} stays inert.</p>`,
      ),
    ),
    "/notes.txt": (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      res.end("Plain notes\n<script>alert(1)</script> is just text here.\n");
    },
    "/paper.pdf": (_req, res) => {
      res.writeHead(200, { "content-type": "application/pdf" });
      res.end(pdf);
    },
    "/direct.png": (_req, res) => {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(photo);
    },
    "/archive.zip": (_req, res) => {
      res.writeHead(200, { "content-type": "application/zip" });
      res.end(Buffer.from("PK\x03\x04 not really a zip"));
    },
    "/gone": (_req, res) => {
      res.writeHead(410, { "content-type": "text/html" });
      res.end("<p>gone</p>");
    },
    "/empty": html("<!doctype html><html><head><title>Empty</title></head><body></body></html>"),
  });
});

afterAll(async () => {
  await server?.close();
});

describe("archiving a links file", () => {
  it("captures an article with its metadata, its image stored locally, and nothing script-capable", async () => {
    const ws = await makeWorkspace();
    const url = server.url("/article");
    await ws.writeLinks([url]);
    const summary = await archiveLinks(ws.config());
    expect(summary.failures).toEqual([]);
    expect(summary.captured).toBe(1);
    const { meta, html: body } = await readCapture(ws.cacheDir, hashUrl(url));
    expect(meta).toMatchObject({
      title: "Notes on the Analytical Engine",
      url,
      hash_url: hashUrl(url),
      final_url: url,
      status: "captured",
      kind: "article",
      byline: "Ada Lovelace",
      site_name: "Test Site",
      lang: "en",
      published_at: "2024-03-05T10:00:00.000Z",
      content_type: "text/html",
      http_status: 200,
      images: 1,
      images_failed: 0,
    });
    expect(meta.word_count).toBeGreaterThan(50);
    expect(Date.parse(meta.archived_at)).not.toBeNaN();
    expect(scriptCapable(body, server.origin)).toEqual([]);
    expect(body).toContain(`href="${server.url("/other")}"`);
    expect(body).toContain('rel="noopener noreferrer nofollow"');
    const img = /<img[^>]*src="([0-9a-f]+\.webp)"[^>]*>/.exec(body);
    expect(img).not.toBeNull();
    const stored = await sharp(path.join(ws.cacheDir, hashUrl(url), img![1]!)).metadata();
    expect(stored.format).toBe("webp");
    expect(stored.width).toBe(1600);
  });

  it("records the final URL after a redirect and decodes gzip", async () => {
    const ws = await makeWorkspace();
    await ws.writeLinks([server.url("/redirect"), server.url("/gzipped")]);
    const summary = await archiveLinks(ws.config());
    expect(summary.captured).toBe(2);
    const redirected = await readCapture(ws.cacheDir, hashUrl(server.url("/redirect")));
    expect(redirected.meta.final_url).toBe(server.url("/article?from=redirect"));
    expect((await readCapture(ws.cacheDir, hashUrl(server.url("/gzipped")))).meta.title).toBe("A gzipped article");
  });

  it("strips every script vector from a hostile page and keeps template text inert", async () => {
    const ws = await makeWorkspace();
    const url = server.url("/hostile");
    await ws.writeLinks([url]);
    await archiveLinks(ws.config());
    const { html: body } = await readCapture(ws.cacheDir, hashUrl(url));
    expect(scriptCapable(body, server.origin)).toEqual([]);
    expect(body).not.toMatch(/<(script|iframe|svg|form|input)/i);
    expect(body).not.toMatch(/\bon\w+=/i);
    expect(body).not.toContain("{{");
    expect(body).not.toContain("{%");
    expect(body).toContain("Template text");
  });

  it("stores plain text as preformatted text, a PDF as the original file and a direct image re-encoded", async () => {
    const ws = await makeWorkspace();
    const [text, pdf, image] = [server.url("/notes.txt"), server.url("/paper.pdf"), server.url("/direct.png")];
    await ws.writeLinks([text, pdf, image]);
    const summary = await archiveLinks(ws.config());
    expect(summary.failures).toEqual([]);
    const t = await readCapture(ws.cacheDir, hashUrl(text));
    expect(t.meta.kind).toBe("text");
    expect(t.html).toContain("<pre>");
    expect(t.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const p = await readCapture(ws.cacheDir, hashUrl(pdf));
    expect(p.meta).toMatchObject({ kind: "pdf", file: "document.pdf", content_type: "application/pdf" });
    expect((await stat(path.join(ws.cacheDir, hashUrl(pdf), "document.pdf"))).size).toBeGreaterThan(10);
    const i = await readCapture(ws.cacheDir, hashUrl(image));
    expect(i.meta.kind).toBe("image");
    expect(i.meta.file).toMatch(/^[0-9a-f]{32}\.webp$/);
    expect(await readdir(path.join(ws.cacheDir, hashUrl(image)))).not.toContain("direct.png");
  });

  it("fails an unsupported type, a 410 and an empty page with reasons, records them, and goes on", async () => {
    const ws = await makeWorkspace();
    const good = server.url("/article");
    await ws.writeLinks([server.url("/archive.zip"), server.url("/gone"), server.url("/empty"), good]);
    const summary = await archiveLinks(ws.config());
    expect(summary.captured).toBe(1);
    expect(summary.failures.map((f) => [f.link.line, f.code])).toEqual([
      [1, "ARCHIVE_UNSUPPORTED_TYPE"],
      [2, "ARCHIVE_HTTP_STATUS"],
      [3, "ARCHIVE_EMPTY"],
    ]);
    expect(summary.failures[0]!.reason).toContain("application/zip");
    expect(exitCodeOf(summary)).toBe(1);
    const recorded = (await readFailures(ws.cacheDir)).failures;
    expect(recorded.map((r) => r.url).sort()).toEqual([server.url("/archive.zip"), server.url("/empty"), server.url("/gone")].sort());
    expect(recorded.every((r) => r.attempts === 1 && r.kept_previous === false)).toBe(true);
  });

  it("skips links already captured without a single request, and retries recorded failures", async () => {
    const ws = await makeWorkspace();
    const good = server.url("/article?rerun");
    const bad = server.url("/gone?rerun");
    await ws.writeLinks([good, bad]);
    await archiveLinks(ws.config());
    const before = server.requests.length;
    const again = await archiveLinks(ws.config());
    expect(again).toMatchObject({ alreadyCached: 1, captured: 0, failed: 1 });
    // Only the failed link was asked for again.
    expect(server.requests.slice(before)).toEqual(["/gone?rerun"]);
    expect((await readFailures(ws.cacheDir)).failures[0]!.attempts).toBe(2);
  });

  it("reports an unchanged page on --refresh and keeps the capture as it was", async () => {
    const ws = await makeWorkspace();
    const url = server.url("/article?refresh-same");
    await ws.writeLinks([url]);
    await archiveLinks(ws.config());
    const first = await readCapture(ws.cacheDir, hashUrl(url));
    const summary = await archiveLinks(ws.config(["--refresh"]));
    expect(summary.unchanged).toBe(1);
    expect((await readCapture(ws.cacheDir, hashUrl(url))).meta.archived_at).toBe(first.meta.archived_at);
  });

  it("stores smaller images on --refresh after --image-max-width is lowered, instead of reusing the wide ones", async () => {
    const ws = await makeWorkspace();
    const url = server.url("/article?refresh-smaller");
    await ws.writeLinks([url]);
    await archiveLinks(ws.config());
    const storedWidth = async () => {
      const { html: body } = await readCapture(ws.cacheDir, hashUrl(url));
      const file = /<img[^>]*src="([0-9a-f]+\.webp)"/.exec(body)![1]!;
      return (await sharp(path.join(ws.cacheDir, hashUrl(url), file)).metadata()).width;
    };
    expect(await storedWidth()).toBe(1600);
    const summary = await archiveLinks(ws.config(["--refresh", "--image-max-width", "800"]));
    expect(summary.failures).toEqual([]);
    expect(summary.captured).toBe(1);
    expect(await storedWidth()).toBe(800);
    const files = await readdir(path.join(ws.cacheDir, hashUrl(url)));
    expect(files.filter((name) => name.endsWith(".webp"))).toHaveLength(1);
  });

  it("keeps the previous capture when a refresh fails or comes back empty", async () => {
    const ws = await makeWorkspace();
    let mode: "good" | "error" | "empty" = "good";
    server.route("/flaky", (_req, res) => {
      if (mode === "error") {
        res.writeHead(500);
        res.end("boom");
      } else {
        res.writeHead(200, { "content-type": "text/html" });
        res.end(mode === "good" ? ARTICLE("Flaky but good") : "<html><body><p>Removed.</p></body></html>");
      }
    });
    const url = server.url("/flaky");
    await ws.writeLinks([url]);
    await archiveLinks(ws.config());
    const good = await readCapture(ws.cacheDir, hashUrl(url));
    expect(good.meta.title).toBe("Flaky but good");

    mode = "error";
    const failed = await archiveLinks(ws.config(["--refresh"]));
    expect(failed.failures[0]).toMatchObject({ code: "ARCHIVE_HTTP_STATUS", keptPrevious: true });
    expect(await readCapture(ws.cacheDir, hashUrl(url))).toEqual(good);

    mode = "empty";
    const empty = await archiveLinks(ws.config(["--refresh"]));
    expect(empty.failures[0]).toMatchObject({ code: "ARCHIVE_EMPTY", keptPrevious: true });
    expect(await readCapture(ws.cacheDir, hashUrl(url))).toEqual(good);
    expect((await readFailures(ws.cacheDir)).failures[0]).toMatchObject({ kept_previous: true, attempts: 2 });
    expect((await readdir(ws.cacheDir)).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it("refuses the local server without --allow-private-network, and the server never sees a request", async () => {
    const ws = await makeWorkspace();
    const url = server.url("/article?private");
    await ws.writeLinks([url]);
    const config = ws.config();
    config.allowPrivateNetwork = false;
    const summary = await archiveLinks(config);
    expect(summary.failures[0]).toMatchObject({ code: "ARCHIVE_BLOCKED_ADDRESS" });
    expect(summary.failures[0]!.reason).toContain("--allow-private-network");
    expect(server.requests).not.toContain("/article?private");
  });

  it("reports bad lines by number, captures the good ones, and exits 1", async () => {
    const ws = await makeWorkspace();
    const url = server.url("/article?lines");
    await ws.writeLinks(["# comment", "htp://typo", url, url, "not a url"]);
    const summary = await archiveLinks(ws.config());
    expect(summary.captured).toBe(1);
    expect(summary.duplicates).toBe(1);
    expect(summary.badLines.map((p) => p.line)).toEqual([2, 5]);
    expect(exitCodeOf(summary)).toBe(1);
  });

  it("archives only its own shard, and the shards together cover every link once", async () => {
    const ws = await makeWorkspace();
    const urls = Array.from({ length: 12 }, (_, i) => server.url(`/gone?shard=${i}`));
    await ws.writeLinks(urls);
    const seen: string[] = [];
    for (const index of [1, 2, 3]) {
      const summary = await archiveLinks(ws.config(["--shard", `${index}/3`]));
      for (const r of summary.results) {
        expect(shardOf(r.link.hash, 3)).toBe(index);
        seen.push(r.link.url);
      }
    }
    expect(seen.sort()).toEqual([...urls].sort());
  });
});
