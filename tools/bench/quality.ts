/**
 * `npm run bench -- --quality`: how much of each article the archiver keeps, and how little else. The extraction
 * benchmark's pages (benchmark-files.ts) are served gzipped from 127.0.0.1 and archived by the real pipeline (fetch,
 * extract, images, sanitize, store; names other than IP literals do not resolve, so no image leaves the machine);
 * each stored capture is turned back into text (text.ts) and scored against the ground truth (score.ts), beside plain
 * @mozilla/readability over the same pages, scored the same way, and the vendored outputs of other extractors.
 * Writes every figure, page by page, to .bench/quality.json (or --out FILE).
 */
import { readFile, mkdir, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { Readability } from "@mozilla/readability";
import { JSDOM, VirtualConsole } from "jsdom";
import { resolveConfig } from "../../src/archive/config.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { archiveLinks } from "../../src/archive/run.ts";
import { captureBodyOf } from "../../src/cache/capture-file.ts";
import { readCaptureMeta } from "../../src/cache/store.ts";
import { REFERENCES, benchmarkIds, groundTruth, pageGzip, referenceOutput, type ReferenceName } from "./benchmark-files.ts";
import { createFetcherFor } from "../../src/archive/fetch/index.ts";
import { scoreBodies, type ArticleBodies, type Scores, type TpFpFn } from "./score.ts";
import { htmlToText } from "./text.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface QualityOptions {
  /** Benchmark page ids to score; all 91 by default. */
  ids: string[];
  /** Scratch folder: the links file and the cache the archiver writes. Emptied first. */
  workDir: string;
  out: string;
  workers?: number | undefined;
  log: (line: string) => void;
}

export interface ScoredExtractor extends Scores {
  /** What each page's text became, by page id. */
  bodies: ArticleBodies;
  pages: Record<string, TpFpFn>;
}

export interface QualityResults {
  startedAt: string;
  pages: number;
  /** The archiver through the whole pipeline; its captures are in `cacheDir`, named by hashUrl(urls[id]). */
  archiver: ScoredExtractor & { captured: number; failed: number; kinds: Record<string, number>; wallMs: number };
  /** Plain @mozilla/readability (new JSDOM, new Readability(document).parse()) over the same bytes. */
  readability: ScoredExtractor & { version: string };
  /** The benchmark's own outputs of other extractors, scored on the same pages. */
  references: Record<ReferenceName, Scores & { version: string }>;
  cacheDir: string;
  urls: Record<string, string>;
}

/** The quality bench's options from `npm run bench -- --quality`'s flags (tools/bench.ts's table): pages, workers, out. */
export function qualityOptions({ pages, workers, out }: { pages?: number; workers?: number; out?: string }): QualityOptions {
  const ids = benchmarkIds();
  return {
    ids: pages === undefined ? ids : ids.slice(0, pages),
    workDir: path.join(ROOT, ".bench", "quality"),
    out: path.resolve(ROOT, out ?? path.join(".bench", "quality.json")),
    workers,
    log: (line) => process.stderr.write(`bench: ${line}\n`),
  };
}

export async function runQualityBench(options: QualityOptions): Promise<QualityResults> {
  const { ids, log } = options;
  const truth = groundTruth();
  const expected: ArticleBodies = Object.fromEntries(ids.map((id) => [id, { articleBody: truth[id]!.articleBody }]));
  await rm(options.workDir, { recursive: true, force: true });
  await mkdir(options.workDir, { recursive: true });

  const server = await servePages(ids);
  const urls = Object.fromEntries(ids.map((id) => [id, `${server.origin}/${id}/`]));
  const cacheDir = path.join(options.workDir, "cache");
  let archived: Awaited<ReturnType<typeof archivePages>>;
  try {
    log(`archiving the ${ids.length} benchmark pages through the pipeline`);
    archived = await archivePages(Object.values(urls), options.workDir, cacheDir, options.workers);
  } finally {
    await server.close();
  }

  const archiverBodies: ArticleBodies = {};
  const kinds: Record<string, number> = {};
  for (const id of ids) {
    const text = await readFile(path.join(cacheDir, hashUrl(urls[id]!), "index.html"), "utf8").catch(() => undefined);
    archiverBodies[id] = { articleBody: text === undefined ? "" : htmlToText(captureBodyOf(text)) };
    const kind = text === undefined ? "failed" : ((await readCaptureMeta(cacheDir, hashUrl(urls[id]!)))?.kind ?? "unreadable");
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }

  log(`plain Readability over the same ${ids.length} pages`);
  const readabilityBodies: ArticleBodies = {};
  const virtualConsole = new VirtualConsole();
  for (const id of ids) {
    const dom = new JSDOM(gunzipSync(pageGzip(id)).toString("utf8"), { url: urls[id], virtualConsole });
    const article = new Readability(dom.window.document).parse();
    readabilityBodies[id] = { articleBody: article?.content ? htmlToText(article.content) : "" };
    dom.window.close();
  }

  const scored = (bodies: ArticleBodies): ScoredExtractor => ({ ...scoreBodies(expected, bodies), bodies });
  const references = Object.fromEntries(
    REFERENCES.map((name) => {
      const { version, output } = referenceOutput(name);
      const { pages: _pages, ...scores } = scoreBodies(expected, Object.fromEntries(ids.map((id) => [id, output[id] ?? {}])));
      return [name, { ...scores, version }];
    }),
  ) as QualityResults["references"];
  const results: QualityResults = {
    startedAt: new Date().toISOString(),
    pages: ids.length,
    archiver: { ...scored(archiverBodies), ...archived, kinds },
    readability: { ...scored(readabilityBodies), version: await readabilityVersion() },
    references,
    cacheDir,
    urls,
  };
  await mkdir(path.dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

/** Each page at /<id>/, gzipped as vendored (the fetch stage decompresses it as it would a real server's). */
async function servePages(ids: string[]): Promise<{ origin: string; close(): Promise<void> }> {
  const bodies = new Map(ids.map((id) => [`/${id}/`, pageGzip(id)]));
  const server = http.createServer((req, res) => {
    const body = bodies.get(req.url ?? "");
    if (!body) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-encoding": "gzip", "content-length": String(body.length) });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The real archiveLinks, with the config `npm run archive` resolves from the same flags, through the offline fetcher:
 * the pages' own images fail at once and nothing reaches the internet.
 */
async function archivePages(urls: string[], workDir: string, cacheDir: string, workers: number | undefined) {
  const linksFile = path.join(workDir, "links.txt");
  await writeFile(linksFile, `${urls.join("\n")}\n`);
  const flags = ["--links", linksFile, "--cache", cacheDir, "--allow-private-network", "--progress", "quiet"];
  if (workers !== undefined) flags.push("--workers", String(workers));
  const { config } = resolveConfig(flags);
  const fetcher = createFetcherFor(config, { offline: true });
  const started = performance.now();
  try {
    const summary = await archiveLinks(config, { fetcher });
    return { captured: summary.captured, failed: summary.failed, wallMs: performance.now() - started };
  } finally {
    await fetcher.close();
  }
}

async function readabilityVersion(): Promise<string> {
  const file = fileURLToPath(new URL("../../node_modules/@mozilla/readability/package.json", import.meta.url));
  return (JSON.parse(await readFile(file, "utf8")) as { version: string }).version;
}

export function formatQuality(r: QualityResults): string {
  const row = (name: string, s: Scores, note: string) =>
    `${name.padEnd(40)}  ${s.f1.toFixed(3)}  ${s.precision.toFixed(3)}      ${s.recall.toFixed(3)}   ${note}`;
  const kinds = Object.entries(r.archiver.kinds)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(", ");
  return [
    `Extraction quality on ${r.pages} pages of the extraction benchmark (shingle F1 as its evaluate.py scores it)`,
    "",
    `${"".padEnd(40)}  F1     precision  recall`,
    row("archiver (whole pipeline)", r.archiver, `${r.archiver.captured}/${r.pages} captured (${kinds})`),
    row(`Readability ${r.readability.version} (plain)`, r.readability, "same pages, same text conversion"),
    ...REFERENCES.map((name) => row(`${name} ${r.references[name].version} (vendored output)`, r.references[name], "the benchmark's own run")),
  ].join("\n");
}
