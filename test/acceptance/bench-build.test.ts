/**
 * The build part of `npm run bench` on a tiny synthetic archive: it generates the captures, builds them the bare way
 * and ours, rebuilds after adding one, and reports what a whole build costs.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { benchBuild } from "../../tools/bench/build.ts";

let workDir: string | undefined;

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

test("benchBuild measures a bare build, our build and a rebuild of a small synthetic archive", async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "bench-build-"));
  const lines: string[] = [];
  const figures = await benchBuild({ captures: 40, workDir, log: (line) => lines.push(line) });

  expect(figures.captures).toBe(40);
  // Peak memory is the whole process tree's (Node and Pagefind's binary): more than an idle Node, far from the machine.
  for (const key of ["buildPeakRssBytes", "barePeakRssBytes", "rebuildPeakRssBytes"] as const) {
    expect(figures[key], key).toBeGreaterThan(50 * 1024 * 1024);
    expect(figures[key], key).toBeLessThan(8 * 1024 ** 3);
  }
  // Each build wrote a whole site: Eleventy and Pagefind cannot start, render 40 pages and index them in a millisecond.
  for (const key of ["buildMs", "bareMs", "rebuildMs"] as const) expect(figures[key], key).toBeGreaterThan(100);
  // The synthetic cache holds the 40 captures and the one added before the rebuild.
  expect((await readdir(path.join(workDir, "cache"))).filter((name) => /^[0-9a-f]{32}$/.test(name))).toHaveLength(41);
  expect(lines.join("\n")).toMatch(/bare: .* build: .* build: /s);
}, 120_000);
