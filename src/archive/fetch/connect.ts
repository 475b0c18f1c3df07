/**
 * The SSRF guard, where it is enforced: every connection the archiver opens goes through this connector, which refuses
 * addresses the policy (address.ts) blocks before connecting: IP literals as they are, names after DNS resolution, on
 * every redirect hop (each hop is a new connection). The address checked is the address connected to: net.connect asks
 * this lookup, and nothing else, for the addresses, so a DNS answer that changes between check and connect
 * (rebinding) cannot slip through.
 */
import dns from "node:dns";
import type { LookupAddress, LookupOptions } from "node:dns";
import net from "node:net";
import tls from "node:tls";
import { buildConnector } from "undici";
import { errorCode } from "../../util/error.ts";
import { stripAddress } from "./address.ts";
import type { FetcherOptions } from "../types.ts";

export type BlockedReasonOf = (address: string) => string | undefined;
export type Resolve = NonNullable<FetcherOptions["lookup"]>;

export interface ConnectorOptions {
  connectTimeoutMs: number;
  /** Why an address is refused, or undefined to allow it. */
  blockedReason: BlockedReasonOf;
  /** DNS resolution; the system's by default. */
  resolve?: Resolve;
  /** Certificates (PEM) trusted besides Node's root CAs. */
  extraCa?: string[];
}

export function createConnector({ connectTimeoutMs, blockedReason, resolve: lookup = systemLookup, extraCa }: ConnectorOptions): buildConnector.connector {
  // One DNS question in flight per name: the images of one page on one host connect at once, and each asking the
  // resolver (which may take seconds to say a name is gone) would wait the same wait side by side.
  const inFlight = new Map<string, ReturnType<Resolve>>();
  const resolve: Resolve = (hostname) => {
    let pending = inFlight.get(hostname);
    if (!pending) {
      pending = lookup(hostname);
      inFlight.set(hostname, pending);
      const forget = () => inFlight.delete(hostname);
      pending.then(forget, forget);
    }
    return pending;
  };
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
    timeout: connectTimeoutMs,
    lookup: checkedLookup,
    // One TLS context for every connection of the run (Node's defaults: its root CAs, its protocol floor): without
    // it, tls.connect builds a new one per connection, paid even when the lookup then fails.
    secureContext: tls.createSecureContext(extraCa ? { ca: [...tls.rootCertificates, ...extraCa] } : {}),
    // HTTP/1.1 only: its header and body-idle timeouts are the ones we rely on.
    allowH2: false,
  });
  // net.connect never calls `lookup` for an IP literal, so literals are judged here.
  return (connectOptions, callback) => {
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
}

/** Internal: a resolved or literal address the policy refuses. Becomes a BlockedAddressError with the URL. */
export class AddressRefusal extends Error {
  readonly hostname: string;
  readonly address: string;
  readonly reason: string;
  constructor(hostname: string, address: string, reason: string) {
    super(`${hostname} resolves to ${address}, a ${reason} address`);
    this.hostname = hostname;
    this.address = address;
    this.reason = reason;
  }
}

/** Internal: DNS gave no usable answer. Becomes a DnsError with the URL. */
export class LookupFailure extends Error {
  readonly hostname: string;
  readonly code: string;
  constructor(hostname: string, code: string, options?: { cause?: unknown }) {
    super(`Could not resolve ${hostname} (${code})`, options);
    this.hostname = hostname;
    this.code = code;
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
