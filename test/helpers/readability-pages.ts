/** What the tests add to the vendored Readability pages (tools/readability-pages.ts): the known title differences. */
export { PAGES, readExpected, readSource, type ExpectedMetadata } from "../../tools/readability-pages.ts";

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
