/**
 * Fetch stage: a URL in, a FetchedResource out — redirects followed by hand, the body decompressed and read within
 * time and byte bounds, blocked (private) addresses refused before connecting. Side effect: HTTP requests through the
 * Fetcher's own undici Agent. Errors: the ArchiveError classes of errors.ts, each carrying the URL asked for.
 */
import dns from "node:dns";
import type { LookupAddress, LookupOptions } from "node:dns";
import net from "node:net";
import tls from "node:tls";
import { Transform, Writable } from "node:stream";
import type { Readable, TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import zlib from "node:zlib";
import { Agent, buildConnector } from "undici";
import type { Dispatcher } from "undici";
import { isBlockedAddress, stripAddress } from "./address.ts";
import {
  ArchiveError,
  BadLinkError,
  BadRedirectError,
  BlockedAddressError,
  DnsError,
  FetchTimeoutError,
  HttpStatusError,
  NetworkError,
  RedirectLoopError,
  TlsError,
  TooLargeError,
  TooManyRedirectsError,
  UnsupportedTypeError,
} from "../errors.ts";
import type { FetchedResource, Fetcher, FetcherOptions, FetchLimits, FetchRequest } from "../types.ts";

/**
 * Seams for tests only; config never sets them. `blockedReason` replaces the address policy so a test can treat
 * its 127.0.0.1 server as "public" and prove that a redirect hop to another address is still checked.
 */
export interface FetcherSeams {
  blockedReason?: (address: string) => string | undefined;
  /** Certificates (PEM) trusted besides Node's root CAs: a test's own HTTPS server. */
  extraCa?: string[];
}

const DEFAULT_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

// zstd arrived in node:zlib with Node 22.15/23.8; advertise it only where we can decode it.
const HAS_ZSTD = typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === "function";
const ACCEPT_ENCODING = HAS_ZSTD ? "gzip, deflate, br, zstd" : "gzip, deflate, br";

// https://www.rfc-editor.org/rfc/rfc9110#section-15.4: 300, 304 and 305 are not redirects we can follow.
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function createFetcher(options: FetcherOptions, seams: FetcherSeams = {}): Fetcher {
  const { limits } = options;
  const blockedReason = options.allowPrivateNetwork
    ? () => undefined
    : (seams.blockedReason ?? ((address: string) => isBlockedAddress(address)));
  const resolve = options.lookup ?? systemLookup;

  // The check and the connection use the same answer: net.connect asks this lookup (and nothing else) for the
  // addresses, so a DNS answer that changes between check and connect (rebinding) cannot slip through.
  const checkedLookup = (
    hostname: string,
    lookupOptions: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    resolveChecked(hostname, resolve, blockedReason).then(
      (answers) => {
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const usable = wanted ? answers.filter((answer) => answer.family === wanted) : answers;
        const first = usable[0];
        if (!first) callback(new LookupFailure(hostname, "ENOTFOUND"), "");
        else if (lookupOptions.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };
  const baseConnector = buildConnector({
    timeout: limits.connectTimeoutMs,
    lookup: checkedLookup,
    // One TLS context for every connection of the run (Node's defaults: its root CAs, its protocol floor): without
    // it, tls.connect builds a new one per connection, ~1.5 ms of CPU each, paid even when the lookup then fails.
    secureContext: tls.createSecureContext(seams.extraCa ? { ca: [...tls.rootCertificates, ...seams.extraCa] } : {}),
    // HTTP/1.1 only: its header and body-idle timeouts are the ones we rely on.
    allowH2: false,
  });
  // net.connect never calls `lookup` for an IP literal, so literals are judged here.
  const connector: buildConnector.connector = (connectOptions, callback) => {
    const literal = stripAddress(connectOptions.hostname);
    if (net.isIP(literal)) {
      const reason = blockedReason(literal);
      if (reason) {
        callback(new AddressRefusal(connectOptions.hostname, literal, reason), null);
        return;
      }
    }
    baseConnector(connectOptions, callback);
  };
  const agent = new Agent({
    connect: connector,
    allowH2: false,
    headersTimeout: limits.headersTimeoutMs,
    bodyTimeout: limits.bodyIdleTimeoutMs,
  });
  const hosts = new HostLimiter(Math.max(1, options.perHostConcurrency));

  return {
    fetch: (url, request = {}) =>
      fetchResource(url, request, { agent, hosts, limits, userAgent: options.userAgent, blockedReason }),
    // destroy, not close: the end of a run must not wait for a server that is still dripping.
    close: () => agent.destroy(),
  };
}

interface Context {
  agent: Dispatcher;
  hosts: HostLimiter;
  limits: FetchLimits;
  userAgent: string;
  blockedReason: (address: string) => string | undefined;
}

/** One fetch: its own total deadline, the redirect chain, and the retry budget shared by all hops. */
async function fetchResource(url: string, request: FetchRequest, context: Context): Promise<FetchedResource> {
  const { limits } = context;
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new BadLinkError(`"${url}" is not an absolute URL; write it with http:// or https://`, { url });
  }
  if (!isHttp(current)) {
    throw new BadLinkError(`"${url}" is not an http(s) URL; only http and https pages can be archived`, { url });
  }

  const totalTimeoutMs = request.totalTimeoutMs ?? limits.totalTimeoutMs;
  const deadline = new Deadline(totalTimeoutMs);
  const signal = request.signal ? AbortSignal.any([deadline.signal, request.signal]) : deadline.signal;
  const state: FetchState = {
    url,
    request,
    context,
    deadline,
    signal,
    maxBytes: request.maxBytes ?? limits.maxBytes,
    totalTimeoutMs,
    retriesLeft: limits.retries,
  };

  const chain = [url];
  const seen = new Set([withoutFragment(current)]);
  try {
    for (;;) {
      const outcome = await hopWithRetries(current, state);
      if (outcome.kind === "response") {
        return { ...outcome.response, url, finalUrl: chain[chain.length - 1] ?? url, redirectChain: chain };
      }
      // We only ever send GET, so 301/302/303 (→ GET) and 307/308 (same method) all mean "GET the new URL".
      let next: URL;
      try {
        next = new URL(outcome.location, current); // relative references resolve against the request's URL
      } catch {
        throw new BadRedirectError(
          `${current.href} redirects to "${outcome.location}", which is not a valid URL (asked for ${url})`,
          { url },
        );
      }
      if (!isHttp(next)) {
        throw new BadRedirectError(
          `${current.href} redirects to ${next.href}, which is not an http(s) URL; only http and https redirects are followed (asked for ${url})`,
          { url },
        );
      }
      // RFC 9110 §10.2.2: a Location without a fragment inherits the fragment of the original reference.
      if (next.hash === "" && current.hash !== "") next.hash = current.hash;
      const key = withoutFragment(next);
      if (seen.has(key)) {
        throw new RedirectLoopError(`${url} redirects in a loop: ${[...chain, next.href].join(" → ")}`, { url });
      }
      if (chain.length - 1 >= limits.maxRedirects) {
        throw new TooManyRedirectsError(
          `${url} redirected more than ${limits.maxRedirects} times (${[...chain, next.href].join(" → ")}); the link may be broken, or point at its final address instead`,
          { url },
        );
      }
      chain.push(next.href);
      seen.add(key);
      current = next;
    }
  } finally {
    deadline.dispose();
  }
}

interface FetchState {
  url: string;
  request: FetchRequest;
  context: Context;
  deadline: Deadline;
  signal: AbortSignal;
  maxBytes: number;
  totalTimeoutMs: number;
  /** Retries are budgeted per fetch, not per hop, so a long chain cannot multiply them. */
  retriesLeft: number;
}

type ResponseParts = Pick<FetchedResource, "status" | "headers" | "mediaType" | "charset" | "body" | "attempts">;
type HopOutcome = { kind: "response"; response: ResponseParts } | { kind: "redirect"; location: string };

/** Retry-After of a 429/503, in ms, kept beside the error it came with. */
const retryAfterOf = new WeakMap<ArchiveError, number>();

async function hopWithRetries(target: URL, state: FetchState): Promise<HopOutcome> {
  const { limits } = state.context;
  for (let retry = 0; ; retry++) {
    try {
      return await hopOnce(target, state);
    } catch (error) {
      const failure = toFetchError(error, target, state);
      if (!failure.retryable || state.retriesLeft <= 0 || state.signal.aborted) throw failure;
      const retryAfter = retryAfterOf.get(failure);
      // A server asking us to wait longer than we are willing to is answered now; the next run retries the link.
      if (retryAfter !== undefined && retryAfter > limits.maxRetryDelayMs) throw failure;
      const delay = retryAfter ?? Math.min(limits.retryBaseDelayMs * 2 ** retry, limits.maxRetryDelayMs);
      // Sleeping past the deadline would only turn a clear error into a timeout.
      if (delay >= state.deadline.remaining()) throw failure;
      state.retriesLeft--;
      try {
        // Outside any host slot: a backing-off fetch must not hold up other fetches to the same host.
        await sleep(delay, undefined, { signal: state.signal });
      } catch (sleepError) {
        throw toFetchError(sleepError, target, state);
      }
    }
  }
}

/** One request to one URL: waits for a host slot, sends GET, reads (or discards) the body. */
async function hopOnce(target: URL, state: FetchState): Promise<HopOutcome> {
  const { context, signal, deadline } = state;
  checkLiteral(target, state);

  // Waiting for a polite slot is not the server's slowness: the total clock stops meanwhile.
  deadline.pause();
  let release: () => void;
  try {
    release = await context.hosts.acquire(target.hostname, signal);
  } finally {
    deadline.resume();
  }
  try {
    const response = await context.agent.request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: "GET",
      headers: {
        "user-agent": context.userAgent,
        accept: state.request.accept ?? DEFAULT_ACCEPT,
        "accept-encoding": ACCEPT_ENCODING,
      },
      signal,
      headersTimeout: context.limits.headersTimeoutMs,
      bodyTimeout: context.limits.bodyIdleTimeoutMs,
    });
    const { statusCode, body } = response;
    const headers = flattenHeaders(response.headers);

    if (REDIRECT_STATUSES.has(statusCode) && headers.location !== undefined) {
      discard(body); // never read: a redirect's body could drip or be endless too
      return { kind: "redirect", location: headers.location };
    }
    if (statusCode < 200 || statusCode > 299) {
      discard(body);
      const error = new HttpStatusError(statusCode, statusMessage(statusCode, target, state), { url: state.url });
      const retryAfter = parseRetryAfter(headers["retry-after"]);
      if (retryAfter !== undefined) retryAfterOf.set(error, retryAfter);
      throw error;
    }

    const declared = headers["content-length"] === undefined ? NaN : Number(headers["content-length"]);
    if (declared > state.maxBytes) {
      discard(body);
      throw new TooLargeError(
        `${describe(target, state)} is ${declared} bytes (Content-Length), over the limit of ${state.maxBytes} bytes; if it is wanted, raise --max-bytes (pages) or --image-max-bytes (images)`,
        { url: state.url },
      );
    }

    const { mediaType, charset } = parseContentType(headers["content-type"]);
    const decoded = await readBody(body, contentCodings(headers["content-encoding"], target, state), target, state);
    return {
      kind: "response",
      response: {
        status: statusCode,
        headers,
        mediaType,
        charset,
        body: decoded,
        // Redirect hops are not attempts: only the retries spent on the way count.
        attempts: 1 + context.limits.retries - state.retriesLeft,
      },
    };
  } finally {
    release();
  }
}

/** IP-literal hosts are judged before queueing, so the message can name the URL (the connector checks again). */
function checkLiteral(target: URL, state: FetchState): void {
  const literal = stripAddress(target.hostname);
  if (!net.isIP(literal)) return;
  const reason = state.context.blockedReason(literal);
  if (reason) throw blockedError(target, state, literal, reason);
}

/** Streams the body through the decoders into memory, stopping as soon as the decoded size passes the cap. */
async function readBody(body: Readable, codings: string[], target: URL, state: FetchState): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > state.maxBytes) {
        callback(
          new TooLargeError(
            `${describe(target, state)} is larger than the limit of ${state.maxBytes} bytes (after decompression); if it is wanted, raise --max-bytes (pages) or --image-max-bytes (images)`,
            { url: state.url },
          ),
        );
        return;
      }
      chunks.push(chunk);
      callback();
    },
  });
  // Content-Encoding lists codings in the order they were applied: undo them last first.
  const decoders = [...codings].reverse().map((coding) => createDecoder(coding));
  const decoderFailures = new WeakSet<object>();
  for (const decoder of decoders) decoder.once("error", (error) => decoderFailures.add(error));
  try {
    // pipeline destroys every stream on error or abort, so the socket is closed rather than drained.
    await pipeline([body, ...decoders, sink], { signal: state.signal });
  } catch (error) {
    // pipeline hands the sink's TooLargeError to every stream too, so only errors a decoder raised itself count.
    const fromDecoder = error instanceof Error && !(error instanceof ArchiveError) && decoderFailures.has(error);
    if (fromDecoder && !state.signal.aborted) {
      // Not retryable: the same bytes would come back.
      throw new ArchiveError(
        "ARCHIVE_NETWORK",
        `The body of ${describe(target, state)} could not be decompressed (${codings.join(", ")}): ${error.message}; the server sent a corrupt response`,
        { url: state.url, cause: error },
      );
    }
    throw error;
  }
  return Buffer.concat(chunks, size);
}

function contentCodings(header: string | undefined, target: URL, state: FetchState): string[] {
  if (!header) return [];
  const codings = header
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
  for (const coding of codings) {
    if (!["gzip", "x-gzip", "deflate", "br", ...(HAS_ZSTD ? ["zstd"] : [])].includes(coding)) {
      throw new UnsupportedTypeError(
        `${describe(target, state)} is sent with Content-Encoding "${coding}", which the archiver cannot decode (it asks for ${ACCEPT_ENCODING})`,
        { url: state.url },
      );
    }
  }
  return codings;
}

// Lenient like browsers: a body whose compressed stream ends early but whose HTTP message was complete still decodes.
const ZLIB_OPTIONS = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };

function createDecoder(coding: string): Transform {
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip(ZLIB_OPTIONS);
    case "deflate":
      return new DeflateDecoder();
    case "br":
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default: // zstd, the only other coding contentCodings lets through
      return (zlib as unknown as { createZstdDecompress(): Transform }).createZstdDecompress();
  }
}

/**
 * "deflate" is meant to be zlib-wrapped (RFC 9110 §8.4.1.2), but some servers send raw deflate; like browsers, tell
 * them apart by the first byte (a zlib header's low nibble is 8, the deflate method). Output honours backpressure so
 * a bomb inflates only as fast as the byte counter downstream accepts it.
 */
class DeflateDecoder extends Transform {
  #inflater: zlib.Inflate | zlib.InflateRaw | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.#inflater) {
      if (chunk.length === 0) return callback();
      const inflater =
        ((chunk[0] ?? 0) & 0x0f) === 0x08 ? zlib.createInflate(ZLIB_OPTIONS) : zlib.createInflateRaw(ZLIB_OPTIONS);
      inflater.on("data", (out: Buffer) => {
        if (!this.push(out)) inflater.pause();
      });
      inflater.on("error", (error) => this.destroy(error));
      this.#inflater = inflater;
    }
    this.#inflater.write(chunk, () => callback());
  }

  override _read(size: number): void {
    this.#inflater?.resume();
    super._read(size);
  }

  override _flush(callback: TransformCallback): void {
    const inflater = this.#inflater;
    if (!inflater) return callback();
    inflater.once("end", () => callback());
    inflater.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#inflater?.destroy();
    callback(error);
  }
}

/** Maps whatever a hop threw to an ArchiveError that names the URL and says what to try. */
function toFetchError(error: unknown, target: URL, state: FetchState): ArchiveError {
  const { limits } = state.context;
  const where = describe(target, state);
  const host = target.host;

  // Checked before anything else: once the deadline passes, every error below is a consequence of the abort.
  if (state.deadline.expired) {
    return new FetchTimeoutError(
      `${where} did not finish within the total time limit of ${state.totalTimeoutMs} ms (the server may be sending very slowly); try again later or raise --timeout (pages) or --image-timeout (images)`,
      { url: state.url, cause: error },
    );
  }
  if (state.request.signal?.aborted) {
    // Not retryable: the run asked us to stop.
    return new ArchiveError("ARCHIVE_NETWORK", `Fetching ${where} was cancelled`, { url: state.url, cause: error });
  }
  if (error instanceof ArchiveError) return error;

  const refusal = findInChain(error, AddressRefusal);
  if (refusal) return blockedError(target, state, refusal.address, refusal.reason, error);
  const lookupFailure = findInChain(error, LookupFailure);
  if (lookupFailure) {
    const temporary = lookupFailure.code === "EAI_AGAIN";
    return new DnsError(
      temporary
        ? `Could not resolve ${target.hostname} for ${where}: DNS did not answer (${lookupFailure.code}); try again later`
        : `Could not resolve ${target.hostname} for ${where} (${lookupFailure.code}): check the spelling of the host, or whether the site still exists`,
      { url: state.url, cause: error, retryable: temporary },
    );
  }

  const code = errorCode(error);
  switch (code) {
    case "UND_ERR_CONNECT_TIMEOUT":
      return new FetchTimeoutError(
        `Connecting to ${host} for ${where} took longer than ${limits.connectTimeoutMs} ms; the server may be down or unreachable from here`,
        { url: state.url, cause: error },
      );
    case "UND_ERR_HEADERS_TIMEOUT":
      return new FetchTimeoutError(
        `${where} sent no response headers within ${limits.headersTimeoutMs} ms; the server may be overloaded, try again later`,
        { url: state.url, cause: error },
      );
    case "UND_ERR_BODY_TIMEOUT":
      return new FetchTimeoutError(
        `${where} stopped sending its body for more than ${limits.bodyIdleTimeoutMs} ms; the server may be overloaded, try again later`,
        { url: state.url, cause: error },
      );
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "CERT_HAS_EXPIRED":
    case "CERT_NOT_YET_VALID":
    case "CERT_REVOKED":
    case "CERT_UNTRUSTED":
    case "CERT_REJECTED":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      // Not retried: the same certificate would come back. Archiving over a connection we cannot authenticate would
      // store whatever a machine in the middle chose to send under the real site's address.
      return new TlsError(
        `${host} presented a TLS certificate that is not trusted (${code}) for ${where}: it may be self-signed, expired or issued for another name. The page was not fetched; check the URL in a browser`,
        { url: state.url, cause: error },
      );
    case "ECONNREFUSED":
      return new NetworkError(`${host} refused the connection for ${where}; the server may be down, try again later`, {
        url: state.url,
        cause: error,
      });
  }
  return new NetworkError(
    `The connection to ${host} failed while fetching ${where} (${code ?? messageOf(error)}); try again later`,
    { url: state.url, cause: error },
  );
}

function blockedError(target: URL, state: FetchState, address: string, reason: string, cause?: unknown) {
  const literal = stripAddress(target.hostname) === address;
  return new BlockedAddressError(
    `Refused to fetch ${describe(target, state)}: ${literal ? "" : `${target.hostname} resolves to `}${address}, a ${reason} address; use --allow-private-network to allow it`,
    { url: state.url, cause },
  );
}

/** "http://b/ (redirected from http://a/)": the hop, and what was asked for when they differ. */
function describe(target: URL, state: FetchState): string {
  return target.href === state.url || target.href === new URL(state.url).href
    ? target.href
    : `${target.href} (redirected from ${state.url})`;
}

function statusMessage(status: number, target: URL, state: FetchState): string {
  const where = describe(target, state);
  if (status === 404 || status === 410) {
    return `${where} answered HTTP ${status}: the page is gone; if it moved, put its new address in the links file`;
  }
  if (status === 429) return `${where} answered HTTP 429 (too many requests); try again later, or lower the concurrency`;
  if (status === 401 || status === 403) {
    return `${where} answered HTTP ${status}: the server does not let the archiver read it`;
  }
  if (status >= 500) return `${where} answered HTTP ${status}: the server failed; try again later`;
  return `${where} answered HTTP ${status}, not a page the archiver can keep`;
}

/** Internal: a resolved or literal address the policy refuses. Becomes a BlockedAddressError with the URL. */
class AddressRefusal extends Error {
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(`${hostname} resolves to ${address}, a ${reason} address`);
  }
}

/** Internal: DNS gave no usable answer. Becomes a DnsError with the URL. */
class LookupFailure extends Error {
  constructor(
    readonly hostname: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`Could not resolve ${hostname} (${code})`, options);
  }
}

/**
 * Every answer is checked, and one blocked answer refuses the host: connecting to "the public one" would leave the
 * choice of address to net.connect's family selection, and a name that mixes public and private answers is a
 * rebinding setup anyway.
 */
async function resolveChecked(
  hostname: string,
  resolve: NonNullable<FetcherOptions["lookup"]>,
  blockedReason: (address: string) => string | undefined,
): Promise<LookupAddress[]> {
  let answers: Array<{ address: string; family: 4 | 6 }>;
  try {
    answers = await resolve(hostname);
  } catch (error) {
    throw new LookupFailure(hostname, errorCode(error) ?? "ENOTFOUND", { cause: error });
  }
  if (answers.length === 0) throw new LookupFailure(hostname, "ENOTFOUND");
  for (const answer of answers) {
    const reason = blockedReason(answer.address);
    if (reason) throw new AddressRefusal(hostname, answer.address, reason);
  }
  return answers.map(({ address, family }) => ({ address: stripAddress(address), family }));
}

async function systemLookup(hostname: string): Promise<Array<{ address: string; family: 4 | 6 }>> {
  const answers = await dns.promises.lookup(hostname, { all: true, order: "verbatim" });
  return answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}

/** At most `perHost` fetches hold a slot for one host; the rest wait in order. */
class HostLimiter {
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, Array<() => void>>();

  constructor(readonly perHost: number) {}

  async acquire(host: string, signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    const active = this.#active.get(host) ?? 0;
    if (active < this.perHost) {
      this.#active.set(host, active + 1);
      return this.#releaser(host);
    }
    await new Promise<void>((resolve, reject) => {
      const queue = this.#waiting.get(host) ?? [];
      this.#waiting.set(host, queue);
      const onAbort = () => {
        const index = queue.indexOf(grant);
        if (index !== -1) queue.splice(index, 1);
        reject(signal.reason);
      };
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      queue.push(grant);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return this.#releaser(host);
  }

  #releaser(host: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.get(host)?.shift();
      if (next) return next(); // the slot passes straight to the next waiter
      if (this.#waiting.get(host)?.length === 0) this.#waiting.delete(host);
      const active = (this.#active.get(host) ?? 1) - 1;
      if (active > 0) this.#active.set(host, active);
      else this.#active.delete(host);
    };
  }
}

/** The total time budget of one fetch; it can pause while the fetch waits for a host slot. */
class Deadline {
  readonly #controller = new AbortController();
  #remaining: number;
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number) {
    this.#remaining = ms;
    this.resume();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get expired(): boolean {
    return this.#controller.signal.aborted;
  }

  remaining(): number {
    return this.#timer === undefined ? this.#remaining : this.#remaining - (performance.now() - this.#startedAt);
  }

  pause(): void {
    if (this.#timer === undefined) return;
    this.#remaining = this.remaining();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  resume(): void {
    if (this.#timer !== undefined || this.expired) return;
    this.#startedAt = performance.now();
    this.#timer = setTimeout(() => this.#controller.abort(new Error("total timeout")), Math.max(0, this.#remaining));
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from now. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** "text/HTML; charset=ISO-8859-1" → { mediaType: "text/html", charset: "ISO-8859-1" }. */
export function parseContentType(value: string | undefined): { mediaType: string; charset: string | undefined } {
  if (!value) return { mediaType: "", charset: undefined };
  const [type = "", ...parameters] = value.split(";");
  let charset: string | undefined;
  for (const parameter of parameters) {
    const equals = parameter.indexOf("=");
    if (equals === -1 || parameter.slice(0, equals).trim().toLowerCase() !== "charset") continue;
    const raw = parameter.slice(equals + 1).trim();
    charset = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
    break;
  }
  return { mediaType: type.trim().toLowerCase(), charset: charset || undefined };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/** Drops a body unread. Destroying closes the connection, which is cheaper than draining a hostile body. */
function discard(body: Readable): void {
  body.on("error", () => {}); // undici reports the destroy as an abort error; nobody is waiting for it
  body.destroy();
}

function isHttp(url: URL): boolean {
  return url.protocol === "http:" || url.protocol === "https:";
}

function withoutFragment(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = "";
  return copy.href;
}

function findInChain<T extends Error>(error: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if (current instanceof type) return current;
    if (current instanceof AggregateError) {
      const inner = current.errors.find((item) => item instanceof type) as T | undefined;
      if (inner) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
