/**
 * What no single page may do (security review M1, M2, L1, L6, I3): hold a capture or a run past its time, grow a
 * stored file past GitHub's limits, or put its own words or a private address where they are published. Each case
 * runs the real pipeline against a real node:http server, and asserts behaviour (the capture failed with its reason,
 * the run ended by itself, the file is under the cap), never a timing.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetcher } from "../../src/archive/fetch/index.ts";
import { archiveLinks, exitCodeOf } from "../../src/archive/run.ts";
import { readFailures } from "../../src/cache/failures.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { makeWorkspace, readCapture } from "../helpers/archive.ts";
import { hang } from "../helpers/images.ts";
import { send, startServer, type TestServer } from "../helpers/server.ts";

const MiB = 1024 * 1024;
const PARAGRAPHS = "<p>A paragraph of a real article, long enough, with commas, and more words to count here.</p>".repeat(12);

let server: TestServer;

beforeAll(async () => {
  const imgs = Array.from({ length: 2000 }, (_, i) => `<img src="/slow/${i}.jpg" alt="Picture ${i}">`).join("\n");
  server = await startServer({
    "/many-images": (_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><html><head><title>Two thousand slow images</title></head><body><article><h1>Gallery</h1>${PARAGRAPHS}${imgs}</article></body></html>`);
    },
    "/slow-page": async (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      // A byte every 100 ms: never idle for long, so only the capture's own time limit ends it.
      while (!res.destroyed) {
        await send(res, "<p>");
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    "/hang": hang(),
    "/angle-brackets": (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(Buffer.alloc(20 * MiB - 1024, "<"));
    },
    "/odd-type": (_req, res) => {
      res.writeHead(200, { "content-type": "Fixes #1" });
      res.end(Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04]));
    },
    "/control": (_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(
        `<!doctype html><html><head><title>Hello&#1;World&#xFFFE; ${"long ".repeat(200)}</title><meta name="author" content="Bob&#x0B;Smith"></head>` +
          `<body><article><h1>Control</h1>${PARAGRAPHS}</article></body></html>`,
      );
    },
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe("a capture's budget", () => {
  it("ends a page of 2,000 slow images within its time: the capture is kept, the images past the budget keep their alt text, and it says why", async () => {
    const ws = await makeWorkspace();
    const url = server.url("/many-images");
    await ws.writeLinks([url]);
    const summary = await archiveLinks(ws.config(["--capture-timeout", "8000", "--image-timeout", "1000", "--capture-max-images", "300"]));
    expect(summary.failures.map((f) => f.reason)).toEqual([]);
    expect(summary.captured).toBe(1);
    const { meta, html } = await readCapture(ws.cacheDir, hashUrl(url));
    expect(meta.images_dropped).toBeGreaterThanOrEqual(1700);
    expect(meta.images_dropped_reason).toMatch(/the capture's (time limit|limit of 300 images)/);
    expect(meta.images + (meta.images_dropped ?? 0)).toBe(2000);
    // Every image is there as its alt text; none was stored (the server never answered).
    expect(html).toContain('alt="Picture 1999"');
    // Never more image requests than the budget allows (one candidate each here).
    expect(server.requests.filter((r) => r.startsWith("/slow/")).length).toBeLessThanOrEqual(300);
  }, 60_000);

  it("fails a page that cannot be fetched within the capture's time, with that reason recorded", async () => {
    const ws = await makeWorkspace();
    const url = server.url("/slow-page");
    await ws.writeLinks([url]);
    const summary = await archiveLinks(ws.config(["--capture-timeout", "1500", "--timeout", "60000", "--idle-timeout", "5000"]));
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]).toMatchObject({ code: "ARCHIVE_CAPTURE_TIMEOUT", publicReason: "the capture did not finish within its time limit" });
    expect(summary.failures[0]!.reason).toContain("--capture-timeout");
    const { failures } = await readFailures(ws.cacheDir);
    expect(failures).toMatchObject([{ url, code: "ARCHIVE_CAPTURE_TIMEOUT", reason: "the capture did not finish within its time limit" }]);
  }, 30_000);

  it("keeps a 20 MiB text/plain page of < far under GitHub's file limit, and says it was cut", async () => {
    const ws = await makeWorkspace();
    const url = server.url("/angle-brackets");
    await ws.writeLinks([url]);
    const summary = await archiveLinks(ws.config(["--timeout", "30000"]));
    expect(summary.failures.map((f) => f.reason)).toEqual([]);
    const file = path.join(ws.cacheDir, hashUrl(url), "index.html");
    // 2 Mi characters kept, each "<" written as "&lt;": about 8 MiB, where the whole page escaped would be 80.
    expect((await stat(file)).size).toBeLessThan(10 * MiB);
    expect(await readFile(file, "utf8")).toMatch(/The original text has [\d,]+ characters; the first [\d,]+ are kept/);
  }, 60_000);
});

describe("hosts that are down", () => {
  const deadImages = (host: string) =>
    `<!doctype html><html><head><title>Old article</title></head><body><article><h1>Old article</h1>${PARAGRAPHS}` +
    Array.from({ length: 23 }, (_, i) => `<img src="http://${host}/img/${i}.jpg" alt="Figure ${i}">`).join("") +
    "</article></body></html>";

  async function archiveWith(page: string, lookup: (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>, rememberDeadHosts = true) {
    const route = `/old-${Math.random().toString(36).slice(2)}`;
    server.route(route, (_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(page);
    });
    const ws = await makeWorkspace();
    const url = server.url(route);
    await ws.writeLinks([url]);
    const config = ws.config(["--retries", "2"]);
    const fetcher = createFetcher({ limits: config.fetch, userAgent: config.userAgent, allowPrivateNetwork: true, perHostConcurrency: 4, lookup, rememberDeadHosts });
    try {
      const summary = await archiveLinks(config, { fetcher });
      return { summary, capture: await readCapture(ws.cacheDir, hashUrl(url)) };
    } finally {
      await fetcher.close();
    }
  }

  it("asks once about a name that no longer resolves, and fails its other images at once", async () => {
    const asked: string[] = [];
    // A resolver that takes its time to say a name is gone, as real ones do.
    const lookup = async (hostname: string) => {
      asked.push(hostname);
      await new Promise((resolve) => setTimeout(resolve, 200));
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    };
    const { summary, capture } = await archiveWith(deadImages("images.gone.example"), lookup);
    expect(summary.captured).toBe(1);
    expect(capture.meta).toMatchObject({ images: 23, images_failed: 23 });
    expect(asked).toEqual(["images.gone.example"]);
    expect(capture.html).toContain('alt="Figure 22"');
  });

  it("tries a host that refuses connections once, not once per image and retry", async () => {
    const closed = await startServer();
    const port = closed.port;
    await closed.close();
    const asked: string[] = [];
    const lookup = async (hostname: string) => {
      asked.push(hostname);
      return [{ address: "127.0.0.1", family: 4 as const }];
    };
    const { capture } = await archiveWith(deadImages(`refusing.example:${port}`), lookup);
    expect(capture.meta).toMatchObject({ images: 23, images_failed: 23 });
    // Each connection attempt looks the name up: one attempt in all.
    expect(asked).toEqual(["refusing.example"]);
  });

  it("asks about the name again and again when the memory of dead hosts is off (what the bench compares)", async () => {
    let asked = 0;
    const lookup = async (hostname: string) => {
      asked += 1;
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    };
    await archiveWith(deadImages("other.gone.example"), lookup, false);
    // Only questions asked at the same moment share an answer then.
    expect(asked).toBeGreaterThanOrEqual(10);
  });
});

describe("a run's time limit", () => {
  it("ends the run by itself, records nothing for the links it did not finish, and leaves them for the next run", async () => {
    const ws = await makeWorkspace();
    const urls = ["/hang?1", "/hang?2", "/hang?3"].map((p) => server.url(p));
    await ws.writeLinks(urls);
    const summary = await archiveLinks(ws.config(["--run-timeout", "1500", "--concurrency", "1", "--headers-timeout", "20000", "--timeout", "60000"]));
    expect(summary).toMatchObject({ captured: 0, failed: 0, deferred: 3 });
    expect(exitCodeOf(summary)).toBe(1);
    expect(await readFailures(ws.cacheDir)).toEqual({ failures: [], problems: [] });
  }, 30_000);
});

describe("text a stranger chose", () => {
  it("never reaches the failure record from a Content-Type of \"Fixes #1\"", async () => {
    const ws = await makeWorkspace();
    const url = server.url("/odd-type");
    await ws.writeLinks([url]);
    const summary = await archiveLinks(ws.config());
    // The run's own log may quote the server; what is published may not.
    expect(summary.failures[0]!.reason).toMatch(/fixes #1/i);
    const { failures } = await readFailures(ws.cacheDir);
    expect(failures[0]).toMatchObject({ code: "ARCHIVE_UNSUPPORTED_TYPE" });
    expect(JSON.stringify(failures)).not.toMatch(/fixes/i);
  });

  it("does not publish the private address a name resolved to", async () => {
    const ws = await makeWorkspace();
    const url = "http://intranet.example/wiki";
    await ws.writeLinks([url]);
    const config = ws.config();
    // The archiver's own guard, with a name that resolves to an address on the runner's network.
    const resolving = createFetcher({
      limits: config.fetch,
      userAgent: config.userAgent,
      allowPrivateNetwork: false,
      perHostConcurrency: 1,
      lookup: async () => [{ address: "10.20.30.40", family: 4 }],
    });
    try {
      const summary = await archiveLinks(config, { fetcher: resolving });
      expect(summary.failures[0]).toMatchObject({ code: "ARCHIVE_BLOCKED_ADDRESS" });
      expect(summary.failures[0]!.reason).toContain("10.20.30.40");
    } finally {
      await resolving.close();
    }
    const { failures } = await readFailures(ws.cacheDir);
    expect(failures[0]!.reason).toBe("the address is private, local or reserved, so it was not fetched");
    expect(JSON.stringify(failures)).not.toContain("10.20.30.40");
  });

  it("strips control characters from every metadata field and caps their length", async () => {
    const ws = await makeWorkspace();
    const url = server.url("/control");
    await ws.writeLinks([url]);
    await archiveLinks(ws.config());
    const { meta } = await readCapture(ws.cacheDir, hashUrl(url));
    expect(meta.title.startsWith("HelloWorld long long")).toBe(true);
    expect(meta.title.length).toBeLessThanOrEqual(300);
    expect(meta.byline).toBe("BobSmith");
    expect(`${meta.title}${meta.byline}`).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  });
});
