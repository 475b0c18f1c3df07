/** The 130 real pages of Readability's test suite (../shared/fixtures/readability-pages), shared by the tests. */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const PAGES_DIR = fileURLToPath(new URL("../../../shared/fixtures/readability-pages/", import.meta.url));

export const PAGES = readdirSync(PAGES_DIR)
  .filter((name) => existsSync(`${PAGES_DIR}${name}/source.html`))
  .sort();

export interface ExpectedMetadata {
  title: string;
  byline: string | null;
  lang: string | null;
  siteName: string | null;
}

export function readExpected(name: string): ExpectedMetadata {
  return JSON.parse(readFileSync(`${PAGES_DIR}${name}/expected-metadata.json`, "utf8")) as ExpectedMetadata;
}

export function readSource(name: string): Buffer {
  return readFileSync(`${PAGES_DIR}${name}/source.html`);
}

/**
 * Pages whose title differs from expected-metadata.json, and why. The expected titles were recorded by Readability's
 * own test suite, so a difference here is either our fallback or a change between Readability revisions.
 */
export const TITLE_EXCEPTIONS: Record<string, string> = {
  "005-unescape-html-entities": "Readability finds no title (expected is empty); a capture needs one, so we fall back to the URL",
  ol: "Readability finds no title (expected is empty); a capture needs one, so we fall back to the URL",
  "reordering-paragraphs": "Readability finds no title (expected is empty); a capture needs one, so we fall back to the URL",
  mercurial: "the installed Readability 0.6.0 itself returns the title without its 'Evolve: ' prefix; the fixture is from a later revision",
  "title-en-dash": "the installed Readability 0.6.0 itself keeps the ' – My website' suffix; the fixture is from a later revision",
};

/** Runs of ASCII whitespace collapsed: markup indentation inside a byline is not part of it. */
export function squash(text: string | null | undefined): string {
  return (text ?? "").replace(/[\t\n\f\r ]+/g, " ").trim();
}
