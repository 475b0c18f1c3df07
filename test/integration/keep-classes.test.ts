/**
 * The extract stage runs Readability with keepClasses (src/archive/parse/extract.ts readArticle), so the cleanup after
 * it can read each box's class, and removes them itself afterwards (hints.ts dropClasses). Readability must decide
 * exactly as it does when it cleans classes itself: over the extraction benchmark's 91 real pages, the production
 * path, its classes then dropped as the extract stage drops them, gives plain Readability's default result.
 */
import { gunzipSync } from "node:zlib";
import { Readability } from "@mozilla/readability";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../src/archive/parse/dom.ts";
import { readArticle } from "../../src/archive/parse/extract.ts";
import { dropClasses } from "../../src/archive/parse/hints.ts";
import { stripScriptsAndStyles } from "../../src/archive/parse/strip.ts";
import { benchmarkIds, pageGzip } from "../../tools/bench/benchmark-files.ts";

const PAGE_URL = "http://fakehost/test/page.html";

/** Readability's own class cleaning keeps this class (its classesToPreserve default); dropClasses does not. */
const withoutPreserved = (html: string | null | undefined) => html?.replaceAll(' class="page"', "");

describe("classes kept through Readability", () => {
  it.each(benchmarkIds())("%s: Readability returns the same article keeping them as cleaning them", (id) => {
    const html = stripScriptsAndStyles(gunzipSync(pageGzip(id)).toString("utf8"));
    const plain = new Readability(parseDocument(html, PAGE_URL)).parse();
    const kept = readArticle(parseDocument(html, PAGE_URL), (node) => {
      dropClasses(node as Element);
      return (node as Element).innerHTML;
    });
    expect(kept?.content).toBeTruthy();
    expect(kept?.content).toMatch(/\S/);
    expect({ ...kept, content: withoutPreserved(kept?.content) }).toEqual({ ...plain, content: withoutPreserved(plain?.content) });
  });
});
