import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { sanitizeArticle } from "../../src/archive/sanitize.ts";
import { accessibleBody } from "../../src/site/accessible.ts";

/** As stored: the sanitizer's output, which is what accessibleBody is given. */
const stored = (html: string) => sanitizeArticle(html, { baseUrl: "https://example.com/post" });
const dom = (html: string) => JSDOM.fragment(accessibleBody(stored(html)));

describe("accessibleBody", () => {
  it("removes a link its dropped image left empty, and keeps links with text", () => {
    const fragment = dom('<p><a href="/big.jpg"></a> and <a href="/x">words</a> and <a href="/y">  </a></p>');
    expect(Array.from(fragment.querySelectorAll("a"), (a) => a.textContent)).toEqual(["words"]);
  });

  it("marks an image without alt text decorative, and names a link that holds only such images after where it goes", () => {
    const fragment = dom('<p><a href="https://www.example.org/gallery/sunset"><img src="0123456789abcdef0123456789abcdef.webp"></a><img src="0123456789abcdef0123456789abcdef.webp" alt="A sunset"></p>');
    const [linked, captioned] = Array.from(fragment.querySelectorAll("img"));
    expect(linked!.getAttribute("alt")).toBe("");
    expect(captioned!.getAttribute("alt")).toBe("A sunset");
    expect(fragment.querySelector("a")!.getAttribute("aria-label")).toBe("Image link to example.org/…/sunset");
  });

  it("puts each top-level table in a focusable, named region, once, with nested tables left inside", () => {
    const fragment = dom("<table><tr><td><table><tr><td>inner</td></tr></table></td></tr></table><p>x</p><table><tr><td>2</td></tr></table>");
    const regions = Array.from(fragment.querySelectorAll(".table-scroll"));
    expect(regions.map((r) => [r.getAttribute("tabindex"), r.getAttribute("role"), r.getAttribute("aria-label")])).toEqual([
      ["0", "region", "Table 1"],
      ["0", "region", "Table 2"],
    ]);
    expect(regions[0]!.querySelectorAll("table")).toHaveLength(2);
    expect(fragment.querySelector("p")!.parentElement).toBeNull();
  });

  it("makes preformatted text focusable and named, so a keyboard can scroll it", () => {
    const pre = dom("<pre>a very long line</pre>").querySelector("pre")!;
    expect([pre.getAttribute("tabindex"), pre.getAttribute("role"), pre.getAttribute("aria-label")]).toEqual(["0", "region", "Preformatted text"]);
  });

  it.each([
    ["unclosed links", '<a href="x">'],
    ["unclosed images", "<img src"],
    ["unclosed tables", "<table>"],
    ["closing tags alone", "</table></a>"],
    ["links closed at the very end", '<a href="x"><img src="y">'],
  ])("does work in proportion to the input on a million %s", (_name, unit) => {
    // A quadratic scan of a million units would take hours; a linear one takes a fraction of a second. The bound is
    // on this process's CPU time, with room for a busy machine, not on the wall clock.
    const html = unit.repeat(1_000_000);
    const started = process.cpuUsage();
    accessibleBody(html);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(10_000);
  });
});
