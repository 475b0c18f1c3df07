/**
 * Each export format, read from a small file shaped exactly like the real one (test/fixtures/import/README.md): it is
 * recognised from its content, and gives its links with the source's titles, tags and places, and its broken entries
 * as problems naming file and line or entry.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectFormat } from "../../src/import/formats/index.ts";
import { decodeSource } from "../../src/import/read.ts";
import { EntryBudget, type ImportEntry, type ParseContext, type ParseResult } from "../../src/import/types.ts";

const DIR = new URL("../fixtures/import/", import.meta.url);

function context(limit = 10_000): ParseContext {
  return { entries: new EntryBudget(limit), signal: new AbortController().signal, maxPages: 0 };
}

/** Detects the fixture's format from its content and reads it, as the importer does. */
async function read(file: string, limit?: number): Promise<{ format: string; result: ParseResult }> {
  const text = decodeSource(readFileSync(new URL(file, DIR)));
  const trimmed = text.trimStart();
  const json = /^[[{]/.test(trimmed) ? (JSON.parse(trimmed) as unknown) : undefined;
  const format = detectFormat({ head: trimmed.slice(0, 8192), json, name: file });
  if (!format) throw new Error(`${file}: no format recognised`);
  return { format: format.name, result: await format.parse({ name: file, text }, context(limit), json) };
}

const brief = (entries: ImportEntry[]) => entries.map(({ url, title, tags, where }) => ({ url, title, tags, where }));

describe("browser bookmark exports (Netscape bookmark file)", () => {
  it("reads Chrome's export: nested folders as tags, the bookmarks bar as none, entities decoded, an untitled bookmark", async () => {
    const { format, result } = await read("chrome-bookmarks.html");
    expect(format).toBe("bookmarks");
    expect(brief(result.entries)).toEqual([
      { url: "https://docs.example.com/guide/", title: "Docs & Guides", tags: [], where: "chrome-bookmarks.html:11" },
      { url: "https://standards.example.org/html/living-standard#parsing", title: "HTML “Living” Standard", tags: ["Tech", "Web Standards"], where: "chrome-bookmarks.html:16" },
      { url: "https://www.example.com/caf%C3%A9/?ref=bar", title: undefined, tags: ["Tech", "Web Standards"], where: "chrome-bookmarks.html:17" },
      { url: "javascript:(function(){location.href='https://archive.example/?url='+encodeURIComponent(location.href)})()", title: "Save to archive", tags: ["Tech"], where: "chrome-bookmarks.html:19" },
      { url: "https://recipes.example.com/bread", title: "Bread", tags: [], where: "chrome-bookmarks.html:24" },
      { url: "not a url at all", title: "Broken", tags: [], where: "chrome-bookmarks.html:25" },
    ]);
  });

  it("reads Firefox's export with Windows line endings: TAGS, and the menu's default folders are not tags", async () => {
    const { format, result } = await read("firefox-bookmarks.html");
    expect(format).toBe("bookmarks");
    expect(brief(result.entries)).toEqual([
      { url: "https://support.example.org/products/firefox", title: "Get Help", tags: [], where: "firefox-bookmarks.html:14" },
      { url: "place:parent=toolbar_____&sort=12&maxResults=10", title: "Recent Tags", tags: [], where: "firefox-bookmarks.html:16" },
      { url: "https://blog.example.com/2024/rust-async", title: "Async Rust — a field guide", tags: ["rust", "async programming"], where: "firefox-bookmarks.html:17" },
      { url: "https://essays.example.net/on-writing?utm_source=newsletter", title: "On Writing <Well>", tags: ["Reading & Writing", "essays"], where: "firefox-bookmarks.html:23" },
      { url: "https://news.example.com/story/42", title: "Story 42", tags: [], where: "firefox-bookmarks.html:28" },
    ]);
  });

  it("reads Pocket's older HTML export with its tags attribute", async () => {
    const { format, result } = await read("ril_export.html");
    expect(format).toBe("bookmarks");
    expect(brief(result.entries)).toEqual([
      { url: "https://longreads.example.com/the-ocean", title: "The Ocean's Memory", tags: ["science", "oceans"], where: "ril_export.html:11" },
      { url: "http://old.example.net/page.html", title: "http://old.example.net/page.html", tags: [], where: "ril_export.html:12" },
      { url: "https://longreads.example.com/mountains", title: "Mountains", tags: ["travel"], where: "ril_export.html:16" },
    ]);
  });
});

describe("CSV exports", () => {
  it("reads Pocket's CSV with a BOM and CRLF: quoted commas and quotes, pipes inside a title, |-separated tags, a title on two lines", async () => {
    const { format, result } = await read("pocket.csv");
    expect(format).toBe("pocket");
    expect(brief(result.entries)).toEqual([
      { url: "https://data.example.com/csv-pitfalls", title: 'Why "Quotes", Commas, and Pipes | Break CSV', tags: ["data", "csv", "Data Engineering"], where: "pocket.csv:2" },
      { url: "https://de.example.com/äpfel", title: "Über Äpfel", tags: [], where: "pocket.csv:3" },
      { url: "https://notitle.example.com/x", title: undefined, tags: ["misc"], where: "pocket.csv:4" },
      { url: "https://multi.example.com/line", title: "A title\r\non two lines", tags: [], where: "pocket.csv:6" },
    ]);
    expect(result.problems).toEqual([{ where: "pocket.csv:5", reason: "has no url" }]);
  });

  it("reads Instapaper's CSV: a user's folder is a tag, its states are not, and the Tags cell is a JSON list", async () => {
    const { format, result } = await read("instapaper-export.csv");
    expect(format).toBe("instapaper");
    expect(brief(result.entries).map((e) => [e.url, e.tags])).toEqual([
      ["https://essays.example.net/attention", ["economics", "media"]],
      ["https://dougseven.example.com/2014/04/17/knightmare", []],
      ["https://poems.example.org/pessoa", ["Literature"]],
    ]);
  });

  it("reads Raindrop's CSV: a note spanning lines, the folder path as tags, Unsorted as none", async () => {
    const { format, result } = await read("raindrop.csv");
    expect(format).toBe("raindrop");
    expect(brief(result.entries)).toEqual([
      { url: "https://example.com/article?utm_source=raindrop&keep=1#part", title: 'Saved, "quoted" title', tags: ["Research", "Go", "reading", "go"], where: "raindrop.csv:2" },
      { url: "https://example.com/untitled", title: undefined, tags: [], where: "raindrop.csv:5" },
      { url: "https://doc.example.org/rust-by-example/", title: "Rust by Example", tags: ["tutorials", "rust", "programming"], where: "raindrop.csv:6" },
    ]);
  });
});

describe("JSON exports", () => {
  it("reads Pinboard's backup: description is the title, tags are space-separated, a record without href is a problem", async () => {
    const { format, result } = await read("pinboard.json");
    expect(format).toBe("pinboard");
    expect(brief(result.entries)).toEqual([
      { url: "https://maciej.example.com/bro/2014/05/29/web-obesity", title: "The Website Obesity Crisis", tags: ["web", "performance", "bloat"], where: "pinboard.json entry 1" },
      { url: "https://lists.example.org/archive/2019/msg00042.html", title: "Re: [patch] fix the “thing”", tags: [], where: "pinboard.json entry 2" },
    ]);
    expect(result.problems).toEqual([{ where: "pinboard.json entry 3", reason: "has no href" }]);
  });

  it("reads wallabag's export with its tags", async () => {
    const { format, result } = await read("wallabag.json");
    expect(format).toBe("wallabag");
    expect(brief(result.entries).map((e) => [e.url, e.title, e.tags])).toEqual([
      ["https://science.example.com/brain-time", "How the Brain Keeps Time", ["science", "Long Read"]],
      ["https://www.science.example.com/brain-time/", undefined, []],
    ]);
  });

  it("reads Linkwarden's export: a link's collection and its parents as tags, the default collection as none", async () => {
    const { format, result } = await read("linkwarden.json");
    expect(format).toBe("linkwarden");
    expect(brief(result.entries)).toEqual([
      { url: "https://plain.example.com/", title: "Plain link", tags: [], where: "linkwarden.json collection 1 entry 1" },
      { url: "https://db.example.com/sqlite", title: "SQLite is not a toy", tags: ["Programming", "Databases", "sqlite", "Storage Engines"], where: "linkwarden.json collection 3 entry 1" },
    ]);
    expect(result.problems).toEqual([{ where: "linkwarden.json collection 3 entry 2", reason: "has no url" }]);
  });

  it("reads Karakeep's export: link bookmarks only, text notes skipped silently, a bookmark without content named", async () => {
    const { format, result } = await read("karakeep.json");
    expect(format).toBe("karakeep");
    expect(brief(result.entries)).toEqual([
      { url: "https://ddia.example.com/chapter-1", title: "Designing Data-Intensive Things", tags: ["distributed systems", "books"], where: "karakeep.json entry 1" },
      { url: "https://blog.example.org/post?id=7&utm_medium=social", title: undefined, tags: ["to-read"], where: "karakeep.json entry 3" },
    ]);
    expect(result.problems).toEqual([{ where: "karakeep.json entry 4", reason: "has no link (content.url)" }]);
  });

  it("reads Omnivore's metadata file with its labels", async () => {
    const { format, result } = await read("metadata_0_to_20.json");
    expect(format).toBe("omnivore");
    expect(brief(result.entries).map((e) => [e.url, e.title, e.tags])).toEqual([
      ["https://wired.example.com/long-tail", "The Long Tail", ["economics", "Newsletter"]],
      ["https://notes.example.com/untitled", undefined, []],
    ]);
  });
});

describe("outlines and lists", () => {
  it("reads OPML: a feed's site (or the feed when it names none), folders and categories as tags", async () => {
    const { format, result } = await read("subscriptions.opml");
    expect(format).toBe("opml");
    expect(brief(result.entries)).toEqual([
      { url: "https://jvns.example.com/", title: "Julia Evans", tags: ["Tech"], where: "subscriptions.opml:9" },
      { url: "https://rust.example.org/rss.xml", title: "This Week in Rust", tags: ["Tech", "Languages"], where: "subscriptions.opml:11" },
      { url: "https://keep.example.com/page", title: "A page worth keeping", tags: ["Reading", "Later"], where: "subscriptions.opml:14" },
    ]);
  });

  it("reads a plain list: comments skipped, an annotation kept, a line that is not a URL named", async () => {
    const { format, result } = await read("reading-list.txt");
    expect(format).toBe("urls");
    expect(brief(result.entries)).toEqual([
      { url: "https://one.example.com/a", title: undefined, tags: [], where: "reading-list.txt:2" },
      { url: "https://two.example.com/b", title: "the second one", tags: ["later"], where: "reading-list.txt:3" },
      { url: "https://three.example.com/c", title: undefined, tags: [], where: "reading-list.txt:6" },
      { url: "ftp://files.example.com/pub/readme", title: undefined, tags: [], where: "reading-list.txt:7" },
    ]);
    expect(result.problems).toEqual([{ where: "reading-list.txt:5", reason: '"see" is not a URL' }]);
  });
});

describe("a blog's feed", () => {
  it("reads RSS 2.0: links in content:encoded and escaped descriptions, relative links resolved, categories as tags, its own hosts named", async () => {
    const { format, result } = await read("feed.xml");
    expect(format).toBe("feed");
    expect(brief(result.entries)).toEqual([
      { url: "https://http.example.org/rfc9111", title: "RFC 9111", tags: ["performance", "Web Dev"], where: "feed.xml:8" },
      { url: "https://http.example.org/rfc9111", title: "RFC 9111", tags: ["performance", "Web Dev"], where: "feed.xml:8" },
      { url: "https://blog.example.com/cache-invalidation?utm_source=rss", title: "Cache invalidation & naming", tags: ["performance", "Web Dev"], where: "feed.xml:8" },
      { url: "https://ada.example.blog/2023/earlier-post/", title: "earlier post", tags: ["performance", "Web Dev"], where: "feed.xml:8" },
      { url: "https://www.ada.example.blog/about", title: "about me", tags: ["performance", "Web Dev"], where: "feed.xml:8" },
      { url: "https://papers.example.edu/bloom.pdf", title: "Bloom filters, the paper", tags: ["links"], where: "feed.xml:21" },
    ]);
    expect(result.ownHosts).toEqual(["ada.example.blog"]);
  });

  it("reads Atom: escaped HTML and xhtml content alike", async () => {
    const { format, result } = await read("atom.xml");
    expect(format).toBe("feed");
    expect(brief(result.entries).map((e) => [e.url, e.title, e.tags])).toEqual([
      ["https://compilers.example.org/dragon", "the dragon book", ["compilers"]],
      ["https://compilers.example.org/dragon", "the dragon book", ["compilers"]],
      ["https://papers.example.edu/ssa?x=1&y=2", "the SSA paper", ["compilers"]],
    ]);
    expect(result.ownHosts?.sort()).toEqual(["grace.example.dev"]);
  });
});

describe("a blog's posts", () => {
  it("reads a Markdown post: inline, reference, auto and bare links and inline HTML, never code; its front matter tags; lines in the file", async () => {
    const { format, result } = await read("posts/2024/hello-world.md");
    expect(format).toBe("markdown");
    expect(brief(result.entries)).toEqual([
      { url: "https://robustlinks.example.org/spec/", title: "the Robust Links spec", tags: ["meta", "Web Archiving"], where: "posts/2024/hello-world.md:10" },
      { url: "https://reference.example.org/doc", title: "reference-style link", tags: ["meta", "Web Archiving"], where: "posts/2024/hello-world.md:11" },
      { url: "https://autolink.example.com/page", title: undefined, tags: ["meta", "Web Archiving"], where: "posts/2024/hello-world.md:11" },
      { url: "https://bare.example.com/path?q=1", title: undefined, tags: ["meta", "Web Archiving"], where: "posts/2024/hello-world.md:12" },
      { url: "https://ada.example.blog/about", title: "my own site", tags: ["meta", "Web Archiving"], where: "posts/2024/hello-world.md:14" },
      { url: "https://inline-html.example.net/x", title: undefined, tags: ["meta", "Web Archiving"], where: "posts/2024/hello-world.md:22" },
      { url: "https://html-block.example.net/y", title: "a link", tags: ["meta", "Web Archiving"], where: "posts/2024/hello-world.md:25" },
    ]);
  });

  it("reads a post with TOML front matter, and an HTML post's article only", async () => {
    const toml = await read("posts/2024/toml-post.md");
    expect(brief(toml.result.entries)).toEqual([{ url: "https://hugo-post.example.com/linked", title: "a link", tags: [], where: "posts/2024/toml-post.md:6" }]);
    const page = await read("posts/old-post.html");
    expect(page.format).toBe("html");
    expect(brief(page.result.entries).map((e) => [e.url, e.title])).toEqual([
      ["https://old-article.example.com/2010/story.html", "a story"],
      ["https://ada.example.blog/2009/before", "my previous post"],
    ]);
  });
});

describe("bounds", () => {
  it("stops at the entry budget and says so", async () => {
    const ctx = context(2);
    const { format } = await read("pocket.csv");
    expect(format).toBe("pocket");
    const text = decodeSource(readFileSync(new URL("pocket.csv", DIR)));
    const pocket = detectFormat({ head: text.slice(0, 200), name: "pocket.csv" })!;
    const result = await pocket.parse({ name: "pocket.csv", text }, ctx);
    expect(result.entries).toHaveLength(2);
    expect(ctx.entries.exhausted).toBe(true);
  });
});
