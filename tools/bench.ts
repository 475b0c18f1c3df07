/**
 * `npm run bench`: measures the archiver and the build on this machine, in one run, with no internet (issue 5).
 *   a  baseline: jsdom + Readability + sanitize-html over the same page bytes, sequentially, one process
 *   b  the archiver's full run over those pages served from 127.0.0.1 with real images: wall, pages/s, peak RSS, ratio to a
 *   c  a second run with nothing new, and a no-op rerun over 1,000 cached links (target ≤ 1 s, no HTML parsed)
 *   d+e  the build of a synthetic cache against bare Eleventy + bare Pagefind, and a rebuild (tools/bench/build.ts)
 *   g  npm run check where nothing changed: over the archived pages, and over links answering 304 (tools/bench/check.ts)
 * Each measured part runs in a child process so its peak RSS is its own. (a) and (b) run in alternation, --rounds
 * times (default 2), and each is reported from its fastest round: on a shared machine a neighbour's burst slows one
 * run or the other, and the fastest round of each is the least disturbed. Every round's wall time is kept too.
 * Prints a table and writes every figure to .bench/results.json (or --out FILE). Flags: --pages N (default 390 = 3 ×
 * the 130 fixture pages), --rounds N, --captures N (build, default 10000), --quick (40 pages, 200 captures, one
 * round), --workers N (passed to the archiver), --no-build, --out FILE. `--quality` runs the extraction-quality
 * bench instead (tools/bench/quality.ts).
 */
import "../src/cli/require-node.ts";
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ArchiveRunFigures } from "./bench/archive-run.ts";
import type { BaselineFigures } from "./bench/baseline.ts";
import { benchBuild, type BuildBenchFigures } from "./bench/build.ts";
import { runChild, type ChildRun } from "./bench/child.ts";
import { writeCachedLinks } from "./bench/noop.ts";
import { benchCheck, type CheckBenchFigures } from "./bench/check.ts";
import { formatQuality, qualityOptions, runQualityBench } from "./bench/quality.ts";
import { fixturePages, prepareWorkload } from "./bench/workload.ts";
import { isMain, runMain } from "../src/cli/run.ts";
import { helpText, resolveOptions, type CommandSpec } from "../src/util/options.ts";
import { folderBytes } from "../src/util/disk.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const HERE = fileURLToPath(new URL("./bench/", import.meta.url));

/** The build half's figures: (d) the 10,000-capture build against bare Eleventy + Pagefind, (e) a rebuild. */
export type BuildFigures = BuildBenchFigures;

export interface BenchResults {
  startedAt: string;
  machine: { cpus: number; availableParallelism: number; cpuModel: string; memoryBytes: number; node: string; platform: string };
  workload: { pages: number; fixturePages: number; pageBytes: number; distinctImages: number; imageReferences: number; imageBytes: number };
  /** The fastest of `rounds` baseline runs; `roundsMs` holds every round's wall time. */
  baseline: BaselineFigures & { processMs: number; roundsMs: number[] };
  /** The fastest of `rounds` archive runs, each into an empty cache; `roundsMs` holds every round's wall time. */
  archive: ArchiveRunFigures & {
    processMs: number;
    roundsMs: number[];
    pagesPerSecond: number;
    msPerPage: number;
    ratioToBaseline: number;
    imagesStored: number;
    /** cache/ after the run over its captures: what one capture costs the repository. */
    cacheBytesPerCapture: number;
  };
  rerun: ArchiveRunFigures & { processMs: number };
  noop: ArchiveRunFigures & { processMs: number };
  /**
   * (f) The fixture pages as they are, their own images on hosts that do not resolve (each name takes deadHosts.dnsDelayMs
   * to come back as gone): the archiver with its memory of dead hosts, and without it.
   */
  deadHosts: { pages: number; dnsDelayMs: number; remembered: ArchiveRunFigures & { wallPerCpu: number }; forgotten: ArchiveRunFigures & { wallPerCpu: number } };
  /** (g) npm run check where nothing changed; absent with --no-check. */
  check?: CheckBenchFigures;
  build: (BuildFigures & { measured: true }) | { measured: false; reason: string };
  targets: Record<string, { target: string; value: number | null; met: boolean | null }>;
}

export interface BenchOptions {
  pages: number;
  rounds: number;
  captures: number;
  noopLinks: number;
  workers?: number;
  build: boolean;
  /** (g) the link watch's cost where nothing changed (tools/bench/check.ts). */
  check: boolean;
  out: string;
  workDir: string;
  log: (line: string) => void;
}

export const BENCH_COMMAND: CommandSpec = {
  name: "bench",
  summary: "Measures the archiver against a baseline and the build against bare Eleventy + Pagefind, in one run; needs no internet.",
  options: [
    { flag: "pages", kind: "integer", value: "N", min: 1, defaultText: "390, the 130 fixture pages three times", help: "pages archived" },
    { flag: "rounds", kind: "integer", value: "N", min: 1, defaultText: "2", help: "alternating rounds of the baseline and the archiver; each is reported from its fastest" },
    { flag: "captures", kind: "integer", value: "N", min: 1, defaultText: "10000", help: "captures in the synthetic cache the build is measured on" },
    { flag: "quick", kind: "boolean", default: false, help: "a small run: 40 pages, 200 captures, one round" },
    { flag: "workers", kind: "integer", value: "N", min: 1, max: 64, help: "parse threads of the archiver (its default: one per core)" },
    { flag: "build", kind: "boolean", default: true, help: "measure the build too (--no-build skips it)" },
    { flag: "out", kind: "string", value: "FILE", defaultText: ".bench/results.json; .bench/quality.json with --quality", help: "where every figure is written as JSON" },
    { flag: "check", kind: "boolean", default: true, help: "measure npm run check where nothing changed, over the archived pages and 1000 links answering 304 (--no-check skips it)" },
    { flag: "quality", kind: "boolean", default: false, help: "instead: score the archiver's text on the extraction benchmark (F1, precision, recall) beside Readability's" },
  ],
};

export function parseBenchArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): BenchOptions & { help: boolean; quality: boolean; givenPages: number | undefined; givenOut: string | undefined } {
  const { values } = resolveOptions(BENCH_COMMAND, argv, env);
  const quick = values.quick === true;
  const given = (flag: string, fallback: number) => (values[flag] as number | undefined) ?? fallback;
  return {
    pages: given("pages", quick ? 40 : 3 * fixturePages().length),
    rounds: given("rounds", quick ? 1 : 2),
    captures: given("captures", quick ? 200 : 10_000),
    noopLinks: 1000,
    workers: values.workers as number | undefined,
    build: values.build === true,
    check: values.check === true,
    out: path.resolve(ROOT, (values.out as string | undefined) ?? ".bench/results.json"),
    workDir: path.join(ROOT, ".bench", "work"),
    log: (line) => process.stderr.write(`bench: ${line}\n`),
    help: values.help === true,
    quality: values.quality === true,
    givenPages: values.pages as number | undefined,
    givenOut: values.out as string | undefined,
  };
}

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const { log } = options;
  await rm(options.workDir, { recursive: true, force: true });
  await mkdir(options.workDir, { recursive: true });
  const machine = {
    cpus: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };

  log(`making ${options.pages} pages with images`);
  const workload = await prepareWorkload({ pages: options.pages, dir: options.workDir });
  let baseline, archive, rerun, noop, deadHosts;
  let check: CheckBenchFigures | undefined;
  try {
    const list = path.join(options.workDir, "pages.txt");
    await writeFile(list, `${workload.files.join("\n")}\n`);
    const linksFile = path.join(options.workDir, "links.txt");
    await writeFile(linksFile, `${workload.urls.join("\n")}\n`);
    const cacheDir = path.join(options.workDir, "cache");
    const flags = [
      "--links", linksFile,
      "--cache", cacheDir,
      "--allow-private-network",
      "--progress", "quiet",
      ...(options.workers === undefined ? [] : ["--workers", String(options.workers)]),
    ]; // prettier-ignore
    const baselines: Array<ChildRun<BaselineFigures>> = [];
    const archives: Array<ChildRun<ArchiveRunFigures>> = [];
    for (let round = 1; round <= options.rounds; round++) {
      const of = options.rounds > 1 ? ` (round ${round} of ${options.rounds})` : "";
      log(`(a) baseline: jsdom + Readability + sanitize-html over ${options.pages} pages${of}`);
      baselines.push(await runChild<BaselineFigures>(path.join(HERE, "baseline.ts"), [list]));
      await rm(cacheDir, { recursive: true, force: true });
      log(`(b) the archiver over the same ${options.pages} pages${of}`);
      archives.push(await runChild<ArchiveRunFigures>(path.join(HERE, "archive-run.ts"), flags));
    }
    baseline = { ...fastest(baselines), roundsMs: baselines.map((run) => run.result.wallMs) };
    archive = { ...fastest(archives), roundsMs: archives.map((run) => run.result.wallMs) };
    log("(c) the archiver again, nothing new");
    rerun = await runChild<ArchiveRunFigures>(path.join(HERE, "archive-run.ts"), flags);
    if (options.check) check = await benchCheck({ linksFile, cacheDir, workDir: options.workDir, validatorLinks: options.noopLinks, workers: options.workers, log });
    deadHosts = await benchDeadHosts(options, workload.urls);
  } finally {
    await workload.close();
  }
  const noopDir = path.join(options.workDir, "noop");
  const cached = await writeCachedLinks({ dir: noopDir, count: options.noopLinks });
  log(`(c) a no-op rerun over ${options.noopLinks} cached links`);
  noop = await runChild<ArchiveRunFigures>(path.join(HERE, "archive-run.ts"), [
    "--links", cached.linksFile, "--cache", cached.cacheDir, "--progress", "quiet",
  ]); // prettier-ignore

  let build: BenchResults["build"] = { measured: false, reason: "--no-build" };
  if (options.build) {
    log(`(d, e) the build of ${options.captures} captures, bare Eleventy + Pagefind, a rebuild`);
    build = { measured: true, ...(await benchBuild({ captures: options.captures, workDir: path.join(options.workDir, "build"), log })) };
  }

  const stored = await countStoredImages(path.join(options.workDir, "cache"));
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    machine,
    workload: {
      pages: options.pages,
      fixturePages: fixturePages().length,
      pageBytes: workload.pageBytes,
      distinctImages: workload.images.length,
      imageReferences: workload.imageReferences,
      imageBytes: workload.images.reduce((sum, image) => sum + image.bytes, 0),
    },
    baseline: { ...baseline.result, processMs: baseline.processMs, roundsMs: baseline.roundsMs },
    archive: {
      ...archive.result,
      processMs: archive.processMs,
      roundsMs: archive.roundsMs,
      pagesPerSecond: archive.result.captured / (archive.result.wallMs / 1000),
      msPerPage: archive.result.wallMs / archive.result.links,
      ratioToBaseline: archive.result.wallMs / baseline.result.wallMs,
      imagesStored: stored,
      cacheBytesPerCapture: (await folderBytes(path.join(options.workDir, "cache"))) / Math.max(1, archive.result.captured),
    },
    rerun: { ...rerun.result, processMs: rerun.processMs },
    noop: { ...noop.result, processMs: noop.processMs },
    deadHosts,
    ...(check ? { check } : {}),
    build,
    targets: {},
  };
  const target = (name: string, text: string, value: number | null, met: boolean | null) => (results.targets[name] = { target: text, value, met });
  target("archiveRatio", "archive wall ≤ 0.5 × baseline", results.archive.ratioToBaseline, results.archive.ratioToBaseline <= 0.5);
  target("noopRerun", `no-op rerun of ${options.noopLinks} links ≤ 1000 ms, no HTML parsed`, noop.result.wallMs, noop.result.wallMs <= 1000 && noop.result.pagesParsed === 0);
  const measured = build.measured ? build : undefined;
  target("buildRatio", "build ≤ 1.5 × (bare Eleventy + bare Pagefind)", measured?.ratio ?? null, measured ? measured.ratio <= 1.5 : null);
  target("buildMemory", "build peak RSS < 2 GB", measured?.buildPeakRssBytes ?? null, measured ? measured.buildPeakRssBytes < 2 * 1024 ** 3 : null);
  await mkdir(path.dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

/** How long a name that is gone takes to come back as gone, in part (f): a resolver's answer for a dead host. */
const DEAD_HOST_DNS_DELAY_MS = 300;

/**
 * (f) The first (up to) 130 pages of the workload: besides the two photographs from the local server, each keeps the
 * images it had on its real site, whose hosts do not resolve here, as an old article's often do not. Archived twice into empty caches, forgetting dead hosts and then
 * remembering them; reported with wall time over CPU time, which stays near 1 when the run waits for nothing.
 */
async function benchDeadHosts(options: BenchOptions, urls: string[]): Promise<BenchResults["deadHosts"]> {
  const dir = path.join(options.workDir, "dead-hosts");
  await mkdir(dir, { recursive: true });
  const pages = Math.min(urls.length, fixturePages().length);
  const linksFile = path.join(dir, "links.txt");
  await writeFile(linksFile, `${urls.slice(0, pages).join("\n")}\n`);
  const run = async (remember: boolean) => {
    const cacheDir = path.join(dir, remember ? "cache-remembered" : "cache-forgotten");
    options.log(`(f) ${pages} pages whose images are on dead hosts, ${remember ? "remembering" : "forgetting"} dead hosts`);
    const flags = ["--links", linksFile, "--cache", cacheDir, "--allow-private-network", "--progress", "quiet", "--dns-delay", String(DEAD_HOST_DNS_DELAY_MS)];
    if (!remember) flags.push("--forget-dead-hosts");
    if (options.workers !== undefined) flags.push("--workers", String(options.workers));
    const { result } = await runChild<ArchiveRunFigures>(path.join(HERE, "archive-run.ts"), flags);
    return { ...result, wallPerCpu: result.wallMs / result.cpuMs };
  };
  // The workload's server must be up: the pages come from it.
  const forgotten = await run(false);
  const remembered = await run(true);
  return { pages, dnsDelayMs: DEAD_HOST_DNS_DELAY_MS, remembered, forgotten };
}

/** The run with the least wall time. */
function fastest<T extends { wallMs: number }>(runs: Array<ChildRun<T>>): ChildRun<T> {
  return runs.reduce((best, run) => (run.result.wallMs < best.result.wallMs ? run : best));
}

async function countStoredImages(cacheDir: string): Promise<number> {
  const { readdir } = await import("node:fs/promises");
  let count = 0;
  for (const entry of await readdir(cacheDir, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || !/^[0-9a-f]{32}$/.test(entry.name)) continue;
    for (const file of await readdir(path.join(cacheDir, entry.name))) if (/\.(?:webp|avif)$/.test(file)) count += 1;
  }
  return count;
}

const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
/** "; fastest of 37.5 s, 41.2 s" when there was more than one round. */
const rounds = (roundsMs: number[]) => (roundsMs.length > 1 ? `; fastest of ${roundsMs.map(ms).join(", ")}` : "");

export function formatResults(r: BenchResults): string {
  const m = r.machine;
  const rows: Array<[string, string, string]> = [
    [
      "(a) baseline",
      `${ms(r.baseline.wallMs)}  ${r.baseline.msPerPage.toFixed(0)} ms/page`,
      `peak ${mb(r.baseline.peakRssBytes)}, ${r.baseline.pages} pages, ${r.baseline.articles} articles${rounds(r.baseline.roundsMs)}`,
    ],
    [
      "(b) archive",
      `${ms(r.archive.wallMs)}  ${r.archive.pagesPerSecond.toFixed(1)} pages/s`,
      `peak ${mb(r.archive.peakRssBytes)}, ${r.archive.captured}/${r.archive.links} captured, ${r.archive.workers} workers, ${r.archive.imagesEncoded} images encoded for ${r.archive.imagesStored} stored, ${Math.round(r.archive.cacheBytesPerCapture / 1024)} KB a capture${rounds(r.archive.roundsMs)}`,
    ],
    ["    ratio to (a)", r.archive.ratioToBaseline.toFixed(2), `target ≤ 0.5: ${r.targets.archiveRatio?.met ? "met" : "NOT met"}`],
    ["(c) rerun, nothing new", ms(r.rerun.wallMs), `${r.rerun.alreadyCached} cached, ${r.rerun.pagesParsed} parsed, ${r.rerun.workersStarted} workers started; process ${ms(r.rerun.processMs)}`],
    [
      `    no-op, ${r.noop.links} links`,
      ms(r.noop.wallMs),
      `${r.noop.pagesParsed} parsed, peak ${mb(r.noop.peakRssBytes)}; process ${ms(r.noop.processMs)}; target ≤ 1 s: ${r.targets.noopRerun?.met ? "met" : "NOT met"}`,
    ],
  ];
  const d = r.deadHosts;
  const deadRow = (label: string, run: typeof d.remembered): [string, string, string] => [
    label,
    ms(run.wallMs),
    `CPU ${ms(run.cpuMs)}, wall/CPU ${run.wallPerCpu.toFixed(2)}; ${run.captured}/${run.links} captured, ${run.imagesFailed} images on dead hosts failed`,
  ];
  rows.push(
    deadRow(`(f) dead image hosts, ${d.pages} pages`, d.remembered),
    deadRow("    dead hosts not remembered", d.forgotten),
    ["    ratio", (d.remembered.wallMs / d.forgotten.wallMs).toFixed(2), `wall time remembering / forgetting; each name takes ${d.dnsDelayMs} ms to come back as gone`],
  );
  if (r.check) {
    const row = (label: string, c: CheckBenchFigures["pages"]): [string, string, string] => [
      label,
      ms(c.wallMs),
      `${c.requests} requests, ${mb(c.bytes)} read, ${c.alive}/${c.checked} alive, ${c.written} records written, ${c.newVersions} new versions, peak ${mb(c.peakRssBytes)}; first check ${ms(c.firstCheckMs)}`,
    ];
    rows.push(row(`(g) check, ${r.check.pages.links} pages, no change`, r.check.pages), row(`    ${r.check.validators.links} links answering 304`, r.check.validators));
  }
  if (r.build.measured) {
    const b = r.build;
    rows.push(
      [`(d) build, ${b.captures} captures`, ms(b.buildMs), `peak ${mb(b.buildPeakRssBytes)}; target < 2 GB: ${r.targets.buildMemory?.met ? "met" : "NOT met"}`],
      ["    bare Eleventy + Pagefind", ms(b.bareMs), `peak ${mb(b.barePeakRssBytes)}`],
      ["    ratio", b.ratio.toFixed(2), `target ≤ 1.5: ${r.targets.buildRatio?.met ? "met" : "NOT met"}`],
      ["(e) rebuild, one capture added", ms(b.rebuildMs), `peak ${mb(b.rebuildPeakRssBytes)}`],
      ["    site size", mb(b.siteBytes), `${Math.round(b.siteBytesPerCapture / 1024)} KB a capture (pages, search index, images) against Pages' 1 GB`],
    );
  } else {
    rows.push(["(d, e) build", "not measured", r.build.reason]);
  }
  const width = Math.max(...rows.map(([a]) => a.length));
  const valueWidth = Math.max(...rows.map(([, b]) => b.length));
  return [
    `Machine: ${m.cpus} × ${m.cpuModel} (${m.availableParallelism} usable), ${(m.memoryBytes / 1024 ** 3).toFixed(1)} GB, Node ${m.node}, ${m.platform}`,
    `Workload: ${r.workload.pages} pages (the ${r.workload.fixturePages} fixture pages repeated), ${mb(r.workload.pageBytes)} of HTML, ${r.workload.imageReferences} <img> of ${r.workload.distinctImages} distinct 1–2 MP images`,
    "",
    ...rows.map(([a, b, c]) => `${a.padEnd(width)}  ${b.padEnd(valueWidth)}  ${c}`),
  ].join("\n");
}

async function benchCommand(argv: string[]): Promise<number> {
  const options = parseBenchArgs(argv, process.env);
  if (options.help) {
    process.stdout.write(`${helpText(BENCH_COMMAND)}\n`);
    return 0;
  }
  if (options.quality) {
    const quality = qualityOptions({ pages: options.givenPages, workers: options.workers, out: options.givenOut });
    const results = await runQualityBench(quality);
    process.stdout.write(`${formatQuality(results)}\n\nAll figures: ${path.relative(process.cwd(), quality.out)}\n`);
    return 0;
  }
  const results = await runBench(options);
  process.stdout.write(`${formatResults(results)}\n\nAll figures: ${path.relative(process.cwd(), options.out)}\n`);
  return 0;
}

if (isMain(import.meta.url)) runMain("bench", benchCommand);
