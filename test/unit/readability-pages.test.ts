/**
 * Decode → extract → sanitize over the 130 real pages of Readability's test suite (../shared/fixtures/readability-pages):
 * every page yields an article or a ParseError, titles and bylines match what Readability recorded, and nothing
 * script-capable survives in any output.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { decodeHtml } from "../../scripts/archive/decode.ts";
import { ParseError } from "../../scripts/archive/errors.ts";
import { extractArticle } from "../../scripts/archive/extract.ts";
import { sanitizeArticle } from "../../scripts/archive/sanitize.ts";

const PAGES_DIR = fileURLToPath(new URL("../../../shared/fixtures/readability-pages/", import.meta.url));
/** The URL Readability's own test harness gives every page. */
const PAGE_URL = "http://fakehost/test/page.html";

/**
 * Pages whose title differs from expected-metadata.json, and why. The expected titles were recorded by Readability's
 * own test suite, so a difference here is either our fallback or a change between Readability revisions.
 */
const TITLE_EXCEPTIONS: Record<string, string> = {
  "005-unescape-html-entities": "Readability finds no title (expected is empty); a capture needs one, so we fall back to the URL",
  ol: "Readability finds no title (expected is empty); a capture needs one, so we fall back to the URL",
  "reordering-paragraphs": "Readability finds no title (expected is empty); a capture needs one, so we fall back to the URL",
  mercurial: "the installed Readability 0.6.0 itself returns the title without its 'Evolve: ' prefix; the fixture is from a later revision",
  "title-en-dash": "the installed Readability 0.6.0 itself keeps the ' – My website' suffix; the fixture is from a later revision",
};

/** Pages jsdom cannot parse even without their CSS (none at the moment); each must fail with ParseError. */
const EXPECTED_PARSE_ERRORS: string[] = [];

const FORBIDDEN_ELEMENTS =
  "script, style, iframe, frame, frameset, object, embed, applet, param, svg, math, form, input, button, textarea, " +
  "select, base, meta, link, template, noscript";
const LOCAL_IMAGE = /^[0-9a-f]{16,64}\.(?:webp|avif)$/;

/** Runs of ASCII whitespace collapsed: markup indentation inside a byline is not part of it. */
function squash(text: string | null | undefined): string {
  return (text ?? "").replace(/[\t\n\f\r ]+/g, " ").trim();
}

/** The scheme a browser would use for a URL attribute (the URL parser strips the tabs and newlines that hide one). */
function schemeOf(value: string): string | undefined {
  try {
    return new URL(value, PAGE_URL).protocol;
  } catch {
    return undefined;
  }
}

/** Every script-capable thing found in sanitized HTML, as readable strings (an empty list is safe). */
function scriptCapable(html: string): string[] {
  const fragment = JSDOM.fragment(html);
  const problems = Array.from(fragment.querySelectorAll(FORBIDDEN_ELEMENTS), (e) => `<${e.localName}>`);
  for (const element of fragment.querySelectorAll("*")) {
    for (const { name, value } of Array.from(element.attributes)) {
      if (name.startsWith("on") || name === "style" || name === "id" || name === "name") {
        problems.push(`${element.localName}[${name}]`);
      }
      if (["href", "src", "cite", "action", "formaction", "srcset", "poster", "xlink:href"].includes(name)) {
        const scheme = schemeOf(value);
        if (scheme === "javascript:" || scheme === "vbscript:" || scheme === "data:") {
          problems.push(`${element.localName}[${name}=${value.slice(0, 40)}]`);
        }
      }
    }
    if (element.localName === "img" && element.hasAttribute("src") && !LOCAL_IMAGE.test(element.getAttribute("src")!)) {
      problems.push(`img[src=${element.getAttribute("src")}] is not a local file`);
    }
    if (element.localName === "a" && element.hasAttribute("href") && element.getAttribute("rel") !== "noopener noreferrer nofollow") {
      problems.push(`a[href=${element.getAttribute("href")}] without rel`);
    }
  }
  return problems;
}

const pages = readdirSync(PAGES_DIR)
  .filter((name) => existsSync(`${PAGES_DIR}${name}/source.html`))
  .sort();

const outcomes = new Map<string, "article" | "page" | "parse-error">();

describe("the 130 pages of Readability's test suite", () => {
  it("are all there", () => {
    expect(pages.length).toBe(130);
  });

  it.each(pages)("%s: becomes a safe article with the recorded title and byline", (name) => {
    const expected = JSON.parse(readFileSync(`${PAGES_DIR}${name}/expected-metadata.json`, "utf8")) as {
      title: string;
      byline: string | null;
    };
    // The suite stores every page as UTF-8, whatever its <meta> says (qq.com declares gb2312), so it is served as
    // UTF-8 here, as a server would with "Content-Type: text/html; charset=utf-8".
    const { html } = decodeHtml(readFileSync(`${PAGES_DIR}${name}/source.html`), "utf-8");
    let article;
    try {
      article = extractArticle(html, PAGE_URL);
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      outcomes.set(name, "parse-error");
      return;
    }
    outcomes.set(name, article.readerable ? "article" : "page");

    if (name in TITLE_EXCEPTIONS) {
      expect(article.title, TITLE_EXCEPTIONS[name]).not.toBe(expected.title);
    } else {
      expect(article.title).toBe(squash(expected.title));
    }
    if (expected.byline) expect(squash(article.byline)).toBe(squash(expected.byline));

    const safe = sanitizeArticle(article.html, { baseUrl: PAGE_URL });
    expect(scriptCapable(safe)).toEqual([]);
    expect(safe.trim()).not.toBe("");
  });

  it("every page yielded an article or a ParseError, and only the expected pages failed to parse", () => {
    expect(outcomes.size).toBe(pages.length);
    const parseErrors = [...outcomes].filter(([, outcome]) => outcome === "parse-error").map(([name]) => name);
    expect(parseErrors).toEqual(EXPECTED_PARSE_ERRORS);
  });
});
