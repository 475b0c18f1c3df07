/**
 * The vendored extraction benchmark (test/fixtures/extraction-benchmark): its page ids, page bytes, ground truth and
 * the reference outputs of other extractors. Reads gzipped files from the repository; nothing else.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import type { ArticleBodies } from "./score.ts";

export const BENCHMARK_DIR = fileURLToPath(new URL("../../test/fixtures/extraction-benchmark/", import.meta.url));

/** Extractors whose benchmark output is vendored in reference/, with the versions the benchmark ran. */
export const REFERENCES = ["readability_js", "trafilatura"] as const;
export type ReferenceName = (typeof REFERENCES)[number];

/** Page ids, sorted: the names of html/<id>.html.gz. */
export function benchmarkIds(): string[] {
  return readdirSync(path.join(BENCHMARK_DIR, "html"))
    .filter((name) => name.endsWith(".html.gz"))
    .map((name) => name.slice(0, -".html.gz".length))
    .sort();
}

/** The page as fetched, gzipped, exactly as vendored. */
export function pageGzip(id: string): Buffer {
  return readFileSync(path.join(BENCHMARK_DIR, "html", `${id}.html.gz`));
}

function readGzipJson(file: string): unknown {
  return JSON.parse(gunzipSync(readFileSync(path.join(BENCHMARK_DIR, file))).toString("utf8"));
}

/** `{ id: { url, articleBody } }` for every page. */
export function groundTruth(): Record<string, { url: string; articleBody: string }> {
  return readGzipJson("ground-truth.json.gz") as Record<string, { url: string; articleBody: string }>;
}

/** A reference extractor's output, and the version the benchmark ran. */
export function referenceOutput(name: ReferenceName): { version: string; output: ArticleBodies } {
  return readGzipJson(path.join("reference", `${name}.json.gz`)) as { version: string; output: ArticleBodies };
}
