/**
 * One archiver run for the benchmark (issue 5, parts b and c), as a child process: the real archiveLinks with the
 * config `npm run archive` would resolve from the same flags. The only difference from the CLI: names other than IP
 * literals do not resolve (as in the real-pages test), so the fixture pages' own remote images fail at once, as on a
 * machine without internet, and the benchmark never reaches the internet when the machine has it.
 * Arguments: archive flags, and two of this script's own for part (f), dead image hosts: `--dns-delay MS` makes every
 * name take that long to come back as not existing, as a resolver does for a host that is gone, and
 * `--forget-dead-hosts` turns off the run's memory of hosts found down. Reports ArchiveRunFigures.
 */
import { resolveConfig } from "../../src/archive/config.ts";
import { createFetcher, createFetcherFor, offlineLookup } from "../../src/archive/fetch/index.ts";
import { archiveLinks } from "../../src/archive/run.ts";
import { processFigures, report, type ProcessFigures } from "./child.ts";

export interface ArchiveRunFigures extends ProcessFigures {
  links: number;
  captured: number;
  alreadyCached: number;
  failed: number;
  /** archiveLinks from call to return: reading links.txt, every capture, the summary. */
  wallMs: number;
  workers: number;
  workersStarted: number;
  /** Pages that went through decode + extract (jsdom): 0 for a rerun with nothing new. */
  pagesParsed: number;
  imagesEncoded: number;
  imagesSharedInRun: number;
  imagesReusedFromPreviousCapture: number;
  /** Failure codes and how often each came up, so a run with failures can be told apart at once. */
  failureCodes: Record<string, number>;
  /** Images that could not be stored, over every capture of the run. */
  imagesFailed: number;
}

const args = process.argv.slice(2);
const delayAt = args.indexOf("--dns-delay");
const dnsDelayMs = delayAt >= 0 ? Number(args.splice(delayAt, 2)[1]) : 0;
const forgetAt = args.indexOf("--forget-dead-hosts");
const rememberDeadHosts = forgetAt < 0;
if (forgetAt >= 0) args.splice(forgetAt, 1);
const { config } = resolveConfig(args);
const fetcher =
  dnsDelayMs > 0 || !rememberDeadHosts
    ? createFetcher({
        limits: config.fetch,
        userAgent: config.userAgent,
        allowPrivateNetwork: config.allowPrivateNetwork,
        perHostConcurrency: config.perHostConcurrency,
        rememberDeadHosts,
        lookup: async (hostname) => {
          await new Promise((resolve) => setTimeout(resolve, dnsDelayMs));
          return offlineLookup(hostname);
        },
      })
    : createFetcherFor(config, { offline: true });
const cpu = process.cpuUsage();
const started = performance.now();
const summary = await archiveLinks(config, { fetcher });
const wallMs = performance.now() - started;
await fetcher.close();
const failureCodes: Record<string, number> = {};
let imagesFailed = 0;
for (const result of summary.results) if (result.outcome === "captured") imagesFailed += result.imagesFailed ?? 0;
for (const failure of summary.failures) failureCodes[failure.code ?? "?"] = (failureCodes[failure.code ?? "?"] ?? 0) + 1;
const figures: ArchiveRunFigures = {
  links: summary.total,
  captured: summary.captured,
  alreadyCached: summary.alreadyCached,
  failed: summary.failed,
  wallMs,
  workers: config.workers,
  workersStarted: summary.metrics.workersStarted,
  pagesParsed: summary.metrics.pagesParsed,
  imagesEncoded: summary.metrics.imagesEncoded,
  imagesSharedInRun: summary.metrics.imagesShared,
  imagesReusedFromPreviousCapture: summary.metrics.imagesReused,
  failureCodes,
  imagesFailed,
  ...processFigures(cpu),
};
report(figures);
