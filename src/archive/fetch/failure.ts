/** Whatever a hop threw, as an ArchiveError that names the URL asked for, the hop, and what to try. */
import {
  ArchiveError,
  BlockedAddressError,
  CancelledError,
  DnsError,
  FetchTimeoutError,
  NetworkError,
  TlsError,
} from "../errors.ts";
import { errorCode, findInChain, messageOf } from "../../util/error.ts";
import { stripAddress } from "./address.ts";
import { AddressRefusal, LookupFailure } from "./connect.ts";
import type { FetchState } from "./state.ts";

/** Maps whatever a hop threw to an ArchiveError that names the URL and says what to try. */
export function toFetchError(error: unknown, target: URL, state: FetchState): ArchiveError {
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
    return new CancelledError(`Fetching ${where} was cancelled`, { url: state.url, cause: error });
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

export function blockedError(target: URL, state: FetchState, address: string, reason: string, cause?: unknown) {
  const literal = stripAddress(target.hostname) === address;
  return new BlockedAddressError(
    `Refused to fetch ${describe(target, state)}: ${literal ? "" : `${target.hostname} resolves to `}${address}, a ${reason} address; use --allow-private-network to allow it`,
    { url: state.url, cause },
  );
}

/** "http://b/ (redirected from http://a/)": the hop, and what was asked for when they differ. */
export function describe(target: URL, state: FetchState): string {
  return target.href === state.url || target.href === new URL(state.url).href
    ? target.href
    : `${target.href} (redirected from ${state.url})`;
}

export function statusMessage(status: number, target: URL, state: FetchState): string {
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
