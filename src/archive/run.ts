/**
 * A whole archive run: links file → captures, with bounded concurrency. Input: a resolved ArchiveConfig and a
 * Reporter for progress. Output: a RunSummary (the CLI turns it into text and an exit code). Side effects: cache/.
 * A missing links file is a UsageError; everything about one link is a recorded result, never the end of the run.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import { captureLink, type CaptureContext } from "./capture.ts";
import { UsageError } from "./errors.ts";
import { createFetcherFor } from "./fetch/index.ts";
import { EncodedImageCache } from "./images/encode.ts";
import { createMetrics, type RunMetrics } from "./metrics.ts";
import { parseLinks } from "./links.ts";
import { createExtractPool } from "./parse/pool.ts";
import { shardOf } from "../cache/layout.ts";
import { listCaptures, sweepWorkFolders, updateCaptureMeta } from "../cache/store.ts";
import { saveToWayback } from "./wayback/save.ts";
import type { ArchiveConfig, CaptureResult, Fetcher, Link, LinkProblem } from "./types.ts";

export interface Reporter {
  start(info: { total: number; toCapture: number }): void;
  linkStarted(link: Link): void;
  linkDone(result: CaptureResult): void;
  finish(summary: RunSummary): void;
}

export interface RunSummary {
  linksFile: string;
  /** Links considered in this run (after dedupe and sharding). */
  total: number;
  captured: number;
  /** Captured again with --refresh, and the content had not changed. */
  unchanged: number;
  /** Already in the cache and not refreshed. */
  alreadyCached: number;
  failed: number;
  /** Not captured because the run's time limit came first; the next run tries them. */
  deferred: number;
  badLines: LinkProblem[];
  duplicates: number;
  failures: CaptureResult[];
  results: CaptureResult[];
  durationMs: number;
  metrics: RunMetrics;
}

export interface RunOptions {
  reporter?: Reporter;
  /** Injectable for tests; defaults to the real undici fetcher. */
  fetcher?: Fetcher;
  now?: () => Date;
  /** Where the run counts what it did; a new sink by default, returned in the summary either way. */
  metrics?: RunMetrics;
  /** Stops the run as its time limit would (a signal from the caller, e.g. on SIGTERM). */
  signal?: AbortSignal;
}

export async function archiveLinks(config: ArchiveConfig, options: RunOptions = {}): Promise<RunSummary> {
  const started = Date.now();
  const metrics = options.metrics ?? createMetrics();
  let text: string;
  try {
    text = await readFile(config.linksFile, "utf8");
  } catch (cause) {
    throw new UsageError(
      `Could not read the links file ${config.linksFile}: ${(cause as Error).message}. Create it with one URL a line, or pass --links FILE.`,
      { cause },
    );
  }
  const parsed = parseLinks(text);
  const links = config.shard ? parsed.links.filter((l) => shardOf(l.hash, config.shard!.count) === config.shard!.index) : parsed.links;

  await sweepWorkFolders(config.cacheDir);
  // One directory listing tells which links are cached: a rerun with nothing new reads no capture and parses no HTML.
  const cached = await listCaptures(config.cacheDir);
  const isCached = (link: Link) => cached.has(link.hash);
  const toCapture = config.refresh ? links : links.filter((l) => !isCached(l));

  const reporter = options.reporter;
  reporter?.start({ total: links.length, toCapture: toCapture.length });
  const results: CaptureResult[] = config.refresh ? [] : links.filter(isCached).map((link) => ({ link, outcome: "skipped" as const }));

  if (toCapture.length > 0) {
    const fetcher = options.fetcher ?? createFetcherFor(config);
    // Created here, when there is something to capture; its workers start with the first page that needs parsing.
    const extractor = createExtractPool(config.workers, { metrics });
    const ctx: CaptureContext = {
      config,
      fetcher,
      now: options.now ?? (() => new Date()),
      extractor,
      images: new EncodedImageCache(metrics),
      metrics,
    };
    const limit = pLimit(config.concurrency);
    // The run's own time limit, well inside the CI job's: when it comes, captures in flight stop and the links not
    // captured yet are left for the next run, so the run ends by itself and its captures and records are committed.
    const runEnd = new AbortController();
    if (options.signal) options.signal.addEventListener("abort", () => runEnd.abort(), { once: true });
    const runTimer = config.runTimeoutMs > 0 ? setTimeout(() => runEnd.abort(), config.runTimeoutMs) : undefined;
    ctx.signal = runEnd.signal;
    try {
      const done = await Promise.all(
        toCapture.map((link) =>
          limit(async (): Promise<CaptureResult> => {
            if (runEnd.signal.aborted) return { link, outcome: "deferred" };
            reporter?.linkStarted(link);
            const result = await captureLink(link, ctx);
            reporter?.linkDone(result);
            // Hand the event loop a turn between pages: extraction is synchronous, and without this the documents
            // of finished pages cannot be collected while the next ones parse.
            await new Promise((resolve) => setImmediate(resolve));
            return result;
          }),
        ),
      );
      results.push(...done);
      // The second copy: Save Page Now for each new capture of an original (not one taken from the Archive already).
      const save = config.wayback.save;
      const saved = done.filter((r) => r.outcome === "captured" && r.source === undefined);
      if (save && saved.length > 0 && !runEnd.signal.aborted) {
        for (const answer of await saveToWayback(fetcher, save, saved.map((r) => r.link.url), runEnd.signal)) {
          const result = saved.find((r) => r.link.url === answer.url)!;
          result.waybackSave = answer.ok ? { ok: true, snapshotUrl: answer.snapshotUrl } : answer;
          if (answer.ok) await updateCaptureMeta(config.cacheDir, result.link.hash, { wayback_snapshot: answer.snapshotUrl }).catch(() => undefined);
        }
      }
    } finally {
      clearTimeout(runTimer);
      await extractor.close();
      if (!options.fetcher) await fetcher.close();
    }
  }

  const order = new Map(links.map((l, i) => [l.hash, i]));
  results.sort((a, b) => order.get(a.link.hash)! - order.get(b.link.hash)!);
  const failures = results.filter((r) => r.outcome === "failed");
  const summary: RunSummary = {
    linksFile: path.relative(process.cwd(), config.linksFile) || config.linksFile,
    total: links.length,
    captured: results.filter((r) => r.outcome === "captured").length,
    unchanged: results.filter((r) => r.outcome === "unchanged").length,
    alreadyCached: results.filter((r) => r.outcome === "skipped").length,
    failed: failures.length,
    deferred: results.filter((r) => r.outcome === "deferred").length,
    badLines: parsed.problems,
    duplicates: parsed.duplicates,
    failures,
    results,
    durationMs: Date.now() - started,
    metrics,
  };
  reporter?.finish(summary);
  return summary;
}

/** 0: every link captured or already cached; 1: some links or lines failed or were left for the next run. (2, usage, is the CLI's.) */
export function exitCodeOf(summary: RunSummary): 0 | 1 {
  return summary.failed > 0 || summary.deferred > 0 || summary.badLines.length > 0 ? 1 : 0;
}
