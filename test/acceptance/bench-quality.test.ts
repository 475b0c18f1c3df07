/**
 * `npm run bench -- --quality` on five of the benchmark's pages: the archiver's figures are the scorer applied to the
 * captures it wrote (read back from the cache here, not taken from the bench), and the other extractors are scored on
 * the same five pages.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { hashUrl } from "../../src/cache/layout.ts";
import { captureBodyOf } from "../../src/cache/capture-file.ts";
import { groundTruth, referenceOutput } from "../../tools/bench/benchmark-files.ts";
import { formatQuality, qualityOptions, runQualityBench, type QualityResults } from "../../tools/bench/quality.ts";
import { scoreBodies, type ArticleBodies } from "../../tools/bench/score.ts";
import { htmlToText } from "../../tools/bench/text.ts";

let results: QualityResults;
let written: QualityResults;
let ids: string[];

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "bench-quality-"));
  const out = path.join(dir, "quality.json");
  const options = { ...qualityOptions({ pages: 5, out }), workDir: path.join(dir, "work"), log: () => {} };
  ids = options.ids;
  results = await runQualityBench(options);
  written = JSON.parse(await readFile(out, "utf8")) as QualityResults;
}, 300_000);

describe("npm run bench -- --quality on five pages", () => {
  it("archives every page through the pipeline and scores the captures it stored", async () => {
    expect(results.pages).toBe(5);
    expect(results.archiver).toMatchObject({ captured: 5, failed: 0 });
    // The kinds come from the captures as the cache module reads them, not from a pattern over the file.
    expect(results.archiver.kinds).toEqual({ article: 5 });
    const truth = groundTruth();
    const expected: ArticleBodies = Object.fromEntries(ids.map((id) => [id, { articleBody: truth[id]!.articleBody }]));
    const stored: ArticleBodies = {};
    for (const id of ids) {
      const file = await readFile(path.join(results.cacheDir, hashUrl(results.urls[id]!), "index.html"), "utf8");
      expect(file).toMatch(/^kind: "article"$/m);
      const text = htmlToText(captureBodyOf(file));
      expect(text.length, id).toBeGreaterThan(200);
      stored[id] = { articleBody: text };
    }
    const scores = scoreBodies(expected, stored);
    expect(results.archiver.f1).toBe(scores.f1);
    expect(results.archiver.precision).toBe(scores.precision);
    expect(results.archiver.recall).toBe(scores.recall);
    expect(results.archiver.bodies).toEqual(stored);
    // Real articles, really extracted: most of each page's text is the article's.
    expect(scores.recall).toBeGreaterThan(0.9);
    expect(scores.precision).toBeGreaterThan(0.8);
  });

  it("scores plain Readability and the vendored outputs on the same five pages", () => {
    expect(Object.keys(results.readability.bodies).sort()).toEqual([...ids].sort());
    const truth = groundTruth();
    const expected: ArticleBodies = Object.fromEntries(ids.map((id) => [id, { articleBody: truth[id]!.articleBody }]));
    const { output } = referenceOutput("trafilatura");
    const trafilatura = scoreBodies(expected, Object.fromEntries(ids.map((id) => [id, output[id]!])));
    expect(results.references.trafilatura.f1).toBe(trafilatura.f1);
    expect(results.references.trafilatura.version).toBe("2.0.0");
    expect(results.readability.f1).toBeGreaterThan(0);
  });

  it("writes the figures it returns to the JSON file and prints each extractor's", () => {
    expect(written).toEqual(results);
    const table = formatQuality(results);
    expect(table).toContain(`${results.archiver.f1.toFixed(3)}  ${results.archiver.precision.toFixed(3)}`);
    expect(table).toContain(`Readability ${results.readability.version} (plain)`);
    expect(table).toContain("trafilatura 2.0.0");
    expect(table).toContain("5/5 captured");
  });
});
