/**
 * The extract stage copies each element's class into a data attribute before Readability runs (src/archive/parse/
 * hints.ts), so the cleanup after it can read what Readability removes. Readability must decide exactly as it does
 * without the copies: over the extraction benchmark's 91 real pages, its result with them (the copies taken out of
 * the HTML again) equals its result without them.
 */
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../src/archive/parse/dom.ts";
import { keepClassHints } from "../../src/archive/parse/hints.ts";
import { ArchiveReadability } from "../../src/archive/parse/readability.ts";
import { stripScriptsAndStyles } from "../../src/archive/parse/strip.ts";
import { benchmarkIds, pageGzip } from "../../tools/bench/benchmark-files.ts";

const PAGE_URL = "http://fakehost/test/page.html";

function readabilityOf(html: string, hints: boolean) {
  const document = parseDocument(html, PAGE_URL);
  if (hints) keepClassHints(document);
  const result = new ArchiveReadability(document).parse();
  return result && { ...result, content: result.content?.replace(/ data-archive-class="[^"]*"/g, "") };
}

describe("class hints kept through Readability", () => {
  it.each(benchmarkIds())("%s: Readability returns the same article with them as without them", (id) => {
    const html = stripScriptsAndStyles(gunzipSync(pageGzip(id)).toString("utf8"));
    const hinted = readabilityOf(html, true);
    expect(hinted?.content).toBeTruthy();
    expect(hinted).toEqual(readabilityOf(html, false));
  });
});
