/**
 * One check run for the benchmark, as a child process: the real checkLinks with the config `npm run check` would
 * resolve from the same flags, names other than IP literals never resolving (the bench stays offline). Reports
 * CheckRunFigures: what a check costs where nothing changed — requests sent, bytes read, pages parsed, wall time.
 */
import { resolveCheckConfig } from "../../src/archive/check/config.ts";
import { checkLinks } from "../../src/archive/check/run.ts";
import { createFetcherFor } from "../../src/archive/fetch/index.ts";
import { processFigures, report, type ProcessFigures } from "./child.ts";

export interface CheckRunFigures extends ProcessFigures {
  links: number;
  checked: number;
  alive: number;
  /** Anything else found: a check where nothing changed finds none. */
  other: number;
  newVersions: number;
  /** Status records written: the first check writes one a link, a check that finds nothing new none. */
  written: number;
  requests: number;
  bytes: number;
  wallMs: number;
}

const { config } = resolveCheckConfig(process.argv.slice(2));
const fetcher = createFetcherFor(config.archive, { offline: true });
const cpu = process.cpuUsage();
const started = performance.now();
const summary = await checkLinks(config, { fetcher });
const wallMs = performance.now() - started;
await fetcher.close();
const figures: CheckRunFigures = {
  links: summary.captured,
  checked: summary.checked,
  alive: summary.counts.alive,
  other: summary.checked - summary.counts.alive,
  newVersions: summary.newVersions,
  written: summary.written,
  requests: summary.requests,
  bytes: summary.bytes,
  wallMs,
  ...processFigures(cpu),
};
report(figures);
