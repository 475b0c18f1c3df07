import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { sanitizeArticle } from "../../src/archive/sanitize.ts";
import { accessibleBody } from "../../src/site/accessible.ts";
import { wellFormedLists } from "../../src/site/accessible-lists.ts";
import { PAGES, readSource } from "../helpers/readability-pages.ts";

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

  it("removes a link that holds only empty elements and white space", () => {
    const fragment = dom('<p><a href="/gallery/1">\n  <span></span>\n</a> and <a href="/x"><span>words</span></a> and <a href="/y">&nbsp;<b></b></a></p>');
    expect(Array.from(fragment.querySelectorAll("a"), (a) => a.textContent)).toEqual(["words"]);
  });

  it("makes a list used for indenting an indented block, and a definition list of only <dd>s or only <dt>s too", () => {
    const fragment = dom("<ul><i>A quotation, indented.</i></ul><dl><dd>x = 1</dd><dd>y = 2</dd></dl><dl><dt>Bold line</dt></dl><ol><ol><li>Deep</li></ol></ol>");
    expect(fragment.querySelectorAll("ul, dl, dt, dd")).toHaveLength(0);
    expect(Array.from(fragment.children, (e) => `${e.tagName.toLowerCase()}.${e.className}`)).toEqual(["div.list-indent", "div.dl-indent", "div.dl-indent", "div.list-indent"]);
    expect(Array.from(fragment.querySelectorAll(".dl-detail"), (e) => e.textContent)).toEqual(["x = 1", "y = 2"]);
    expect(fragment.querySelector(".dl-term")!.textContent).toBe("Bold line");
    expect(fragment.querySelector(".list-indent > ol > li")!.textContent).toBe("Deep");
  });

  it("moves content sitting straight in a list into the item before it, or a marker-less item when none is before", () => {
    const fragment = dom("<ol><li>One</li><ol><li>One a</li></ol><li>Two</li>tail <b>text</b></ol><ul>lead<li>Item</li></ul>");
    const [ol, ul] = Array.from(fragment.children);
    expect(Array.from(ol!.childNodes).filter((n) => n.nodeType !== 3 || n.textContent!.trim())).toHaveLength(2);
    expect(Array.from(ol!.children, (li) => li.tagName)).toEqual(["LI", "LI"]);
    expect(ol!.children[0]!.querySelector("ol > li")!.textContent).toBe("One a");
    expect(ol!.children[1]!.textContent).toBe("Twotail text");
    expect(Array.from(ul!.children, (li) => [li.className, li.textContent])).toEqual([["list-plain", "lead"], ["", "Item"]]);
  });

  it("keeps a proper definition list, grouping <div>s included, and makes items outside their list plain blocks", () => {
    const html = "<dl><dt>Term</dt><dd>Def</dd></dl><dl><div><dt>T</dt><dd>D</dd></div></dl>";
    expect(accessibleBody(stored(html))).toBe(stored(html));
    const fragment = dom("<div><li>Lost item</li><dd>Lost detail</dd></div><dl><dt>T</dt>stray<dd>D</dd></dl>");
    expect(fragment.querySelectorAll("li")).toHaveLength(0);
    expect(Array.from(fragment.querySelectorAll(".list-orphan"), (e) => e.textContent)).toEqual(["Lost item", "Lost detail"]);
    expect(Array.from(fragment.querySelector("dl")!.children, (e) => [e.tagName, e.textContent])).toEqual([["DT", "T"], ["DD", "stray"], ["DD", "D"]]);
  });

  it("changes only tags: the text of every real page's capture reads the same, and a second pass changes nothing", () => {
    for (const name of PAGES) {
      const body = stored(readSource(name).toString("utf8"));
      const once = accessibleBody(body);
      const text = (html: string) => JSDOM.fragment(html).textContent!.replace(/\s+/g, " ").trim();
      expect(text(once), name).toBe(text(body));
      expect(wellFormedLists(wellFormedLists(body)), name).toBe(wellFormedLists(body));
    }
  });

  it("walks the stack no further than a closing tag closes, on half a million open elements and closing tags of another", () => {
    const html = "<div>".repeat(500_000) + "</ul>".repeat(500_000);
    const started = process.cpuUsage();
    accessibleBody(html);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(10_000);
  });

  it.each([
    ["unclosed lists", "<ul>"],
    ["items outside a list", "<li>x"],
    ["lists and stray text", "<ol>x<li>"],
    ["closing list tags alone", "</li></dl>"],
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
