/**
 * `npm run bench` on a small workload: it runs end to end without internet, measures every part, and its ratios are
 * computed from the figures it measured (nothing hard-coded), with the baseline and the archiver on the same pages.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatResults, parseBenchArgs, runBench, type BenchResults } from "../../tools/bench.ts";

let results: BenchResults;
let written: BenchResults;
let table: string;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "bench-test-"));
  const out = path.join(dir, "results.json");
  const options = {
    ...parseBenchArgs(["--pages", "6", "--rounds", "2", "--captures", "20", "--out", out]),
    workDir: path.join(dir, "work"),
    log: () => {},
  };
  results = await runBench(options);
  written = JSON.parse(await readFile(out, "utf8")) as BenchResults;
  table = formatResults(results);
}, 300_000);

const MB = 1024 * 1024;

describe("npm run bench on a small workload", () => {
  it("writes the figures it returns to the JSON file", () => {
    expect(written).toEqual(results);
  });

  it("measures each part inside its own process: the work's time within the process's, its memory a real process's", () => {
    for (const part of ["baseline", "archive", "rerun", "noop"] as const) {
      const figures = results[part];
      // The child times its own work; the parent times the child from fork to exit, startup included.
      expect(figures.wallMs, `${part}.wallMs`).toBeGreaterThan(0);
      expect(figures.wallMs, `${part}: the work is part of its process`).toBeLessThan(figures.processMs);
      // getrusage's peak of a Node process that loaded the archiver: tens of MB at least, far from the machine's size.
      expect(figures.peakRssBytes, `${part}.peakRssBytes`).toBeGreaterThan(30 * MB);
      expect(figures.peakRssBytes, `${part}.peakRssBytes`).toBeLessThan(4096 * MB);
    }
    // Parsing pages takes CPU; a no-op rerun parses nothing, so it takes far less than archiving did.
    expect(results.archive.cpuMs).toBeGreaterThan(results.noop.cpuMs);
    expect(results.machine.node).toMatch(/^v\d+/);
  });

  it("gives the baseline and the archiver the same pages, and the archiver captures them all with their images", () => {
    expect(results.workload.pages).toBe(6);
    expect(results.baseline.pages).toBe(6);
    expect(results.archive.links).toBe(6);
    expect(results.archive.captured).toBe(6);
    expect(results.archive.failed).toBe(0);
    expect(results.archive.pagesParsed).toBe(6);
    // Two <img> a page, served by the local server: every page stores its images, and each distinct image is encoded
    // at most once in the run (the others are shared).
    expect(results.workload.imageReferences).toBe(12);
    expect(results.archive.imagesStored).toBeGreaterThanOrEqual(6);
    expect(results.archive.imagesStored).toBeLessThanOrEqual(12);
    expect(results.archive.imagesEncoded).toBeGreaterThan(0);
    expect(results.archive.imagesEncoded).toBeLessThanOrEqual(results.workload.distinctImages);
  });

  it("runs the baseline and the archiver once a round, and reports the fastest round of each", () => {
    expect(results.baseline.roundsMs).toHaveLength(2);
    expect(results.archive.roundsMs).toHaveLength(2);
    expect(results.baseline.wallMs).toBe(Math.min(...results.baseline.roundsMs));
    expect(results.archive.wallMs).toBe(Math.min(...results.archive.roundsMs));
    expect(table).toContain("fastest of");
  });

  it("measures the build too, on the synthetic archive it was asked for", () => {
    expect(results.build.measured).toBe(true);
    if (!results.build.measured) return;
    expect(results.build.captures).toBe(20);
    expect(results.targets.buildRatio?.value).toBe(results.build.ratio);
    expect(table).toContain("(d) build, 20 captures");
  });

  it("archives the pages with dead image hosts twice, and the same images fail whether dead hosts are remembered or not", () => {
    const { remembered, forgotten, pages } = results.deadHosts;
    expect(pages).toBe(6);
    for (const run of [remembered, forgotten]) expect(run).toMatchObject({ links: 6, captured: 6, failed: 0 });
    // The same images fail either way: remembering changes when they fail, not whether.
    expect(remembered.imagesFailed).toBe(forgotten.imagesFailed);
    expect(remembered.imagesFailed).toBeGreaterThan(0);
    expect(table).toContain("(f) dead image hosts, 6 pages");
  });

  it("reruns without parsing a page or starting a worker, for the workload and for 1,000 cached links", () => {
    expect(results.rerun).toMatchObject({ links: 6, alreadyCached: 6, captured: 0, pagesParsed: 0, workersStarted: 0, imagesEncoded: 0 });
    expect(results.noop).toMatchObject({ links: 1000, alreadyCached: 1000, captured: 0, pagesParsed: 0, workersStarted: 0 });
  });

  it("measures a check where nothing changed: every page asked and compared, every validator answered 304, nothing written", () => {
    const { pages, validators } = results.check!;
    // Served without validators, each page comes back whole, is parsed and found the same.
    expect(pages).toMatchObject({ links: 6, checked: 6, alive: 6, other: 0, written: 0, newVersions: 0, requests: 6 });
    expect(pages.bytes).toBeGreaterThan(6 * 1000);
    // With the ETag its capture stored, each link costs one request and no body.
    expect(validators).toMatchObject({ links: 1000, checked: 1000, alive: 1000, written: 0, newVersions: 0, requests: 1000, bytes: 0 });
    expect(validators.wallMs).toBeLessThan(validators.processMs);
  });

  it("prints the machine and one row per measured part, with the figures of the JSON", () => {
    expect(table).toContain(`Node ${results.machine.node}`);
    for (const row of ["(a) baseline", "(b) archive", "ratio to (a)", "(c) rerun", "no-op, 1000 links", "(g) check, 6 pages, no change", "1000 links answering 304", "(d) build", "(e) rebuild"]) expect(table).toContain(row);
    expect(table).toMatch(new RegExp(`ratio to \\(a\\)\\s+${results.archive.ratioToBaseline.toFixed(2).replace(".", "\\.")}`));
  });
});
