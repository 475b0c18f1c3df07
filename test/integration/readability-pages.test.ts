/**
 * Decode → extract → sanitize over the 130 real pages of Readability's test suite (test/fixtures/readability-pages):
 * every page yields an article or a ParseError, titles and bylines match what Readability recorded, and nothing
 * script-capable survives in any output.
 */
import { describe, expect, it } from "vitest";
import { decodeHtml } from "../../src/archive/parse/decode.ts";
import { ParseError } from "../../src/archive/errors.ts";
import { extractArticle } from "../../src/archive/parse/extract.ts";
import { sanitizeArticle } from "../../src/archive/sanitize.ts";
import { expectedTitle, PAGES, readExpected, readSource, squash, TITLE_EXCEPTIONS } from "../helpers/readability-pages.ts";
import { scriptCapable } from "../helpers/safety.ts";

/** The URL Readability's own test harness gives every page. */
const PAGE_URL = "http://fakehost/test/page.html";

/** Pages jsdom cannot parse even without their CSS (none at the moment); each must fail with ParseError. */
const EXPECTED_PARSE_ERRORS: string[] = [];

const pages = PAGES;

const outcomes = new Map<string, "article" | "page" | "parse-error">();

describe("the 130 pages of Readability's test suite", () => {
  it("are all there", () => {
    expect(pages.length).toBe(130);
  });

  it.each(pages)("%s: becomes a safe article with the recorded title and byline", (name) => {
    const expected = readExpected(name);
    // The suite stores every page as UTF-8, whatever its <meta> says (qq.com declares gb2312), so it is served as
    // UTF-8 here, as a server would with "Content-Type: text/html; charset=utf-8".
    const { html } = decodeHtml(readSource(name), "utf-8");
    let article;
    try {
      article = extractArticle(html, PAGE_URL);
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      outcomes.set(name, "parse-error");
      return;
    }
    outcomes.set(name, article.readerable ? "article" : "page");

    expect(article.title, TITLE_EXCEPTIONS[name]?.why).toBe(expectedTitle(name, PAGE_URL, expected.title));
    if (expected.byline) expect(squash(article.byline)).toBe(squash(expected.byline));

    const safe = sanitizeArticle(article.html, { baseUrl: PAGE_URL });
    expect(scriptCapable(safe, PAGE_URL)).toEqual([]);
    expect(safe.trim()).not.toBe("");
  });

  it("every page yielded an article or a ParseError, and only the expected pages failed to parse", () => {
    expect(outcomes.size).toBe(pages.length);
    const parseErrors = [...outcomes].filter(([, outcome]) => outcome === "parse-error").map(([name]) => name);
    expect(parseErrors).toEqual(EXPECTED_PARSE_ERRORS);
  });
});
