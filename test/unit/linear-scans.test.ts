/**
 * The scans that read a stranger's markup stay linear (security review L5). Each was a regular expression that could
 * backtrack: exponentially on `<a ` followed by `=""` forty times, quadratically on an attribute of ".jpg?" repeated or
 * a srcset of commas. Here each gets a million units of its worst input and a bound on this process's CPU time that a
 * linear scan meets many times over and a quadratic one would miss by hours; and each is held to the answers of the
 * expression it replaced, on inputs small enough for that expression to give them.
 */
import { describe, expect, it } from "vitest";
import { IMAGE_EXTENSION, isImageUrlValue, RASTER_EXTENSION } from "../../src/archive/images/candidates.ts";
import { splitSrcset } from "../../src/archive/parse/absolutize.ts";
import { endOfStartTag, stripScriptsAndStyles } from "../../src/archive/parse/strip.ts";

function cpuMs(work: () => unknown): number {
  const started = process.cpuUsage();
  work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/** Strings over a small alphabet, every one up to `length`: where the old expressions and the new scans must agree. */
function* strings(alphabet: string[], length: number): Generator<string> {
  if (length === 0) {
    yield "";
    return;
  }
  for (const shorter of strings(alphabet, length - 1)) {
    yield shorter;
    if (shorter.length === length - 1) for (const c of alphabet) yield shorter + c;
  }
}

describe("scans of a stranger's markup", () => {
  it.each([
    ["an attribute list of =\"\" that never closes", `<a ${'=""'.repeat(1_000_000)}`],
    ["quotes that never close", `<a ${"x='".repeat(1_000_000)}`],
    ["a million tags", "<a =\"b\">".repeat(1_000_000)],
  ])("strips scripts in linear time from %s", (_name, html) => {
    expect(cpuMs(() => stripScriptsAndStyles(html))).toBeLessThan(10_000);
  });

  it("ends a start tag where the expression it replaced ended it, on every small attribute list", () => {
    const START_TAG_REST = /(?:[^>"'=]|=[\t\n\f\r ]*"[^"]*"|=[\t\n\f\r ]*'[^']*'|["'=])*>/y;
    let compared = 0;
    for (const rest of strings(["a", "=", '"', "'", ">", " "], 7)) {
      START_TAG_REST.lastIndex = 0;
      const old = START_TAG_REST.test(rest) ? START_TAG_REST.lastIndex : -1;
      const now = endOfStartTag(rest, 0);
      // Where the tag never ends in the tokenizer's reading (a quoted value swallows every later >), the old expression
      // backtracked into the quotes to find one; the scan says the tag has no end, as the tokenizer does.
      if (now !== -1 || old === -1) expect(now, JSON.stringify(rest)).toBe(old);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(100_000);
  });

  it("tells an image URL from other values in linear time on a million \".jpg?\"", () => {
    const value = `a${".jpg?".repeat(1_000_000)}`;
    expect(cpuMs(() => isImageUrlValue(value, RASTER_EXTENSION))).toBeLessThan(10_000);
  });

  it("tells an image URL from other values as the expressions it replaced did", () => {
    const OLD_DATA = /^(?:https?:\/\/|\/|\.\.?\/)\S*$|^\S+\.(?:jpe?g|png|gif|webp|avif|bmp|svg)(?:[?#]\S*)?$/i;
    const OLD_ATTRIBUTE = /^\s*\S+\.(?:jpe?g|png|webp|gif|avif)(?:[?#]\S*)?\s*$/i;
    const values = ["a.jpg", "a.JPG?x=1", "a.jpg.html", "/img/a", "./a", "https://x/y", "a b.jpg", " a.png ", ".jpg", "a?.jpg", "a#b.png", "a.jpgx", "a.svg#f", "a.webp?.jpg"];
    for (const value of values) {
      expect(isImageUrlValue(value, IMAGE_EXTENSION, { paths: true }), value).toBe(OLD_DATA.test(value.trim()));
      expect(isImageUrlValue(value, RASTER_EXTENSION), value).toBe(OLD_ATTRIBUTE.test(value));
    }
  });

  it.each([
    ["commas", ",".repeat(1_000_000)],
    ["tokens and commas", "a,".repeat(1_000_000)],
    ["trailing white space", `a.jpg 1x${" ".repeat(1_000_000)}b`],
  ])("splits a srcset of a million %s in linear time", (_name, value) => {
    expect(cpuMs(() => splitSrcset(value))).toBeLessThan(10_000);
  });

  it("splits a srcset where the expression it replaced split it, on every small one", () => {
    let compared = 0;
    for (const value of strings(["a", ",", " ", "1"], 8)) {
      expect(splitSrcset(value), JSON.stringify(value)).toEqual(value.split(/,\s+|,(?=\S+\s+\d)/));
      compared += 1;
    }
    expect(compared).toBeGreaterThan(50_000);
  });
});
