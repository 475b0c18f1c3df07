/**
 * ArchiveReadability (src/archive/parse/readability.ts) overrides some of Readability's steps to make them cheaper on
 * jsdom; they must not change a single answer. Over the 130 real pages of Readability's test suite, both run on
 * documents parsed the same way, and every field of the result, the article's HTML included, must be equal.
 */
import { Readability } from "@mozilla/readability";
import { describe, expect, it } from "vitest";
import { decodeHtml } from "../../src/archive/parse/decode.ts";
import { parseDocument } from "../../src/archive/parse/dom.ts";
import { stripScriptsAndStyles } from "../../src/archive/parse/strip.ts";
import { ArchiveReadability } from "../../src/archive/parse/readability.ts";
import { PAGES, readSource } from "../helpers/readability-pages.ts";

const PAGE_URL = "http://fakehost/test/page.html";

function outcome(parse: () => unknown): unknown {
  try {
    return { result: parse() };
  } catch (error) {
    return { threw: error instanceof Error ? error.message : String(error) };
  }
}

describe("ArchiveReadability", () => {
  it.each(PAGES)("%s: gives exactly what Readability gives", (name) => {
    const html = stripScriptsAndStyles(decodeHtml(readSource(name), "utf-8").html);
    const expected = outcome(() => new Readability(parseDocument(html, PAGE_URL)).parse());
    const actual = outcome(() => new ArchiveReadability(parseDocument(html, PAGE_URL)).parse());
    expect(actual).toEqual(expected);
  });
});
