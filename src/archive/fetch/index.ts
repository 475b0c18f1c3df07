/**
 * Fetch stage: a URL in, a FetchedResource out — redirects followed by hand, the body decompressed and read within
 * time and byte bounds, blocked (private) addresses refused before connecting. Side effect: HTTP requests through the
 * Fetcher's own undici Agent. Errors: the ArchiveError classes of errors.ts, each carrying the URL asked for.
 */
import { setTimeout as sleep } from "node:timers/promises";
import net from "node:net";
import { Agent } from "undici";
import { isBlockedAddress, stripAddress } from "./address.ts";
import { ACCEPT_ENCODING, contentCodings, readBody } from "./body.ts";
import { createConnector } from "./connect.ts";
import { DeadHosts } from "./dead-hosts.ts";
import { Deadline } from "./deadline.ts";
import { blockedError, describe, statusMessage, toFetchError } from "./failure.ts";
import { discard, flattenHeaders, isHttp, parseContentType, withoutFragment } from "./http.ts";
import { parseRetryAfter } from "./retry.ts";
import { HostLimiter } from "./slots.ts";
import type { Context, FetchState } from "./state.ts";
import {
  BadLinkError,
  BadRedirectError,
  HttpStatusError,
  RedirectLoopError,
  TooLargeError,
  TooManyRedirectsError,
} from "../errors.ts";
import type { ArchiveConfig, ExtraHeaders, FetchedResource, Fetcher, FetcherOptions, FetchRequest, FetchStats } from "../types.ts";

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

// https://www.rfc-editor.org/rfc/rfc9110#section-15.4: 300, 304 and 305 are not redirects we can follow.
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function createFetcher(options: FetcherOptions, seams: FetcherSeams = {}): Fetcher {
  const { limits } = options;
  const blockedReason = options.allowPrivateNetwork
    ? () => undefined
    : (seams.blockedReason ?? ((address: string) => isBlockedAddress(address)));
  const agent = new Agent({
    connect: createConnector({ connectTimeoutMs: limits.connectTimeoutMs, blockedReason, resolve: options.lookup, extraCa: seams.extraCa }),
    allowH2: false,
    headersTimeout: limits.headersTimeoutMs,
    bodyTimeout: limits.bodyIdleTimeoutMs,
  });
  const hosts = new HostLimiter(Math.max(1, options.perHostConcurrency));
  const deadHosts = options.rememberDeadHosts === false ? undefined : new DeadHosts();
  const stats: FetchStats = { requests: 0, bytes: 0 };

  return {
    fetch: (url, request = {}) =>
      fetchResource(url, request, { agent, hosts, limits, userAgent: options.userAgent, blockedReason, deadHosts, stats }),
    // destroy, not close: the end of a run must not wait for a server that is still dripping.
    close: () => agent.destroy(),
    stats: () => ({ ...stats }),
  };
}

/** A lookup for a machine with no internet: every name fails as a name that does not exist, at once. */
export async function offlineLookup(hostname: string): Promise<never> {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (offline)`), { code: "ENOTFOUND" });
}

/**
 * The fetcher of an archive run, from its resolved config. `offline`: no name resolves (only IP literals, such as a
 * local test server, are reached), for the demo, the bench and tests that must not touch the internet.
 */
export function createFetcherFor(config: ArchiveConfig, { offline = false }: { offline?: boolean } = {}, seams: FetcherSeams = {}): Fetcher {
  return createFetcher(
    {
      limits: config.fetch,
      userAgent: config.userAgent,
      allowPrivateNetwork: config.allowPrivateNetwork,
      perHostConcurrency: config.perHostConcurrency,
      ...(offline ? { lookup: offlineLookup } : {}),
    },
    seams,
  );
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
    // A POST is sent once: retrying it could submit twice.
    retriesLeft: request.method === "POST" ? 0 : limits.retries,
  };

  const chain = [url];
  const statuses: number[] = [];
  const seen = new Set([withoutFragment(current)]);
  try {
    for (;;) {
      const outcome = await hopWithRetries(current, state);
      if (outcome.kind === "response") {
        return { ...outcome.response, url, finalUrl: chain[chain.length - 1] ?? url, redirectChain: chain, redirectStatuses: statuses };
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
      statuses.push(outcome.status);
      seen.add(key);
      current = next;
    }
  } finally {
    deadline.dispose();
  }
}


type ResponseParts = Pick<FetchedResource, "status" | "headers" | "mediaType" | "charset" | "body" | "attempts">;
type HopOutcome = { kind: "response"; response: ResponseParts } | { kind: "redirect"; location: string; status: number };

/** Only the headers a caller may add (ExtraHeaders), and only values that fit on a header line. */
function extraHeaders(headers: ExtraHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["if-none-match", "if-modified-since", "authorization", "content-type"] as const) {
    const value = headers?.[name];
    if (value !== undefined && /^[\x20-\x7e]{1,2000}$/.test(value)) out[name] = value;
  }
  return out;
}

async function hopWithRetries(target: URL, state: FetchState): Promise<HopOutcome> {
  const { limits } = state.context;
  for (let retry = 0; ; retry++) {
    try {
      return await hopOnce(target, state);
    } catch (error) {
      state.context.deadHosts?.learn(target, error);
      const failure = toFetchError(error, target, state);
      if (!failure.retryable || state.retriesLeft <= 0 || state.signal.aborted) throw failure;
      const retryAfter = failure instanceof HttpStatusError ? failure.retryAfterMs : undefined;
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
  const known = context.deadHosts?.check(target, state.url);
  if (known) throw known;

  // Waiting for a polite slot is not the server's slowness: the total clock stops meanwhile.
  deadline.pause();
  let release: () => void;
  try {
    release = await context.hosts.acquire(target.hostname, signal);
  } finally {
    deadline.resume();
  }
  try {
    const post = state.request.method === "POST";
    const extra = extraHeaders(state.request.headers);
    context.stats.requests += 1;
    const response = await context.agent.request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: post ? "POST" : "GET",
      ...(post ? { body: state.request.body ?? "" } : {}),
      headers: {
        ...extra,
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

    if (REDIRECT_STATUSES.has(statusCode) && headers.location !== undefined && !post) {
      discard(body); // never read: a redirect's body could drip or be endless too
      return { kind: "redirect", location: headers.location, status: statusCode };
    }
    // A conditional request's "not modified" is an answer, with no body (RFC 9110 §15.4.5).
    if (statusCode === 304 && (extra["if-none-match"] !== undefined || extra["if-modified-since"] !== undefined)) {
      discard(body);
      return { kind: "response", response: { status: 304, headers, mediaType: "", charset: undefined, body: Buffer.alloc(0), attempts: 1 + context.limits.retries - state.retriesLeft } };
    }
    if (statusCode < 200 || statusCode > 299) {
      discard(body);
      throw new HttpStatusError(statusCode, statusMessage(statusCode, target, state), {
        url: state.url,
        retryAfterMs: parseRetryAfter(headers["retry-after"]),
      });
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
    context.stats.bytes += decoded.length;
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

