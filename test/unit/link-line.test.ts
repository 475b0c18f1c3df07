import { describe, expect, it } from "vitest";
import { readAnnotations } from "../../src/links/annotations.ts";
import { formatLinkLine, MAX_NOTE_CHARS, MAX_TAGS, noteOf, parseAnnotation, readLinkLine, tagOf } from "../../src/links/line.ts";

describe("the links.txt line grammar", () => {
  it("reads the design's example: a note, then a tag", () => {
    expect(readLinkLine("https://example.com/post  # satire #containers")).toEqual({
      kind: "link",
      url: "https://example.com/post",
      annotation: { note: "satire", tags: ["containers"] },
    });
  });

  it("takes a word right after the opening # as the first tag", () => {
    expect(parseAnnotation("#satire #containers")).toEqual({ note: "", tags: ["satire", "containers"] });
  });

  it("keeps a # inside a word, and trailing punctuation off a tag", () => {
    expect(parseAnnotation("# tips for C# and F#, see #dotnet.")).toEqual({ note: "tips for C# and F#, see", tags: ["dotnet"] });
  });

  it("reads tags in any script, in lower case, once each", () => {
    expect(parseAnnotation("#日本語 #Café #CAFÉ #go-lang #snake_case")).toEqual({ note: "", tags: ["日本語", "café", "go-lang", "snake_case"] });
  });

  it("blanks, comments and indented comments are not links", () => {
    expect(readLinkLine("   ")).toEqual({ kind: "blank" });
    expect(readLinkLine("# a comment https://x.example/")).toEqual({ kind: "comment" });
    expect(readLinkLine("\t# indented")).toEqual({ kind: "comment" });
  });

  it("caps a note and the number of tags, and drops control and bidirectional characters", () => {
    const tags = Array.from({ length: 40 }, (_, i) => `#t${i}`).join(" ");
    const { note, tags: kept } = parseAnnotation(`# ${"word ".repeat(400)}\u202Eevil\u0007 ${tags}`);
    expect(kept).toHaveLength(MAX_TAGS);
    expect(Array.from(note).length).toBe(MAX_NOTE_CHARS);
    expect(note.endsWith("…")).toBe(true);
    expect(note).not.toMatch(/[\u202e\u0007]/);
  });

  it("turns another tool's tag into a word a line can carry", () => {
    expect(tagOf("Machine Learning")).toBe("machine-learning");
    expect(tagOf("  C++ / Rust ")).toBe("c-rust");
    expect(tagOf("Tech/Web")).toBe("tech-web");
    expect(tagOf("日本語")).toBe("日本語");
    expect(tagOf("!!!")).toBeUndefined();
    expect(tagOf("x".repeat(300))).toHaveLength(48);
  });

  it("writes a line that reads back as the same URL, note and tags, whatever the title held", () => {
    const titles = ["Issue #12: why #hashtags break", "C# in depth", "  multi\nline\ttitle ", "# heading-like", "#!", "50% off <b>&amp;</b>", ""];
    for (const title of titles) {
      const annotation = { note: noteOf(title), tags: ["a", tagOf("Read Later")!] };
      const line = formatLinkLine("https://example.com/p?q=1#frag", annotation);
      expect(readLinkLine(line), line).toEqual({ kind: "link", url: "https://example.com/p?q=1#frag", annotation });
    }
    expect(noteOf("Issue #12: why #hashtags break")).toBe("Issue 12: why hashtags break");
    expect(formatLinkLine("https://example.com/", { note: "", tags: [] })).toBe("https://example.com/");
    expect(formatLinkLine("https://example.com/", { note: "", tags: ["x"] })).toBe("https://example.com/  #x");
  });
});

describe("readAnnotations", () => {
  it("maps each URL as written to its annotation, across Windows line endings and a BOM", () => {
    const map = readAnnotations("\uFEFFhttps://a.example/ # one #x\r\nnot a url at all\r\nhttps://a.example/ #y\r\nhttps://b.example/\r\n");
    expect([...map.entries()]).toEqual([
      ["https://a.example/", { note: "one", tags: ["x", "y"] }],
      ["https://b.example/", { note: "", tags: [] }],
    ]);
  });
});
