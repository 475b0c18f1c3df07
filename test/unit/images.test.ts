/** How the images stage reads srcset and <source media>, without a server. */
import { describe, expect, it } from "vitest";
import { mediaMatches, parseSrcset, pickFromSrcset } from "../../src/archive/images/candidates.ts";

describe("parseSrcset", () => {
  it("keeps commas that are part of a URL and splits on the ones between candidates", () => {
    expect(parseSrcset("https://i.example/c_fill,w_320/a.jpg 320w, https://i.example/c_fill,w_640/a.jpg 640w")).toEqual([
      { url: "https://i.example/c_fill,w_320/a.jpg", width: 320 },
      { url: "https://i.example/c_fill,w_640/a.jpg", width: 640 },
    ]);
  });

  it("reads density descriptors and a candidate without any", () => {
    expect(parseSrcset("a.jpg, b.jpg 2x,c.jpg 1.5x")).toEqual([
      { url: "a.jpg" },
      { url: "b.jpg", density: 2 },
      { url: "c.jpg", density: 1.5 },
    ]);
  });
});

describe("pickFromSrcset", () => {
  it("takes the smallest width at least maxWidth, else the widest", () => {
    expect(pickFromSrcset("s.jpg 400w, l.jpg 2000w, m.jpg 1600w", 1600)).toBe("m.jpg");
    expect(pickFromSrcset("s.jpg 400w, m.jpg 900w", 1600)).toBe("m.jpg");
  });

  it("takes the highest density up to 2x, else the lowest", () => {
    expect(pickFromSrcset("a.jpg, b.jpg 2x, c.jpg 3x", 1600)).toBe("b.jpg");
    expect(pickFromSrcset("c.jpg 3x, d.jpg 4x", 1600)).toBe("c.jpg");
  });

  it("gives nothing for an empty srcset", () => {
    expect(pickFromSrcset("  , ", 1600)).toBeUndefined();
  });
});

describe("mediaMatches", () => {
  it.each([
    ["", true],
    ["(min-width: 768px)", true],
    ["(max-width: 600px)", false],
    ["screen and (min-width: 40em)", true],
    ["(width >= 1400px)", false],
    ["(max-width: 600px), (min-width: 1000px)", true],
    ["print", false],
    ["(prefers-color-scheme: dark)", false],
    ["not all and (max-width: 600px)", true],
  ])("%j matches a 1280px desktop reader: %s", (media, expected) => {
    expect(mediaMatches(media)).toBe(expected);
  });
});
