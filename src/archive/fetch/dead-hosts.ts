/**
 * Hosts learned to be down in this run: a name that does not resolve, a connection refused or unreachable, a connect
 * that timed out, a certificate that is not trusted. None of these changes within a run, and old pages are full of
 * images on such hosts: after the first failure, every other request to that host fails at once with the same code,
 * instead of each waiting for its own DNS or connect timeout. Per Fetcher, so per run. Pure bookkeeping, no I/O.
 */
import { ArchiveError, type ArchiveErrorCode } from "../errors.ts";
import { errorCode, findInChain } from "../../util/error.ts";
import { LookupFailure } from "./connect.ts";

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

interface Down {
  code: ArchiveErrorCode;
  why: string;
}

/** What a raw failure says about its host, when it says the host is down for this run; by name or by host:port. */
function downOf(raw: unknown): (Down & { byName: boolean }) | undefined {
  const lookup = findInChain(raw, LookupFailure);
  // EAI_AGAIN is the resolver not answering, which may pass; anything else means the name has no address.
  if (lookup) return lookup.code === "EAI_AGAIN" ? undefined : { code: "ARCHIVE_DNS", why: "its name does not resolve", byName: true };
  const code = errorCode(raw) ?? errorCode((raw as { cause?: unknown } | undefined)?.cause);
  if (code === "ECONNREFUSED") return { code: "ARCHIVE_NETWORK", why: "it refused the connection", byName: false };
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return { code: "ARCHIVE_NETWORK", why: "it cannot be reached", byName: false };
  if (code === "UND_ERR_CONNECT_TIMEOUT") return { code: "ARCHIVE_FETCH_TIMEOUT", why: "connecting to it timed out", byName: false };
  if (code !== undefined && TLS_CODES.has(code)) return { code: "ARCHIVE_TLS", why: "its TLS certificate is not trusted", byName: false };
  return undefined;
}

export class DeadHosts {
  readonly #byName = new Map<string, Down>();
  readonly #byHost = new Map<string, Down>();

  /** Remembers the host of `target` when `raw` (what a request to it threw) says it is down. */
  learn(target: URL, raw: unknown): void {
    const down = downOf(raw);
    if (!down) return;
    const { byName, ...rest } = down;
    if (byName) this.#byName.set(target.hostname, rest);
    else this.#byHost.set(target.host, rest);
  }

  /** The error a request to `target` fails with at once, when its host is known to be down; else undefined. */
  check(target: URL, url: string): ArchiveError | undefined {
    const down = this.#byName.get(target.hostname) ?? this.#byHost.get(target.host);
    if (!down) return undefined;
    return new ArchiveError(down.code, `${target.host} failed earlier in this run (${down.why}), so ${url} was not requested; the next run tries again`, {
      url,
      retryable: false,
    });
  }
}
