/**
 * The importer's pure parts: which entries become lines (plan.ts), how they are appended (append.ts), CSV, the markup
 * scan and its link extraction, and decoding. Each against the input that would break it.
 */
import { describe, expect, it } from "vitest";
import { appendedBytes, lineEnding } from "../../src/import/append.ts";
import { CsvError, parseCsv } from "../../src/import/csv.ts";
import { extractLinks } from "../../src/import/html-links.ts";
import { scanMarkup } from "../../src/import/markup.ts";
import { planImport } from "../../src/import/plan.ts";
import { gzipSync } from "node:zlib";
import { feed } from "../../src/import/formats/feed.ts";
import { decodeSource, gunzipWithin, SourceError } from "../../src/import/read.ts";
import { EntryBudget } from "../../src/import/types.ts";
import type { ImportEntry } from "../../src/import/types.ts";
import { parseLinks } from "../../src/archive/links.ts";

const entry = (url: string, fields: Partial<ImportEntry> = {}): ImportEntry => ({ url, tags: [], where: `export.csv:${url.length}`, ...fields });
const plan = (links: string, entries: ImportEntry[], ownHosts: string[] = []) => planImport(links, entries, { linksName: "links.txt", ownHosts });

describe("planning the import", () => {
  it("adds a new URL exactly as the source wrote it, its title as the note and its tags in word form", () => {
    const result = plan("", [entry("https://Example.com/Post?utm_source=x#frag", { title: "Issue #12: a\ttitle\n", tags: ["Machine Learning", "C++", "!!"] })]);
    expect(result.lines.map((l) => l.text)).toEqual(["https://Example.com/Post?utm_source=x#frag  # Issue 12: a title #machine-learning #c"]);
    // What was written reads back, through the archiver's own parser, as the same URL (the key) and annotation.
    expect(parseLinks(result.lines[0]!.text).links[0]).toMatchObject({ url: "https://Example.com/Post?utm_source=x#frag", note: "Issue 12: a title", tags: ["machine-learning", "c"] });
  });

  it("skips a URL already in links.txt, annotated or not", () => {
    const result = plan("https://a.example/x  # mine #tag\n", [entry("https://a.example/x", { tags: ["other"] })]);
    expect(result.lines).toEqual([]);
    expect(result.alreadyListed).toBe(1);
  });

  it("skips a near duplicate of a listed URL and names the line it resembles", () => {
    const links = "# my links\nhttps://example.com/post\n";
    const result = plan(links, [entry("http://www.example.com/post/?utm_source=rss&fbclid=abc", { where: "pocket.csv:7" })]);
    expect(result.lines).toEqual([]);
    expect(result.nearDuplicates).toEqual([{ entry: expect.objectContaining({ where: "pocket.csv:7" }), resembles: "links.txt:2", url: "https://example.com/post" }]);
  });

  it("joins the tags of a URL given twice in one import into its one line", () => {
    const result = plan("", [entry("https://b.example/", { title: "B", tags: ["one"] }), entry("https://b.example/", { tags: ["two", "one"] })]);
    expect(result.lines.map((l) => l.text)).toEqual(["https://b.example/  # B #one #two"]);
    expect(result.repeated).toBe(1);
  });

  it("skips links into the blog itself, with or without www.", () => {
    const result = plan("", [entry("https://www.blog.example/post"), entry("https://blog.example/other"), entry("https://elsewhere.example/")], ["blog.example"]);
    expect(result.own).toBe(2);
    expect(result.lines.map((l) => l.url)).toEqual(["https://elsewhere.example/"]);
  });

  it("counts bookmarklets and place: queries as not web pages, and names an entry that is no URL at all", () => {
    const result = plan("", [entry("javascript:alert(1)"), entry("place:sort=8"), entry("mailto:a@b.example"), entry("not a url", { where: "x.html:3" }), entry(`https://long.example/${"a".repeat(9000)}`, { where: "x.html:4" })]);
    expect(result.notWeb).toBe(3);
    expect(result.problems.map((p) => p.where)).toEqual(["x.html:3", "x.html:4"]);
    expect(result.problems[1]!.reason).toMatch(/longer than 8192/);
    expect(result.problems[1]!.reason.length).toBeLessThan(300);
  });
});

describe("appending to links.txt", () => {
  const bytes = (text: string) => Buffer.from(text, "utf8");

  it("keeps a BOM and Windows line endings, and ends the last old line before the new ones", () => {
    const original = bytes("\uFEFFhttps://a.example/\r\nhttps://b.example/");
    expect(appendedBytes(original, ["https://c.example/", "https://d.example/"]).toString("utf8")).toBe(
      "\uFEFFhttps://a.example/\r\nhttps://b.example/\r\nhttps://c.example/\r\nhttps://d.example/\r\n",
    );
  });

  it("never changes a byte of what was there, even bytes that are not UTF-8", () => {
    const original = Buffer.concat([bytes("https://a.example/ # caf"), Buffer.from([0xe9]), bytes("\n")]);
    const appended = appendedBytes(original, ["https://b.example/"]);
    expect(appended.subarray(0, original.length).equals(original)).toBe(true);
    expect(appended.subarray(original.length).toString("utf8")).toBe("https://b.example/\n");
  });

  it("starts an empty file, or one holding only a BOM, with no blank line", () => {
    expect(appendedBytes(Buffer.alloc(0), ["https://a.example/"]).toString("utf8")).toBe("https://a.example/\n");
    expect(appendedBytes(bytes("\uFEFF"), ["https://a.example/"]).toString("utf8")).toBe("\uFEFFhttps://a.example/\n");
    expect(lineEnding("a\rb")).toBe("\r");
  });
});

describe("CSV", () => {
  it("reads quotes, commas, line breaks in quotes, CRLF, a BOM, blank lines and a last line without a break", () => {
    const rows = parseCsv('\uFEFFa,b,c\r\n"x, ""y""","multi\r\nline",z\r\n\r\nlast,,"end"');
    expect(rows).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ['x, "y"', "multi\r\nline", "z"] },
      { line: 5, fields: ["last", "", "end"] },
    ]);
  });

  it("names the line where a quote is never closed", () => {
    expect(() => parseCsv('a,b\n1,2\n"open,3\n4,5\n')).toThrow(expect.objectContaining({ line: 3 }) as CsvError);
  });
});

describe("the markup scan", () => {
  it("stays linear on deeply nested and unclosed markup that makes a tree builder quadratic", () => {
    const hostile = "<div>".repeat(200_000) + "</span>".repeat(200_000) + "<a href='https://x.example/'>x</a>";
    const started = performance.now();
    let opened = 0;
    scanMarkup(hostile, { xml: false }, { open: () => opened++ });
    // htmlparser2's Parser took 12 s on 100,000 of these; the tokenizer alone takes a fraction of a second.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(opened).toBe(200_001);
  });

  it("finds a post's links in its article, never in its navigation, resolving relative ones and keeping absolute ones as written", () => {
    const html = `<nav><a href="https://menu.example/">menu</a></nav><article><p><a href="HTTPS://Cited.example/A?b=1&amp;c=2">cited  <em>text</em></a>
      <a href="/local">local</a> <a href="javascript:void(0)">js</a> <a>no href</a></p></article><a href="https://footer.example/">footer</a>`;
    expect(extractLinks(html, "https://blog.example/post/")).toEqual([
      { url: "HTTPS://Cited.example/A?b=1&c=2", text: "cited text", line: 1 },
      { url: "https://blog.example/local", text: "local", line: 2 },
    ]);
    expect(extractLinks(html).map((l) => l.url)).toEqual(["HTTPS://Cited.example/A?b=1&c=2"]);
  });
});

describe("hostile sources", () => {
  it("never expands an entity a feed declares itself (no billion laughs), and reads the feed's links all the same", async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "${"ha".repeat(50)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss><channel><link>https://blog.example/</link><item><link>https://blog.example/p</link><title>&b;&b;&b;</title>
<description>&lt;a href="https://cited.example/x"&gt;&b;&lt;/a&gt;</description></item></channel></rss>`;
    const result = await feed.parse({ name: "laughs.xml", text: laughs }, { entries: new EntryBudget(10), signal: new AbortController().signal, maxPages: 0 });
    expect(result.entries.map((e) => [e.url, e.title])).toEqual([["https://cited.example/x", "&b;"]]);
  });

  it("stops unpacking a gzip bomb at the byte cap", () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    expect(() => gunzipWithin(bomb, 1024 * 1024, "sitemap.xml.gz")).toThrow(SourceError);
    expect(() => gunzipWithin(bomb, 1024 * 1024, "sitemap.xml.gz")).toThrow(/sitemap\.xml\.gz unpacks to more than 1048576 bytes/);
  });

  it("refuses a CSV field longer than the cap, naming its line", () => {
    expect(() => parseCsv(`a,b\n1,${"x".repeat(2000)}\n`, { maxField: 1000 })).toThrow(expect.objectContaining({ line: 2 }) as CsvError);
  });
});

describe("decoding a source", () => {
  it("reads UTF-16 with a BOM (a spreadsheet's CSV), UTF-8 with a BOM, and an XML declaration's encoding", () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("url,title\r\nhttps://é.example/,Café\r\n", "utf16le")]);
    expect(decodeSource(utf16)).toBe("url,title\r\nhttps://é.example/,Café\r\n");
    expect(decodeSource(Buffer.from("\uFEFFhello", "utf8"))).toBe("hello");
    const latin1 = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><rss><title>caf', "latin1"), Buffer.from([0xe9]), Buffer.from("</title></rss>")]);
    expect(decodeSource(latin1)).toContain("<title>café</title>");
  });
});
