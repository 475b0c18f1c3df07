import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeHtml, decodeText } from "../../src/archive/parse/decode.ts";
import { readSource } from "../../tools/readability-pages.ts";

/** Bytes from ASCII text and raw byte values, so each test shows the exact bytes a server would send. */
function bytes(...parts: Array<string | number[]>): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "latin1") : Buffer.from(part))));
}

// windows-1252: 0x93 “, 0x94 ”, 0x96 – (C1 controls in ISO-8859-1, which is why the WHATWG maps latin1 to 1252).
const SMART_QUOTES_AND_DASH = [0x93, 0x48, 0x69, 0x94, 0x20, 0x96, 0x20, 0x6f, 0x6b];
const SMART_TEXT = "“Hi” – ok";
// Shift_JIS for 日本語.
const NIHONGO_SJIS = [0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea];

describe("decodeHtml", () => {
  it("reads windows-1252 smart quotes and en dash when the Content-Type header says windows-1252", () => {
    const result = decodeHtml(bytes("<p>", SMART_QUOTES_AND_DASH, "</p>"), "windows-1252");
    expect(result).toEqual({ html: `<p>${SMART_TEXT}</p>`, encoding: "windows-1252" });
  });

  it("reads windows-1252 from a <meta charset> when the header has no charset", () => {
    const result = decodeHtml(bytes('<html><head><meta charset="windows-1252"></head><p>', SMART_QUOTES_AND_DASH, "</p>"));
    expect(result.encoding).toBe("windows-1252");
    expect(result.html).toContain(SMART_TEXT);
  });

  it("falls back to windows-1252 for undeclared bytes that are not valid UTF-8", () => {
    const result = decodeHtml(bytes("<p>", SMART_QUOTES_AND_DASH, "</p>"));
    expect(result).toEqual({ html: `<p>${SMART_TEXT}</p>`, encoding: "windows-1252" });
  });

  // Real text in legacy encodings, declared nowhere (test/fixtures/encodings/README.md).
  const ENCODINGS = new URL("../fixtures/encodings/", import.meta.url);
  const expectedText = JSON.parse(readFileSync(new URL("expected.json", ENCODINGS), "utf8")) as Record<string, string>;
  it.each([
    ["shift_jis", "shift_jis"],
    ["euc-jp", "euc-jp"],
    ["gbk", "gb18030"],
    ["big5", "big5"],
    ["euc-kr", "euc-kr"],
    ["windows-1251", "windows-1251"],
    ["koi8-r", "koi8-r"],
    ["windows-1252", "windows-1252"],
  ])("guesses %s for an undeclared page in it, as a browser would (decoded as %s)", (file, encoding) => {
    const result = decodeHtml(readFileSync(new URL(`${file}.html`, ENCODINGS)));
    expect(result.encoding).toBe(encoding);
    expect(result.html).toContain(`<p>${expectedText[file]}</p>`);
  });

  it("guesses for undeclared plain text too", () => {
    const page = readFileSync(new URL("shift_jis.html", ENCODINGS));
    expect(decodeText(page)).toContain(expectedText.shift_jis);
  });

  it("keeps a declared encoding over any guess", () => {
    // Shift_JIS bytes declared windows-1252 by the server are read as windows-1252: a declaration is never second-guessed.
    const page = readFileSync(new URL("shift_jis.html", ENCODINGS));
    expect(decodeHtml(page, "windows-1252").encoding).toBe("windows-1252");
  });

  it("uses UTF-8 for undeclared bytes that are valid UTF-8", () => {
    const result = decodeHtml(Buffer.from("<p>“Grüße” – 日本語</p>", "utf8"));
    expect(result).toEqual({ html: "<p>“Grüße” – 日本語</p>", encoding: "utf-8" });
  });

  it("treats the latin1, iso-8859-1 and us-ascii labels as windows-1252, as the WHATWG table says", () => {
    for (const label of ["latin1", "ISO-8859-1", "us-ascii"]) {
      const result = decodeHtml(bytes("<p>", SMART_QUOTES_AND_DASH, "</p>"), label);
      expect(result, label).toEqual({ html: `<p>${SMART_TEXT}</p>`, encoding: "windows-1252" });
    }
  });

  it("reads ISO-8859-15 from <meta http-equiv=Content-Type>, where 0xA4 is the euro sign", () => {
    const page = bytes('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15"><p>5 ', [0xa4], "</p>");
    const result = decodeHtml(page);
    expect(result.encoding).toBe("iso-8859-15");
    expect(result.html).toContain("<p>5 €</p>");
  });

  it("reads ISO-8859-2 from the header (0xA3 Ł, 0xB1 ą)", () => {
    expect(decodeHtml(bytes("<p>", [0xa3, 0xf3, 0x64, 0xbc], "</p>"), "iso-8859-2").html).toBe("<p>Łódź</p>");
    expect(decodeHtml(bytes("<p>", [0xb1], "</p>"), "ISO-8859-2")).toEqual({ html: "<p>ą</p>", encoding: "iso-8859-2" });
  });

  it("reads Shift_JIS from a <meta charset> and from the header", () => {
    const viaMeta = decodeHtml(bytes('<meta charset="Shift_JIS"><p>', NIHONGO_SJIS, "</p>"));
    expect(viaMeta.encoding).toBe("shift_jis");
    expect(viaMeta.html).toContain("<p>日本語</p>");
    expect(decodeHtml(bytes("<p>", NIHONGO_SJIS, "</p>"), "x-sjis").html).toBe("<p>日本語</p>");
  });

  it("lets a UTF-8 byte order mark override a wrong header charset, and drops the mark", () => {
    const page = bytes([0xef, 0xbb, 0xbf], "<p>", [0xe2, 0x80, 0x9c], "x", [0xe2, 0x80, 0x9d], "</p>");
    expect(decodeHtml(page, "windows-1252")).toEqual({ html: "<p>“x”</p>", encoding: "utf-8" });
  });

  it("reads UTF-16LE from its byte order mark", () => {
    const page = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("<p>Grüße 日本語</p>", "utf16le")]);
    expect(decodeHtml(page)).toEqual({ html: "<p>Grüße 日本語</p>", encoding: "utf-16le" });
  });

  it("prefers the header charset to a contradicting <meta>", () => {
    const page = Buffer.from('<meta charset="windows-1252"><p>“x”</p>', "utf8");
    expect(decodeHtml(page, "utf-8")).toEqual({ html: '<meta charset="windows-1252"><p>“x”</p>', encoding: "utf-8" });
  });

  it("accepts a quoted header charset", () => {
    expect(decodeHtml(bytes("<p>", SMART_QUOTES_AND_DASH, "</p>"), '"windows-1252"').encoding).toBe("windows-1252");
  });

  it("ignores an unknown header label and goes on to the <meta>", () => {
    const page = bytes('<meta charset="shift_jis"><p>', NIHONGO_SJIS, "</p>");
    expect(decodeHtml(page, "klingon-8").html).toContain("<p>日本語</p>");
  });

  it("honours a <meta charset> that comes after the first 1024 bytes, as the parser's encoding change would", () => {
    // windows-1252, the fallback for these bytes, would read 0xA4 as ¤: only the late <meta> makes it €.
    const page = bytes(`<head><script>${"/* padding */".repeat(100)}</script><meta charset="iso-8859-15"><p>5 `, [0xa4]);
    expect(page.length).toBeGreaterThan(1024);
    const result = decodeHtml(page);
    expect(result.encoding).toBe("iso-8859-15");
    expect(result.html.endsWith("<p>5 €")).toBe(true);
  });

  it("fails with a stable code for a charset browsers refuse to decode (ISO-2022-KR)", () => {
    expect(() => decodeHtml(Buffer.from("<p>x</p>"), "iso-2022-kr")).toThrow(
      expect.objectContaining({ code: "ARCHIVE_BAD_ENCODING", message: expect.stringContaining("iso-2022-kr") }),
    );
  });

  it("finds a real page's <meta charset=gb2312> (qq.com, from the Readability suite) and maps it to gbk", () => {
    const source = readSource("qq");
    // The suite stores this page re-encoded as UTF-8, so only the sniffing is checked here, not the text.
    expect(decodeHtml(source).encoding).toBe("gbk");
  });
});

describe("decodeText", () => {
  it("uses the header charset", () => {
    expect(decodeText(bytes(SMART_QUOTES_AND_DASH), "windows-1252")).toBe(SMART_TEXT);
  });

  it("lets a byte order mark win over the header", () => {
    expect(decodeText(bytes([0xef, 0xbb, 0xbf], "caf", [0xc3, 0xa9]), "windows-1252")).toBe("café");
  });

  it("uses UTF-8 for undeclared valid UTF-8 and windows-1252 otherwise", () => {
    expect(decodeText(Buffer.from("naïve – 日本語", "utf8"))).toBe("naïve – 日本語");
    expect(decodeText(bytes(SMART_QUOTES_AND_DASH))).toBe(SMART_TEXT);
  });

  it("never reads a <meta> in plain text", () => {
    const text = Buffer.from('<meta charset="shift_jis"> “quoted”', "utf8");
    expect(decodeText(text)).toBe('<meta charset="shift_jis"> “quoted”');
  });
});
