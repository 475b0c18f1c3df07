/**
 * The 130 real pages of Readability's test suite, vendored in test/fixtures/readability-pages/ (gzip-compressed,
 * Apache-2.0): the tests, the bench and the fixture generator read them through here.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

export const PAGES_DIR = fileURLToPath(new URL("../test/fixtures/readability-pages/", import.meta.url));

/** The page names, sorted. */
export const PAGES: readonly string[] = readdirSync(PAGES_DIR)
  .filter((name) => existsSync(`${PAGES_DIR}${name}/source.html.gz`))
  .sort();

export interface ExpectedMetadata {
  title: string;
  byline: string | null;
  excerpt: string | null;
  lang: string | null;
  siteName: string | null;
}

export function readExpected(name: string): ExpectedMetadata {
  return JSON.parse(readFileSync(`${PAGES_DIR}${name}/expected-metadata.json`, "utf8")) as ExpectedMetadata;
}

/** The page's bytes as fetched (the suite stores every page as UTF-8, whatever its <meta> says). */
export function readSource(name: string): Buffer {
  return gunzipSync(readFileSync(`${PAGES_DIR}${name}/source.html.gz`));
}
