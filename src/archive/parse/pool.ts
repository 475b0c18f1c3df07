/**
 * Decode + extract (jsdom + Readability, the archiver's heaviest pure work) on a pool of worker
 * threads, so a run uses every core while the main thread fetches, encodes images (sharp runs on libuv's threads) and
 * sanitizes. Input: page bytes, charset, final URL. Output: the Article (with its image plan when asked, so the main
 * thread parses no HTML), or the stage's ArchiveError rebuilt with its class and code. Workers start on the first
 * page, not before (a rerun with nothing new starts none), one page each at a time; close() stops them.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { InternalError, ParseError, reviveArchiveError, type ArchiveErrorCode } from "../errors.ts";
import type { ExtractedArticle, ExtractOptions } from "./extract.ts";
import { untilAborted } from "../../util/abort.ts";
import { PARSE_TIMEOUT_MS, WORKER_YOUNG_GENERATION_MB } from "../limits.ts";
import { createMetrics, type RunMetrics } from "../metrics.ts";

export interface ExtractTask {
  id: number;
  body: Uint8Array;
  charset: string | undefined;
  url: string;
  options: ExtractOptions;
}

export type ExtractReply =
  | { id: number; article: ExtractedArticle; error?: undefined }
  | { id: number; article?: undefined; error: { name: string; code: ArchiveErrorCode | undefined; message: string; url: string | undefined } };

export interface ExtractPool {
  /** With options.imageMaxWidth, the article comes with its image plan (extract.ts). */
  /** `signal` stops the wait (a capture out of time): the worker finishes the page or its own timeout ends it. */
  extract(body: Buffer, charset: string | undefined, url: string, options?: ExtractOptions, signal?: AbortSignal): Promise<ExtractedArticle>;
  close(): Promise<void>;
}


export function createExtractPool(
  size: number,
  { timeoutMs = PARSE_TIMEOUT_MS, metrics = createMetrics() }: { timeoutMs?: number; metrics?: RunMetrics } = {},
): ExtractPool {
  // Parsing on the calling thread would have no time limit (jsdom and Readability are synchronous): always a worker.
  size = Math.max(1, size);

  interface Pending {
    task: ExtractTask;
    resolve: (article: ExtractedArticle) => void;
    reject: (error: Error) => void;
    timer?: NodeJS.Timeout;
    timedOut?: boolean;
  }
  const queue: Pending[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  const all = new Set<Worker>();
  let nextId = 0;
  let closed = false;

  const dispatch = () => {
    while (queue.length > 0) {
      let worker = idle.pop();
      if (!worker) {
        if (all.size >= size) return;
        worker = start();
      }
      const pending = queue.shift()!;
      busy.set(worker, pending);
      worker.ref();
      const running = worker;
      pending.timer = setTimeout(() => {
        // jsdom and Readability are synchronous: the only way to stop a runaway parse is to end its thread.
        pending.timedOut = true;
        void running.terminate();
      }, timeoutMs);
      worker.postMessage(pending.task);
    }
  };

  const start = (): Worker => {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), {
      execArgv: workerExecArgv(),
      // A page's DOM lives tens of milliseconds: with V8's default young generation, scavenges ran mid-page and
      // promoted live documents to the old generation, to be marked and swept there by V8's helper threads.
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    metrics.workersStarted += 1;
    all.add(worker);
    // An idle worker must not keep a process alive; a busy one must (dispatch refs it while it parses).
    worker.unref();
    worker.on("message", (reply: ExtractReply) => {
      const pending = busy.get(worker);
      busy.delete(worker);
      clearTimeout(pending?.timer);
      worker.unref();
      idle.push(worker);
      if (pending) {
        metrics.pagesParsed += 1;
        if (reply.error) pending.reject(reviveError(reply.error));
        else pending.resolve(reply.article);
      }
      dispatch();
    });
    const lost = (reason: string) => {
      if (!all.delete(worker)) return;
      const index = idle.indexOf(worker);
      if (index >= 0) idle.splice(index, 1);
      const pending = busy.get(worker);
      busy.delete(worker);
      if (pending) clearTimeout(pending.timer);
      // The page that was being parsed when its worker died (out of memory, a crash in a dependency, or stopped by
      // the timeout) fails alone; the next page gets a new worker.
      const why = pending?.timedOut ? `it took longer than ${timeoutMs / 1000} s to parse` : `the extraction worker stopped (${reason})`;
      pending?.reject(new ParseError(`Could not parse the HTML of ${pending.task.url}: ${why}`, { url: pending.task.url }));
      if (!closed) dispatch();
    };
    worker.on("error", (error) => lost(error.message));
    worker.on("exit", (code) => lost(`exit code ${code}`));
    return worker;
  };

  return {
    extract(body, charset, url, options = {}, signal) {
      if (closed) return Promise.reject(new InternalError("The extraction pool is closed"));
      const parsed = new Promise<ExtractedArticle>((resolve, reject) => {
        // A copy goes to the worker; the fetched Buffer may be a view of a larger pooled one, so it is not transferred.
        queue.push({ task: { id: nextId++, body: new Uint8Array(body), charset, url, options }, resolve, reject });
        dispatch();
      });
      if (!signal) return parsed;
      parsed.catch(() => {}); // nobody waits for it once the signal has fired
      return untilAborted(parsed, signal);
    },
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new InternalError("The extraction pool was closed before this page was parsed"));
      await Promise.all([...all].map((worker) => worker.terminate()));
      all.clear();
      idle.length = 0;
    },
  };
}

/**
 * The worker runs TypeScript. Node 22.18+/24 strips the types itself, so the worker gets the parent's flags without
 * tsx's hooks, whose loading each worker would pay at start for nothing. An older Node loads tsx
 * in the worker (under `tsx`, its hooks are already in process.execArgv, which a worker inherits).
 */
function workerExecArgv(): string[] | undefined {
  const features = process.features as { typescript?: string | false };
  if (features.typescript) return withoutTsx(process.execArgv);
  if (process.execArgv.some((arg) => arg.includes("tsx"))) return undefined;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return [...process.execArgv, "--import", tsx];
}

/** Flags without the `--require`/`--import` pairs (or `--import=...` forms) that load tsx. */
export function withoutTsx(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if ((arg === "--require" || arg === "-r" || arg === "--import" || arg === "--loader") && argv[i + 1]?.includes("tsx")) {
      i++;
      continue;
    }
    if (/^--(?:require|import|loader)=/.test(arg) && arg.includes("tsx")) continue;
    out.push(arg);
  }
  return out;
}

/** Rebuilds the error a worker reported, with the class and code the rest of the archiver matches on. */
function reviveError(error: { name: string; code: ArchiveErrorCode | undefined; message: string; url: string | undefined }): Error {
  if (error.code === undefined) return new InternalError(`The extraction worker failed: ${error.name}: ${error.message}`, { url: error.url });
  return reviveArchiveError(error.code, error.message, error.url);
}
