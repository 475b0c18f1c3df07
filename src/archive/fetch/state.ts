/** What one fetch carries from hop to hop: its own deadline, the redirect chain's request, the retry budget. */
import type { Dispatcher } from "undici";
import type { FetchLimits, FetchRequest, FetchStats } from "../types.ts";
import type { DeadHosts } from "./dead-hosts.ts";
import type { Deadline } from "./deadline.ts";
import type { HostLimiter } from "./slots.ts";

/** What every fetch of one Fetcher shares. */
export interface Context {
  agent: Dispatcher;
  hosts: HostLimiter;
  limits: FetchLimits;
  userAgent: string;
  blockedReason: (address: string) => string | undefined;
  /** Hosts this run has learned are down; undefined when the caller turned the memory off (the bench compares). */
  deadHosts: DeadHosts | undefined;
  /** Requests sent and body bytes read by this Fetcher. */
  stats: FetchStats;
}

export interface FetchState {
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
