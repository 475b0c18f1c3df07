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

/** Every number in an object, with its path. */
function numbers(value: unknown, at = ""): Array<[string, number]> {
  if (typeof value === "number") return [[at, value]];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) => numbers(inner, at ? `${at}.${key}` : key));
}

describe("npm run bench on a small workload", () => {
  it("writes the figures it returns to the JSON file", () => {
    expect(written).toEqual(results);
  });

  it("has every figure of the archive half, each a positive number", () => {
    for (const part of ["baseline", "archive", "rerun", "noop"] as const) {
      for (const key of ["wallMs", "peakRssBytes", "cpuMs"] as const) {
        expect(results[part][key], `${part}.${key}`).toBeGreaterThan(0);
      }
    }
    expect(results.archive.pagesPerSecond).toBeGreaterThan(0);
    expect(results.archive.ratioToBaseline).toBeGreaterThan(0);
    expect(results.machine.cpus).toBeGreaterThan(0);
    expect(results.machine.memoryBytes).toBeGreaterThan(0);
    expect(results.machine.node).toMatch(/^v\d+/);
    const counts = new Set(["failed", "alreadyCached", "captured", "pagesParsed", "workersStarted", "imagesEncoded", "imagesSharedInRun", "imagesReusedFromPreviousCapture"]);
    for (const [where, n] of numbers(results)) {
      expect(Number.isFinite(n), where).toBe(true);
      if (!counts.has(where.split(".").pop()!) && !where.startsWith("targets.")) expect(n, where).toBeGreaterThan(0);
    }
  });

  it("gives the baseline and the archiver the same pages, and the archiver captures them all", () => {
    expect(results.workload.pages).toBe(6);
    expect(results.baseline.pages).toBe(6);
    expect(results.archive.links).toBe(6);
    expect(results.archive.captured).toBe(6);
    expect(results.archive.failed).toBe(0);
    expect(results.archive.pagesParsed).toBe(6);
    expect(results.archive.imagesStored).toBeGreaterThan(0);
    expect(results.archive.imagesEncoded).toBeGreaterThan(0);
  });

  it("runs the baseline and the archiver once a round, and reports the fastest round of each", () => {
    expect(results.baseline.roundsMs).toHaveLength(2);
    expect(results.archive.roundsMs).toHaveLength(2);
    expect(results.baseline.wallMs).toBe(Math.min(...results.baseline.roundsMs));
    expect(results.archive.wallMs).toBe(Math.min(...results.archive.roundsMs));
    // Each round archived into an empty cache: the fastest one captured every page too.
    expect(results.archive.captured).toBe(results.archive.links);
    expect(table).toContain("fastest of");
  });

  it("computes ratios from the measured figures", () => {
    expect(results.archive.ratioToBaseline).toBeCloseTo(results.archive.wallMs / results.baseline.wallMs, 10);
    expect(results.archive.pagesPerSecond).toBeCloseTo(results.archive.captured / (results.archive.wallMs / 1000), 10);
    expect(results.targets.archiveRatio?.value).toBe(results.archive.ratioToBaseline);
    expect(results.targets.archiveRatio?.met).toBe(results.archive.ratioToBaseline <= 0.5);
    // tools/bench/build.ts is the build's half; until it exists the bench says so instead of inventing figures.
    if (results.build.measured) {
      expect(results.build.captures).toBe(20);
      for (const [where, n] of numbers(results.build)) expect(n, where).toBeGreaterThan(0);
      expect(results.targets.buildRatio?.value).toBe(results.build.ratio);
    }
  });

  it("reruns without parsing a page or starting a worker, for the workload and for 1,000 cached links", () => {
    expect(results.rerun).toMatchObject({ links: 6, alreadyCached: 6, captured: 0, pagesParsed: 0, workersStarted: 0, imagesEncoded: 0 });
    expect(results.noop).toMatchObject({ links: 1000, alreadyCached: 1000, captured: 0, pagesParsed: 0, workersStarted: 0 });
  });

  it("prints the machine and one row per measured part", () => {
    expect(table).toContain(`Node ${results.machine.node}`);
    for (const row of ["(a) baseline", "(b) archive", "ratio to (a)", "(c) rerun", "no-op, 1000 links", "(d"]) expect(table).toContain(row);
  });
});
