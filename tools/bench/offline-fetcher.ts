/**
 * The archiver's real fetcher for runs that must not reach the internet: names other than IP literals do not resolve
 * (as on a machine without a network), so a page's own remote images fail at once and only 127.0.0.1 answers.
 */
import { createFetcher } from "../../src/archive/fetch/index.ts";
import type { ArchiveConfig, Fetcher } from "../../src/archive/types.ts";

export function offlineFetcher(config: ArchiveConfig): Fetcher {
  return createFetcher({
    limits: config.fetch,
    userAgent: config.userAgent,
    allowPrivateNetwork: config.allowPrivateNetwork,
    perHostConcurrency: config.perHostConcurrency,
    lookup: async (hostname) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    },
  });
}
