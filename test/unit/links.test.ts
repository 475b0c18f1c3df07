import { describe, expect, it } from "vitest";
import { formatProblem, parseLinks } from "../../src/archive/links.ts";
import { hashUrl } from "../../src/cache/layout.ts";

describe("parseLinks", () => {
  it("hashes the URL exactly as written, as the design's example says", () => {
    expect(hashUrl("http://blog.circleci.com/its-the-future/")).toBe("c49c76ef1aea72cabf73a382c7900429");
  });

  it("skips blank lines and comments and trims surrounding spaces", () => {
    const { links, problems } = parseLinks("# my links\n\n   https://example.com/a  \n\t# indented comment\nhttps://example.com/b\n");
    expect(links.map((l) => [l.url, l.line])).toEqual([
      ["https://example.com/a", 3],
      ["https://example.com/b", 5],
    ]);
    expect(links[0]!.hash).toBe(hashUrl("https://example.com/a"));
    expect(problems).toEqual([]);
  });

  it("never normalizes: a trailing slash or letter case makes a different capture", () => {
    const { links } = parseLinks("https://Example.com/a\nhttps://example.com/a/\nhttps://example.com/a");
    expect(new Set(links.map((l) => l.hash)).size).toBe(3);
  });

  it("captures a URL listed twice once and counts the repeat", () => {
    const { links, duplicates } = parseLinks("https://example.com/a\nhttps://example.com/a\n  https://example.com/a  ");
    expect(links).toHaveLength(1);
    expect(links[0]!.line).toBe(1);
    expect(duplicates).toBe(2);
  });

  it("reports each bad line with its number and reason, and keeps the good ones", () => {
    const text = [
      "htp://x",
      "https://ok.example/",
      "example.com/no-scheme",
      "javascript:alert(1)",
      "file:///etc/passwd",
      "https://a.example/ https://b.example/",
      "ftp://files.example/x",
      "https://user:secret@example.com/",
      "https://",
    ].join("\n");
    const { links, problems } = parseLinks(text);
    expect(links.map((l) => l.url)).toEqual(["https://ok.example/"]);
    expect(problems.map((p) => p.line)).toEqual([1, 3, 4, 5, 6, 7, 8, 9]);
    expect(formatProblem("links.txt", problems[0]!)).toBe('links.txt:1: "htp://x" is not an http(s) URL (scheme "htp")');
    expect(problems[1]!.reason).toMatch(/not an absolute URL/);
    expect(problems[4]!.reason).toMatch(/one URL on each line/);
    expect(problems[6]!.reason).toMatch(/password/);
  });

  it("ignores a byte order mark and Windows line endings", () => {
    const { links } = parseLinks("\uFEFFhttps://example.com/a\r\nhttps://example.com/b\r\n");
    expect(links.map((l) => l.url)).toEqual(["https://example.com/a", "https://example.com/b"]);
  });

  it("reads a line's annotation as its note and tags without changing its key", () => {
    const { links, problems } = parseLinks("https://example.com/post  # satire #containers\nhttps://example.com/other\t#Go #go #rust\n");
    expect(problems).toEqual([]);
    expect(links.map((l) => [l.url, l.hash, l.note, l.tags])).toEqual([
      ["https://example.com/post", hashUrl("https://example.com/post"), "satire", ["containers"]],
      ["https://example.com/other", hashUrl("https://example.com/other"), undefined, ["go", "rust"]],
    ]);
  });

  it("keeps a fragment that is part of the URL and starts the annotation only after white space", () => {
    const { links } = parseLinks("https://example.com/a#section #tag\nhttps://example.com/b#only-a-fragment\n");
    expect(links.map((l) => [l.url, l.tags])).toEqual([
      ["https://example.com/a#section", ["tag"]],
      ["https://example.com/b#only-a-fragment", []],
    ]);
  });

  it("joins the tags of a URL listed twice and keeps its first note", () => {
    const { links, duplicates } = parseLinks("https://example.com/a # first note #x\nhttps://example.com/a # second #y #x\n");
    expect(duplicates).toBe(1);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ line: 1, note: "first note", tags: ["x", "y"] });
  });

  it("names the line whose text after the URL is not an annotation", () => {
    const { links, problems } = parseLinks("https://example.com/a see also this\nhttps://example.com/b\n");
    expect(links.map((l) => l.url)).toEqual(["https://example.com/b"]);
    expect(formatProblem("links.txt", problems[0]!)).toMatch(/^links\.txt:1: "https:\/\/example\.com\/a see also this" has text after the URL that is not an annotation/);
  });

  it("refuses an absurdly long line without echoing all of it", () => {
    const { problems } = parseLinks(`https://example.com/${"a".repeat(10_000)}`);
    expect(problems[0]!.reason).toMatch(/longer than/);
    expect(problems[0]!.text.length).toBeLessThan(300);
  });
});
