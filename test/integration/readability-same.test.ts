/**
 * The archiver runs Readability through fast paths (src/archive/parse/readability.ts overrides private steps of it,
 * fast-document.ts hands it a document without jsdom's named-property walks); they must not change a single answer.
 * Over the 130 real pages of Readability's test suite, the production path (readArticle) and plain Readability on the
 * plain document run on documents parsed the same way, and every field of the result, the article's HTML included,
 * must be equal. Both packages are pinned exactly in package.json: an upgrade that changes their internals runs this.
 */
import { describe, expect, it } from "vitest";
import { decodeHtml } from "../../src/archive/parse/decode.ts";
import { parseDocument } from "../../src/archive/parse/dom.ts";
import { stripScriptsAndStyles } from "../../src/archive/parse/strip.ts";
import { readArticle } from "../../src/archive/parse/extract.ts";
import { PAGES, readSource } from "../helpers/readability-pages.ts";

const PAGE_URL = "http://fakehost/test/page.html";

function outcome(parse: () => unknown): unknown {
  try {
    return { result: parse() };
  } catch (error) {
    return { threw: error instanceof Error ? error.message : String(error) };
  }
}

const innerHtml = (node: Node) => (node as Element).innerHTML;

describe("Readability as the archiver runs it", () => {
  it.each(PAGES)("%s: gives exactly what plain Readability gives", (name) => {
    const html = stripScriptsAndStyles(decodeHtml(readSource(name), "utf-8").html);
    const expected = outcome(() => readArticle(parseDocument(html, PAGE_URL), innerHtml, { fastPaths: false }));
    const actual = outcome(() => readArticle(parseDocument(html, PAGE_URL), innerHtml));
    expect(actual).toEqual(expected);
  });
});
