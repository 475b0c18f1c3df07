/**
 * One archiver run for the benchmark (issue 5, parts b and c), as a child process: the real archiveLinks with the
 * config `npm run archive` would resolve from the same flags. The only difference from the CLI: names other than IP
 * literals do not resolve (as in the real-pages test), so the fixture pages' own remote images fail at once, as on a
 * machine without internet, and the benchmark never reaches the internet when the machine has it.
 * Arguments: archive flags. Reports ArchiveRunFigures.
 */
import { resolveConfig } from "../../src/archive/config.ts";
import { imageCounts } from "../../src/archive/images/encode.ts";
import { poolCounts } from "../../src/archive/parse/pool.ts";
import { archiveLinks } from "../../src/archive/run.ts";
import { processFigures, report, type ProcessFigures } from "./child.ts";
import { offlineFetcher } from "./offline-fetcher.ts";

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
}

const { config } = resolveConfig(process.argv.slice(2));
const fetcher = offlineFetcher(config);
const cpu = process.cpuUsage();
const started = performance.now();
const summary = await archiveLinks(config, { fetcher });
const wallMs = performance.now() - started;
await fetcher.close();
const failureCodes: Record<string, number> = {};
for (const failure of summary.failures) failureCodes[failure.code ?? "?"] = (failureCodes[failure.code ?? "?"] ?? 0) + 1;
const figures: ArchiveRunFigures = {
  links: summary.total,
  captured: summary.captured,
  alreadyCached: summary.alreadyCached,
  failed: summary.failed,
  wallMs,
  workers: config.workers,
  workersStarted: poolCounts.workersStarted,
  pagesParsed: poolCounts.pagesExtracted,
  imagesEncoded: imageCounts.encoded,
  imagesSharedInRun: imageCounts.shared,
  imagesReusedFromPreviousCapture: imageCounts.reused,
  failureCodes,
  ...processFigures(cpu),
};
report(figures);
