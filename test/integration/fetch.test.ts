import { readFileSync } from "node:fs";
import type http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isBlockedAddress } from "../../src/archive/fetch/address.ts";
import type { ArchiveError } from "../../src/archive/errors.ts";
import { createFetcher } from "../../src/archive/fetch/index.ts";
import { parseContentType } from "../../src/archive/fetch/http.ts";
import { parseRetryAfter } from "../../src/archive/fetch/retry.ts";
import type { FetcherSeams } from "../../src/archive/fetch/index.ts";
import type { FetcherOptions, FetchLimits, Fetcher } from "../../src/archive/types.ts";
import { gzipBomb, html, send, startServer } from "../helpers/server.ts";
import type { Handler, TestServer } from "../helpers/server.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

const LIMITS: FetchLimits = {
  connectTimeoutMs: 1000,
  headersTimeoutMs: 1000,
  bodyIdleTimeoutMs: 1000,
  totalTimeoutMs: 5000,
  maxBytes: MiB,
  maxRedirects: 5,
  retries: 2,
  retryBaseDelayMs: 10,
  maxRetryDelayMs: 1000,
};
const USER_AGENT = "link-archive/0.1 (+https://github.com/link-archive/link-archive)";

type Lookup = NonNullable<FetcherOptions["lookup"]>;

let server: TestServer;
const fetchers: Fetcher[] = [];

function makeFetcher(
  options: Partial<Omit<FetcherOptions, "limits">> & { limits?: Partial<FetchLimits> } = {},
  seams?: FetcherSeams,
): Fetcher {
  const fetcher = createFetcher(
    {
      userAgent: USER_AGENT,
      allowPrivateNetwork: true,
      perHostConcurrency: 4,
      ...options,
      limits: { ...LIMITS, ...options.limits },
    },
    seams,
  );
  fetchers.push(fetcher);
  return fetcher;
}

/** Resolves the given names (and only those) the way a test needs; anything else does not exist. */
function lookupFrom(table: Record<string, string[]>, calls: string[] = []): Lookup {
  return async (hostname) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }) as const);
  };
}

/** The real policy, except that 127.0.0.1 counts as public: stands in for "a public server" in the hop tests. */
const localhostIsPublic: FetcherSeams = {
  blockedReason: (address) => (address === "127.0.0.1" ? undefined : isBlockedAddress(address)),
};

async function failure(promise: Promise<unknown>): Promise<ArchiveError> {
  try {
    await promise;
  } catch (error) {
    return error as ArchiveError;
  }
  throw new Error("expected the fetch to fail, but it succeeded");
}

/** Counts requests to a path, so a test can assert what was (not) retried. */
function hits(path: string): number {
  return server.requests.filter((request) => request === path).length;
}

/** Resolves when the response to a request closes, for whatever reason. */
function closedTracker(): { closed: Promise<void>; watch: (res: http.ServerResponse) => void } {
  let resolve = () => {};
  const closed = new Promise<void>((settle) => (resolve = settle));
  return { closed, watch: (res) => res.on("close", () => resolve()) };
}

const never = () => new Promise<void>(() => {});

beforeAll(async () => {
  server = await startServer();
});
afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((fetcher) => fetcher.close()));
  server.requests.length = 0;
});
afterAll(async () => {
  await server.close();
});

describe("fetching a page", () => {
  it("returns the body, status, headers and media type of a plain 200 page", async () => {
    server.route("/plain", html("<p>Hello</p>", { "content-type": 'Text/HTML; Charset="ISO-8859-1"', "x-extra": "1" }));
    const page = await makeFetcher().fetch(server.url("/plain"));
    expect(page.status).toBe(200);
    expect(page.body.toString()).toBe("<p>Hello</p>");
    expect(page.mediaType).toBe("text/html");
    expect(page.charset).toBe("ISO-8859-1");
    expect(page.headers["x-extra"]).toBe("1");
    expect(page.url).toBe(server.url("/plain"));
    expect(page.finalUrl).toBe(server.url("/plain"));
    expect(page.redirectChain).toEqual([server.url("/plain")]);
    expect(page.attempts).toBe(1);
  });

  it("sends the configured User-Agent, the caller's Accept and the codings it can decode", async () => {
    let seen: http.IncomingHttpHeaders = {};
    server.route("/headers", (req, res) => {
      seen = req.headers;
      res.end("ok");
    });
    await makeFetcher().fetch(server.url("/headers"), { accept: "image/avif,image/webp" });
    expect(seen["user-agent"]).toBe(USER_AGENT);
    expect(seen.accept).toBe("image/avif,image/webp");
    expect(seen["accept-encoding"]).toMatch(/gzip, deflate, br/);
  });

  const text = "<p>Compressed and restored. </p>".repeat(200);
  const codings: Array<[string, Buffer]> = [
    ["gzip", zlib.gzipSync(text)],
    ["x-gzip", zlib.gzipSync(text)],
    ["deflate", zlib.deflateSync(text)],
    ["br", zlib.brotliCompressSync(text)],
  ];
  if (typeof zlib.zstdCompressSync === "function") codings.push(["zstd", zlib.zstdCompressSync(text)]);
  it.each(codings)("decodes a %s body", async (coding, encoded) => {
    server.route(`/coded-${coding}`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/html", "content-encoding": coding });
      res.end(encoded);
    });
    const page = await makeFetcher().fetch(server.url(`/coded-${coding}`));
    expect(page.body.toString()).toBe(text);
  });

  it("decodes raw deflate, which some servers send as deflate", async () => {
    server.route("/raw-deflate", (_req, res) => {
      res.writeHead(200, { "content-encoding": "deflate" });
      res.end(zlib.deflateRawSync(text));
    });
    const page = await makeFetcher().fetch(server.url("/raw-deflate"));
    expect(page.body.toString()).toBe(text);
  });

  it("undoes stacked codings last-applied first", async () => {
    server.route("/stacked", (_req, res) => {
      res.writeHead(200, { "content-encoding": "deflate, gzip" });
      res.end(zlib.gzipSync(zlib.deflateSync(text)));
    });
    const page = await makeFetcher().fetch(server.url("/stacked"));
    expect(page.body.toString()).toBe(text);
  });

  it("fails a corrupt gzip body without retrying it", async () => {
    server.route("/corrupt", (_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(Buffer.from("this is not gzip at all"));
    });
    const error = await failure(makeFetcher().fetch(server.url("/corrupt")));
    expect(error.code).toBe("ARCHIVE_BAD_BODY");
    expect(error.message).toMatch(/could not be decompressed/);
    expect(error.retryable).toBe(false);
    expect(hits("/corrupt")).toBe(1);
  });

  it("refuses a URL that is not http(s)", async () => {
    const error = await failure(makeFetcher().fetch("ftp://example.com/file"));
    expect(error.code).toBe("ARCHIVE_BAD_LINK");
    expect(error.url).toBe("ftp://example.com/file");
  });
});

describe("bounds on size and time", () => {
  it("stops a gzip bomb early with TooLargeError, without reading the whole of it", async () => {
    // 64 GiB of zeros in ~66 MB on the wire: more than socket buffers could swallow, so an early stop shows.
    const bomb = gzipBomb(64 * 1024 * MiB);
    server.route("/bomb", bomb.handler);
    const error = await failure(makeFetcher().fetch(server.url("/bomb")));
    expect(error.code).toBe("ARCHIVE_TOO_LARGE");
    expect(error.url).toBe(server.url("/bomb"));
    expect(error.message).toMatch(/after decompression/);
    await bomb.progress.closed; // the fetcher hung up ...
    expect(bomb.progress.finished).toBe(false); // ... before the server could send it all
    expect(bomb.progress.bytesSent).toBeLessThan(bomb.progress.bytesTotal / 2);
    expect(hits("/bomb")).toBe(1); // too large is final, not retried
  });

  it("stops an endless body with TooLargeError and hangs up", async () => {
    const tracker = closedTracker();
    server.route("/endless", async (_req, res) => {
      tracker.watch(res);
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(64 * KiB, "a");
      while (!res.destroyed) await send(res, chunk);
    });
    const error = await failure(makeFetcher().fetch(server.url("/endless")));
    expect(error.code).toBe("ARCHIVE_TOO_LARGE");
    await tracker.closed;
  });

  it("refuses a body whose Content-Length is over the cap before reading it", async () => {
    // Sends a few bytes, then stalls: a fetcher that started reading would end with a body timeout instead.
    server.route("/declared-huge", (_req, res) => {
      res.writeHead(200, { "content-type": "text/html", "content-length": String(10 * MiB) });
      res.write("<p>");
    });
    const error = await failure(
      makeFetcher({ limits: { bodyIdleTimeoutMs: 300 } }).fetch(server.url("/declared-huge")),
    );
    expect(error.code).toBe("ARCHIVE_TOO_LARGE");
    expect(error.message).toMatch(/Content-Length/);
  });

  it("applies a per-request byte cap", async () => {
    server.route("/medium", html("x".repeat(10 * KiB)));
    const fetcher = makeFetcher();
    expect((await fetcher.fetch(server.url("/medium"))).body.length).toBe(10 * KiB);
    const error = await failure(fetcher.fetch(server.url("/medium"), { maxBytes: KiB }));
    expect(error.code).toBe("ARCHIVE_TOO_LARGE");
  });

  it("times out a server that never sends headers", async () => {
    server.route("/hang", never);
    const error = await failure(
      makeFetcher({ limits: { headersTimeoutMs: 300, retries: 0 } }).fetch(server.url("/hang")),
    );
    expect(error.code).toBe("ARCHIVE_FETCH_TIMEOUT");
    expect(error.message).toMatch(/no response headers/);
    expect(error.url).toBe(server.url("/hang"));
  });

  it("retries a header timeout, then gives up", async () => {
    server.route("/hang-retried", never);
    const error = await failure(
      makeFetcher({ limits: { headersTimeoutMs: 300, retries: 1 } }).fetch(server.url("/hang-retried")),
    );
    expect(error.code).toBe("ARCHIVE_FETCH_TIMEOUT");
    expect(hits("/hang-retried")).toBe(2);
  });

  it("times out a body that stops arriving", async () => {
    server.route("/idle", (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.write("<p>the start, then nothing");
    });
    const error = await failure(
      makeFetcher({ limits: { bodyIdleTimeoutMs: 300, retries: 0 } }).fetch(server.url("/idle")),
    );
    expect(error.code).toBe("ARCHIVE_FETCH_TIMEOUT");
    expect(error.message).toMatch(/stopped sending its body/);
  });

  it("ends a dripping server with the total timeout, closes its socket and does not retry", async () => {
    // One byte every 50 ms never trips the idle timeout nor the cap: only the total timeout can end this.
    const tracker = closedTracker();
    server.route("/drip", (_req, res) => {
      tracker.watch(res);
      res.writeHead(200, { "content-type": "text/html" });
      const timer = setInterval(() => res.write("."), 50);
      res.on("close", () => clearInterval(timer));
    });
    const error = await failure(
      makeFetcher({ limits: { totalTimeoutMs: 700, bodyIdleTimeoutMs: 1000, retries: 2 } }).fetch(server.url("/drip")),
    );
    expect(error.code).toBe("ARCHIVE_FETCH_TIMEOUT");
    expect(error.message).toMatch(/total time limit of 700 ms/);
    await tracker.closed;
    expect(hits("/drip")).toBe(1);
  });

  it("applies a per-request total timeout", async () => {
    server.route("/slow-drip", (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write("."), 50);
      res.on("close", () => clearInterval(timer));
    });
    const error = await failure(makeFetcher().fetch(server.url("/slow-drip"), { totalTimeoutMs: 300 }));
    expect(error.message).toMatch(/total time limit of 300 ms/);
  });

  it("times out a connection that never completes (here: a DNS answer that never comes)", async () => {
    const lookup: Lookup = () => new Promise(() => {});
    const error = await failure(
      makeFetcher({ lookup, limits: { connectTimeoutMs: 300, retries: 0 } }).fetch("http://silent.test/"),
    );
    expect(error.code).toBe("ARCHIVE_FETCH_TIMEOUT");
    expect(error.message).toMatch(/Connecting to silent\.test/);
  });

  it("stops when the caller cancels, without retrying", async () => {
    server.route("/cancelled", never);
    const controller = new AbortController();
    const pending = makeFetcher().fetch(server.url("/cancelled"), { signal: controller.signal });
    while (hits("/cancelled") === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const error = await failure(pending);
    expect(error.code).toBe("ARCHIVE_CANCELLED");
    expect(error.message).toMatch(/cancelled/);
    expect(error.retryable).toBe(false);
    expect(hits("/cancelled")).toBe(1);
  });
});

describe("HTTPS", () => {
  // A real TLS server on 127.0.0.1 with a self-signed certificate made for it (test/fixtures/tls/README.md).
  const tlsDir = new URL("../fixtures/tls/", import.meta.url);
  const cert = readFileSync(new URL("localhost.crt", tlsDir), "utf8");
  let secure: https.Server;
  let origin: string;
  const seen = { connections: 0, handshakes: 0, requests: 0 };

  beforeAll(async () => {
    secure = https.createServer({ key: readFileSync(new URL("localhost.key", tlsDir)), cert }, (_req, res) => {
      seen.requests += 1;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<h1>Over TLS</h1>");
    });
    secure.on("connection", () => (seen.connections += 1));
    secure.on("secureConnection", () => (seen.handshakes += 1));
    secure.on("tlsClientError", () => {}); // the refused handshakes of the second test
    await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
    origin = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
  });
  afterEach(() => Object.assign(seen, { connections: 0, handshakes: 0, requests: 0 }));
  afterAll(async () => {
    secure.closeAllConnections();
    await new Promise((resolve) => secure.close(resolve));
  });

  it("fetches a page from a server whose certificate it trusts", async () => {
    const page = await makeFetcher({}, { extraCa: [cert] }).fetch(`${origin}/secure`);
    expect(page.status).toBe(200);
    expect(page.body.toString()).toBe("<h1>Over TLS</h1>");
    expect(page.finalUrl).toBe(`${origin}/secure`);
    expect(seen.handshakes).toBe(1);
  });

  it("refuses a certificate it cannot trust with ARCHIVE_TLS, once, without sending the request", async () => {
    const url = `${origin}/untrusted`;
    const error = await failure(makeFetcher().fetch(url));
    expect(error.code).toBe("ARCHIVE_TLS");
    expect(error.url).toBe(url);
    expect(error.message).toContain(url);
    expect(error.message).toMatch(/self-signed|not trusted/);
    expect(error.retryable).toBe(false);
    expect(seen).toEqual({ connections: 1, handshakes: 0, requests: 0 });
  });
});

describe("redirects", () => {
  const redirect =
    (status: number, location: string): Handler =>
    (_req, res) => {
      res.writeHead(status, { location });
      res.end();
    };

  it("follows a chain of redirects and records every hop", async () => {
    server.route("/r/a", redirect(301, "b")); // relative to /r/a → /r/b
    server.route("/r/b", redirect(302, "../r2/c?x=1")); // dot segments → /r2/c?x=1
    server.route("/r2/c", redirect(303, `//127.0.0.1:${server.port}/r3/d`)); // network-path reference
    server.route("/r3/d", redirect(307, "/r3/e"));
    server.route("/r3/e", redirect(308, server.url("/final")));
    server.route("/final", html("<p>arrived</p>"));
    const page = await makeFetcher().fetch(server.url("/r/a#section"));
    expect(page.body.toString()).toBe("<p>arrived</p>");
    expect(page.url).toBe(server.url("/r/a#section"));
    // RFC 9110 §10.2.2: the fragment carries over to Locations that have none.
    expect(page.redirectChain).toEqual([
      server.url("/r/a#section"),
      server.url("/r/b#section"),
      server.url("/r2/c?x=1#section"),
      server.url("/r3/d#section"),
      server.url("/r3/e#section"),
      server.url("/final#section"),
    ]);
    expect(page.finalUrl).toBe(server.url("/final#section"));
    expect(page.attempts).toBe(1);
    expect(server.requests).toEqual(["/r/a", "/r/b", "/r2/c?x=1", "/r3/d", "/r3/e", "/final"]);
  });

  it("detects a redirect loop", async () => {
    server.route("/loop/a", redirect(302, "/loop/b"));
    server.route("/loop/b", redirect(302, "/loop/a"));
    const error = await failure(makeFetcher().fetch(server.url("/loop/a")));
    expect(error.code).toBe("ARCHIVE_REDIRECT_LOOP");
    expect(error.message).toContain(`${server.url("/loop/b")} → ${server.url("/loop/a")}`);
    expect(server.requests).toEqual(["/loop/a", "/loop/b"]);
  });

  it("gives up after the maximum number of redirects", async () => {
    server.route("/hop", (req, res) => {
      const n = Number(new URL(req.url ?? "", server.origin).searchParams.get("n") ?? 0);
      res.writeHead(302, { location: `/hop?n=${n + 1}` });
      res.end();
    });
    const error = await failure(makeFetcher({ limits: { maxRedirects: 3 } }).fetch(server.url("/hop?n=0")));
    expect(error.code).toBe("ARCHIVE_TOO_MANY_REDIRECTS");
    expect(error.message).toMatch(/more than 3 times/);
    expect(server.requests).toEqual(["/hop?n=0", "/hop?n=1", "/hop?n=2", "/hop?n=3"]);
  });

  const badTargets = ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://x/"];
  it.each(badTargets)(
    "refuses a redirect to %s, naming both URLs",
    async (target) => {
      server.route("/bad-redirect", redirect(302, target));
      const error = await failure(makeFetcher().fetch(server.url("/bad-redirect")));
      expect(error.code).toBe("ARCHIVE_BAD_REDIRECT");
      expect(error.message).toContain(server.url("/bad-redirect"));
      expect(error.message).toContain(new URL(target).href);
      expect(error.url).toBe(server.url("/bad-redirect"));
    },
  );

  it("refuses a redirect whose Location is not a URL", async () => {
    server.route("/broken-location", redirect(301, "http://["));
    const error = await failure(makeFetcher().fetch(server.url("/broken-location")));
    expect(error.code).toBe("ARCHIVE_BAD_REDIRECT");
  });
});

describe("status codes and retries", () => {
  const status =
    (code: number, headers: Record<string, string> = {}): Handler =>
    (_req, res) => {
      res.writeHead(code, headers);
      res.end(`status ${code}`);
    };

  it.each([404, 410, 403])("fails %s with its status and does not retry it", async (code) => {
    server.route(`/status-${code}`, status(code));
    const error = (await failure(makeFetcher().fetch(server.url(`/status-${code}`)))) as ArchiveError & {
      status: number;
    };
    expect(error.code).toBe("ARCHIVE_HTTP_STATUS");
    expect(error.status).toBe(code);
    expect(error.message).toContain(server.url(`/status-${code}`));
    expect(hits(`/status-${code}`)).toBe(1);
  });

  it.each([500, 503])("retries %s, then fails with its status", async (code) => {
    server.route(`/status-${code}`, status(code));
    const error = (await failure(makeFetcher().fetch(server.url(`/status-${code}`)))) as ArchiveError & {
      status: number;
    };
    expect(error.code).toBe("ARCHIVE_HTTP_STATUS");
    expect(error.status).toBe(code);
    expect(hits(`/status-${code}`)).toBe(1 + LIMITS.retries);
  });

  it("succeeds after a 429 whose Retry-After is honoured", async () => {
    let calls = 0;
    server.route("/busy", (_req, res) => {
      calls++;
      if (calls === 1) status(429, { "retry-after": "0" })(_req, res);
      else html("<p>now</p>")(_req, res);
    });
    const page = await makeFetcher().fetch(server.url("/busy"));
    expect(page.body.toString()).toBe("<p>now</p>");
    expect(page.attempts).toBe(2);
  });

  it("gives up at once when Retry-After asks for longer than it will wait", async () => {
    server.route("/busy-long", status(503, { "retry-after": "3600" }));
    const error = await failure(makeFetcher().fetch(server.url("/busy-long")));
    expect(error.code).toBe("ARCHIVE_HTTP_STATUS");
    expect(hits("/busy-long")).toBe(1);
  });

  it("retries a connection reset and succeeds", async () => {
    let calls = 0;
    server.route("/reset", (req, res) => {
      calls++;
      if (calls === 1) req.socket.destroy();
      else html("<p>second time lucky</p>")(req, res);
    });
    const page = await makeFetcher().fetch(server.url("/reset"));
    expect(page.body.toString()).toBe("<p>second time lucky</p>");
    expect(page.attempts).toBe(2);
    expect(hits("/reset")).toBe(2);
  });

  it("fails a connection reset that keeps happening as a retryable network error", async () => {
    server.route("/always-reset", (req) => void req.socket.destroy());
    const error = await failure(makeFetcher().fetch(server.url("/always-reset")));
    expect(error.code).toBe("ARCHIVE_NETWORK");
    expect(error.retryable).toBe(true);
    expect(hits("/always-reset")).toBe(1 + LIMITS.retries);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("reads the media type and charset of a Content-Type", () => {
    expect(parseContentType("text/html")).toEqual({ mediaType: "text/html", charset: undefined });
    expect(parseContentType("TEXT/HTML ; foo=bar; charset=Shift_JIS")).toEqual({
      mediaType: "text/html",
      charset: "Shift_JIS",
    });
    expect(parseContentType(undefined)).toEqual({ mediaType: "", charset: undefined });
  });
});

describe("politeness", () => {
  /** A handler that holds each request until released, and records how many were in flight at once. */
  function gate() {
    const state = { inFlight: 0, most: 0, waiting: [] as Array<() => void> };
    const handler: Handler = async (_req, res) => {
      state.inFlight++;
      state.most = Math.max(state.most, state.inFlight);
      await new Promise<void>((resolve) => state.waiting.push(resolve));
      state.inFlight--;
      res.end("ok");
    };
    return { state, handler };
  }
  const settle = async (state: ReturnType<typeof gate>["state"], total: number, pending: Promise<unknown>) => {
    let released = 0;
    const releaser = setInterval(() => {
      const next = state.waiting.shift();
      if (!next) return;
      next();
      released++;
    }, 20);
    await pending;
    clearInterval(releaser);
    expect(released).toBe(total);
  };

  it("sends at most perHostConcurrency requests to one host at once", async () => {
    const { state, handler } = gate();
    server.route("/gate", handler);
    const fetcher = makeFetcher({ perHostConcurrency: 1 });
    const pending = Promise.all([1, 2, 3].map(() => fetcher.fetch(server.url("/gate"))));
    await settle(state, 3, pending);
    expect(state.most).toBe(1);
  });

  it("lets other hosts proceed while one host is at its limit", async () => {
    const { state, handler } = gate();
    server.route("/gate2", handler);
    const lookup = lookupFrom({ "a.test": ["127.0.0.1"], "b.test": ["127.0.0.1"] });
    const fetcher = makeFetcher({ perHostConcurrency: 1, lookup });
    const pending = Promise.all(
      ["a.test", "b.test"].map((host) => fetcher.fetch(`http://${host}:${server.port}/gate2`)),
    );
    while (state.inFlight < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await settle(state, 2, pending);
    expect(state.most).toBe(2);
  });

  it("does not hold the host's slot while backing off before a retry", async () => {
    let flakyCalls = 0;
    server.route("/flaky", (req) => {
      flakyCalls++;
      req.socket.destroy();
    });
    server.route("/quick", html("quick"));
    // A backoff far longer than the test may run: if the backing-off fetch kept the only slot for /quick's host,
    // /quick could not finish and the test would time out.
    const fetcher = makeFetcher({
      perHostConcurrency: 1,
      limits: { retryBaseDelayMs: 60_000, maxRetryDelayMs: 60_000, totalTimeoutMs: 120_000 },
    });
    const stop = new AbortController();
    const flaky = failure(fetcher.fetch(server.url("/flaky"), { signal: stop.signal }));
    while (flakyCalls === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const quick = await fetcher.fetch(server.url("/quick"));
    expect(quick.body.toString()).toBe("quick");
    expect(flakyCalls).toBe(1); // still backing off
    stop.abort();
    expect((await flaky).message).toMatch(/cancelled/);
  }, 10_000);
});

describe("refusing private addresses (SSRF)", () => {
  it("refuses the local server without --allow-private-network, and the server never sees a connection", async () => {
    // A server of its own, so "no connection ever" is exact rather than relative to earlier tests.
    const untouched = await startServer({ "/secret": html("<p>internal</p>") });
    const url = untouched.url("/secret");
    const error = await failure(makeFetcher({ allowPrivateNetwork: false }).fetch(url));
    await untouched.close();
    expect(error.code).toBe("ARCHIVE_BLOCKED_ADDRESS");
    expect(error.url).toBe(url);
    expect(error.message).toContain(url);
    expect(error.message).toContain("127.0.0.1");
    expect(error.message).toContain("loopback");
    expect(error.message).toContain("use --allow-private-network to allow it");
    expect(untouched.requests).toEqual([]);
    expect(untouched.connections).toBe(0);
  });

  it("refuses a name that resolves to a loopback address, after asking DNS and before connecting", async () => {
    const before = server.connections;
    const calls: string[] = [];
    const lookup = lookupFrom({ "intranet.test": ["127.0.0.1"] }, calls);
    const error = await failure(
      makeFetcher({ allowPrivateNetwork: false, lookup }).fetch(`http://intranet.test:${server.port}/secret`),
    );
    expect(error.code).toBe("ARCHIVE_BLOCKED_ADDRESS");
    expect(error.message).toContain("intranet.test resolves to 127.0.0.1");
    expect(calls).toEqual(["intranet.test"]); // judged on the DNS answer, and not retried
    expect(server.connections).toBe(before);
    expect(server.requests).toEqual([]);
  });

  it.each([
    ["a decimal IPv4 host", (port: number) => `http://2130706433:${port}/secret`],
    ["a hex IPv4 host", (port: number) => `http://0x7f.1:${port}/secret`],
    ["an IPv4-mapped IPv6 host", (port: number) => `http://[::ffff:127.0.0.1]:${port}/secret`],
    ["the IPv6 loopback", (port: number) => `http://[::1]:${port}/secret`],
  ])("refuses %s that means the local machine", async (_name, build) => {
    const before = server.connections;
    const error = await failure(makeFetcher({ allowPrivateNetwork: false }).fetch(build(server.port)));
    expect(error.code).toBe("ARCHIVE_BLOCKED_ADDRESS");
    expect(error.message).toMatch(/loopback/);
    expect(server.connections).toBe(before);
  });

  it("refuses the cloud metadata address without trying to connect", async () => {
    // Unreachable here: a fetcher that tried to connect would fail with a timeout or network error instead.
    const error = await failure(
      makeFetcher({ allowPrivateNetwork: false, limits: { connectTimeoutMs: 300, retries: 0 } }).fetch(
        "http://169.254.169.254/latest/meta-data/",
      ),
    );
    expect(error.code).toBe("ARCHIVE_BLOCKED_ADDRESS");
    expect(error.message).toMatch(/169\.254\.169\.254, a link-local address/);
  });

  it("refuses a name when any of its addresses is private, even if another is public", async () => {
    const before = server.connections;
    const lookup = lookupFrom({ "mixed.test": ["127.0.0.1", "10.0.0.7"] });
    const error = await failure(
      makeFetcher({ allowPrivateNetwork: false, lookup }, localhostIsPublic).fetch(
        `http://mixed.test:${server.port}/secret`,
      ),
    );
    expect(error.code).toBe("ARCHIVE_BLOCKED_ADDRESS");
    expect(error.message).toContain("10.0.0.7, a private address");
    expect(server.connections).toBe(before);
  });

  it("connects to the address it checked, not to a second lookup's answer", async () => {
    // "checked.test" exists only in the injected lookup: reaching the server proves the connection used that answer.
    server.route("/checked", html("<p>reached</p>"));
    const calls: string[] = [];
    const lookup = lookupFrom({ "checked.test": ["127.0.0.1"] }, calls);
    const page = await makeFetcher({ allowPrivateNetwork: false, lookup }, localhostIsPublic).fetch(
      `http://checked.test:${server.port}/checked`,
    );
    expect(page.body.toString()).toBe("<p>reached</p>");
    expect(calls).toEqual(["checked.test"]);
  });

  describe("on a redirect hop", () => {
    // Server B listens on 127.0.0.2, a loopback address the real policy refuses. Server A (127.0.0.1) counts as
    // public here, so only the hop check stands between A's redirect and B: if it failed, B would see the request.
    let inner: TestServer;
    beforeAll(async () => {
      inner = await startServer({ "/secret": html("<p>metadata</p>") }, { host: "127.0.0.2" });
    });
    afterAll(async () => {
      await inner.close();
    });

    it("refuses a redirect from a public server to a private address literal", async () => {
      server.route("/to-inner", (_req, res) => {
        res.writeHead(302, { location: inner.url("/secret") });
        res.end();
      });
      const lookup = lookupFrom({ "public.test": ["127.0.0.1"] });
      const start = `http://public.test:${server.port}/to-inner`;
      const error = await failure(makeFetcher({ allowPrivateNetwork: false, lookup }, localhostIsPublic).fetch(start));
      expect(error.code).toBe("ARCHIVE_BLOCKED_ADDRESS");
      expect(error.url).toBe(start);
      expect(error.message).toContain(`${inner.url("/secret")} (redirected from ${start})`);
      expect(server.requests).toEqual(["/to-inner"]);
      expect(inner.connections).toBe(0);
    });

    it("refuses a redirect from a public server to a name that resolves to a private address", async () => {
      server.route("/to-inner-name", (_req, res) => {
        res.writeHead(301, { location: `http://metadata.test:${inner.port}/secret` });
        res.end();
      });
      const lookup = lookupFrom({ "public.test": ["127.0.0.1"], "metadata.test": ["127.0.0.2"] });
      const error = await failure(
        makeFetcher({ allowPrivateNetwork: false, lookup }, localhostIsPublic).fetch(
          `http://public.test:${server.port}/to-inner-name`,
        ),
      );
      expect(error.code).toBe("ARCHIVE_BLOCKED_ADDRESS");
      expect(error.message).toContain("metadata.test resolves to 127.0.0.2, a loopback address");
      expect(inner.connections).toBe(0);
    });

    it("follows the same redirect when private addresses are allowed", async () => {
      // The control for the two tests above: the hop is reachable, so their refusals are the policy at work.
      server.route("/to-inner-allowed", (_req, res) => {
        res.writeHead(302, { location: inner.url("/secret") });
        res.end();
      });
      const page = await makeFetcher({ allowPrivateNetwork: true }).fetch(server.url("/to-inner-allowed"));
      expect(page.body.toString()).toBe("<p>metadata</p>");
      expect(inner.requests.at(-1)).toBe("/secret");
    });
  });

  it("reports a name that does not resolve as a DNS error, without retrying it", async () => {
    const calls: string[] = [];
    const lookup = lookupFrom({}, calls);
    const error = await failure(makeFetcher({ lookup }).fetch("http://no-such-host.test/page"));
    expect(error.code).toBe("ARCHIVE_DNS");
    expect(error.url).toBe("http://no-such-host.test/page");
    expect(error.message).toMatch(/Could not resolve no-such-host\.test/);
    expect(calls).toEqual(["no-such-host.test"]);
  });
});
