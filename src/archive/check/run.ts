/**
 * A check run (npm run check): a slice of the captured links (select.ts), each original asked once, politely (the
 * fetcher's per-host slots, its SSRF guard and bounds), what it answered turned into the original's status
 * (link.ts) and written only when it changes (cache/status.ts), then the run logged in cache/_checks.json. Input: a
 * resolved CheckConfig. Output: a CheckSummary. A link's trouble is a recorded result, never the end of the run.
 */
import { readFile } from "node:fs/promises";
import pLimit from "p-limit";
import { listCaptures, readCaptureMeta, sweepWorkFolders } from "../../cache/store.ts";
import { logRun, observeOriginal, readCheckLog, writeCheckLog } from "../../cache/status.ts";
import type { CheckRunRecord, OriginalStatus, StatusRecord } from "../../cache/types.ts";
import type { CaptureContext } from "../capture.ts";
import { UsageError } from "../errors.ts";
import { createFetcherFor } from "../fetch/index.ts";
import { EncodedImageCache } from "../images/encode.ts";
import { parseLinks } from "../links.ts";
import { createMetrics } from "../metrics.ts";
import { createExtractPool } from "../parse/pool.ts";
import type { ArchiveConfig, Fetcher, Link } from "../types.ts";
import { checkLink } from "./link.ts";
import { selectLinks } from "./select.ts";

export interface CheckConfig {
  archive: ArchiveConfig;
  /** The links are cut into this many slices by hash; a run checks one. */
  slices: number;
  /** The slice to check (1-based); by default the one checked longest ago. */
  slice: number | undefined;
  /** At most this many links a run (0: the whole slice); the next run goes on where this one stopped. */
  max: number;
}

export interface LinkReport {
  link: Link;
  /** The status after this check; "pending" when it could not be reached and that is not a verdict yet; "deferred" when not checked. */
  status: OriginalStatus | "pending" | "deferred";
  /** The status record changed (a transition, or a failure streak growing). */
  written: boolean;
  /** The status before, when it changed. */
  was?: OriginalStatus;
  newVersion: boolean;
  /** The public sentence of what it answered. */
  reason: string;
}

export interface CheckSummary {
  linksFile: string;
  slice: number;
  slices: number;
  /** Captured links in the archive, and how many this run checked. */
  captured: number;
  checked: number;
  counts: Record<LinkReport["status"], number>;
  newVersions: number;
  /** Status records written (transitions and growing failure streaks). */
  written: number;
  /** The slice was cut short by --max; the next run goes on after this hash. */
  resumeAfter: string | undefined;
  requests: number;
  bytes: number;
  durationMs: number;
  reports: LinkReport[];
}

export interface CheckOptions {
  fetcher?: Fetcher;
  now?: () => Date;
  signal?: AbortSignal;
  /** Called as each link is done (progress lines). */
  onLink?: (report: LinkReport) => void;
}

function statusAfter(record: StatusRecord | undefined): OriginalStatus | "pending" {
  if (!record) return "unknown";
  return record.failing && record.status !== "unreachable" ? "pending" : record.status;
}

export async function checkLinks(config: CheckConfig, options: CheckOptions = {}): Promise<CheckSummary> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const { archive } = config;
  let text: string;
  try {
    text = await readFile(archive.linksFile, "utf8");
  } catch (cause) {
    throw new UsageError(`Could not read the links file ${archive.linksFile}: ${(cause as Error).message}. Pass --links FILE.`, { cause });
  }
  await sweepWorkFolders(archive.cacheDir);
  const captured = await listCaptures(archive.cacheDir);
  const links = parseLinks(text).links.filter((link) => captured.has(link.hash));
  const log = await readCheckLog(archive.cacheDir, config.slices);
  const selection = selectLinks(links, log, { slices: config.slices, slice: config.slice, max: config.max });

  const fetcher = options.fetcher ?? createFetcherFor(archive);
  const before = fetcher.stats?.() ?? { requests: 0, bytes: 0 };
  const metrics = createMetrics();
  // Workers start with the first page that needs reading; a run answered only 304s starts none.
  const extractor = createExtractPool(archive.workers, { metrics });
  const runEnd = new AbortController();
  options.signal?.addEventListener("abort", () => runEnd.abort(), { once: true });
  const runTimer = archive.runTimeoutMs > 0 ? setTimeout(() => runEnd.abort(), archive.runTimeoutMs) : undefined;
  const ctx: CaptureContext = { config: archive, fetcher, now, extractor, images: new EncodedImageCache(metrics), metrics, signal: runEnd.signal };
  const limit = pLimit(archive.concurrency);
  let reports: LinkReport[];
  try {
    reports = await Promise.all(
      selection.links.map((link) =>
        limit(async (): Promise<LinkReport> => {
          if (runEnd.signal.aborted) return { link, status: "deferred", written: false, newVersion: false, reason: "" };
          const meta = await readCaptureMeta(archive.cacheDir, link.hash);
          if (!meta) return { link, status: "deferred", written: false, newVersion: false, reason: "" };
          const checked = await checkLink(link, meta, ctx);
          if (!checked.observation) return { link, status: "deferred", written: false, newVersion: false, reason: "" };
          const { record, previous, written } = await observeOriginal(archive.cacheDir, link, checked.observation, now());
          const status = statusAfter(record);
          const report: LinkReport = {
            link,
            status,
            written,
            ...(written && previous?.status !== record?.status ? { was: previous?.status ?? "unknown" } : {}),
            newVersion: checked.newVersion,
            reason: checked.observation.answer.reason,
          };
          options.onLink?.(report);
          return report;
        }),
      ),
    );
  } finally {
    clearTimeout(runTimer);
    await extractor.close();
    if (!options.fetcher) await fetcher.close();
  }
  const after = fetcher.stats?.() ?? { requests: 0, bytes: 0 };
  const counts = { unknown: 0, alive: 0, changed: 0, moved: 0, gone: 0, unreachable: 0, pending: 0, deferred: 0 } as CheckSummary["counts"];
  for (const report of reports) counts[report.status] += 1;
  const checked = reports.length - counts.deferred;
  const deferredFrom = reports.find((r) => r.status === "deferred");
  // A run stopped by its time limit goes on from the first link it did not check.
  const lastChecked = deferredFrom ? reports[reports.indexOf(deferredFrom) - 1]?.link.hash : undefined;
  const resumeAfter = deferredFrom ? lastChecked : selection.resumeAfter;
  const summary: CheckSummary = {
    linksFile: archive.linksFile,
    slice: selection.slice,
    slices: config.slices,
    captured: links.length,
    checked,
    counts,
    newVersions: reports.filter((r) => r.newVersion).length,
    written: reports.filter((r) => r.written).length,
    resumeAfter,
    requests: after.requests - before.requests,
    bytes: after.bytes - before.bytes,
    durationMs: Date.now() - started,
    reports,
  };
  if (deferredFrom && !lastChecked) return summary; // nothing was checked: the log stays as it was
  const run: CheckRunRecord = {
    started_at: startedAt.toISOString(),
    finished_at: now().toISOString(),
    slice: selection.slice,
    slices: config.slices,
    checked,
    counts: Object.fromEntries(Object.entries(counts).filter(([name, n]) => n > 0 && !["pending", "deferred"].includes(name))),
    pending: counts.pending,
    new_versions: summary.newVersions,
    requests: summary.requests,
    bytes: summary.bytes,
  };
  await writeCheckLog(
    archive.cacheDir,
    logRun(log, { slice: selection.slice, checked_at: startedAt.toISOString(), links: checked, ...(resumeAfter ? { resume_after: resumeAfter } : {}) }, run),
  );
  return summary;
}
