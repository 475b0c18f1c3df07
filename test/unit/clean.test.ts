/**
 * The cleanup after Readability (src/archive/parse/clean.ts) on small articles shaped like the real ones it was
 * measured on: what it removes, and what it must never remove.
 */
import { describe, expect, it } from "vitest";
import { cleanArticle, type CleanRule } from "../../src/archive/parse/clean.ts";
import { parseDocument } from "../../src/archive/parse/dom.ts";
import { dropClasses, hintWords } from "../../src/archive/parse/hints.ts";

const PROSE = [
  "The council voted on Tuesday to extend the tram line to the harbour, ending a decade of arguments about its cost, its route through the old quarter and who would pay for the new bridge.",
  "Engineers expect the first trams to run within three years, although the contract for the new depot has not yet been signed and two of the bidders have asked for more time to price the work.",
  "Residents of the old quarter, who had campaigned against the route for most of those ten years, said they would keep watching the works closely and would go to court if the noise limits were broken.",
].map((text) => `<p>${text}</p>`);

/** Cleans `<div id=root>…</div>` as the extract stage does (classes read, then dropped), and tells what went. */
function clean(body: string, title = "The tram reaches the harbour"): { root: Element; text: string; removed: Array<[CleanRule, string]> } {
  const document = parseDocument(`<!DOCTYPE html><html><body><div id="root">${body}</div></body></html>`, "https://news.example/tram");
  const root = document.getElementById("root")!;
  const removed: Array<[CleanRule, string]> = [];
  cleanArticle(root, { title, onRemove: (element, rule) => removed.push([rule, (element.textContent ?? "").replace(/\s+/g, " ").trim()]) });
  dropClasses(root);
  return { root, text: (root.textContent ?? "").replace(/\s+/g, " ").trim(), removed };
}

function keepsProse(text: string): void {
  for (const p of PROSE) expect(text).toContain(p.slice(3, -4));
}

describe("cleaning the article Readability returns", () => {
  it("removes share bars, related-article boxes and newsletter sign-ups named by their class, and keeps every paragraph", () => {
    const { text, removed } = clean(`
      <div class="article__share-tools"><a href="https://twitter.com/share">Twitter</a> <a href="mailto:?">Email</a></div>
      ${PROSE.join("")}
      <aside class="c-newsletter c-newsletter--promo">Cities are changing fast. Keep up with our daily newsletter.</aside>
      <div class="relatedContent"><a href="/a">Best gadgets of the year</a><a href="/b">Ten gifts for hackers</a></div>`);
    keepsProse(text);
    expect(text).not.toMatch(/Twitter|newsletter|gadgets/);
    expect(removed.map(([rule]) => rule)).toEqual(["box", "box", "box"]);
  });

  it("removes a 'You may also like' label and the links after it, and nothing before it", () => {
    const { text, removed } = clean(`${PROSE.join("")}
      <p>You may also like...</p>
      <p><a href="/rock-hall">Who will make the Rock Hall in 2020?</a></p>
      <p><a href="/fan-vote">Dave Matthews Band takes over Rock Hall Fan Vote</a></p>`);
    keepsProse(text);
    expect(text).not.toMatch(/also like|Rock Hall/);
    expect(removed).toHaveLength(3);
    expect(new Set(removed.map(([rule]) => rule))).toEqual(new Set(["related"]));
  });

  it("removes the byline, dateline and repeated title before the text, which the capture's header already shows", () => {
    const { text, removed } = clean(`
      <h2>The tram reaches the harbour</h2>
      <p>By Ada Lovelace and Charles Babbage</p>
      <p>Updated 1:39 am EST, Wednesday, November 20, 2019</p>
      ${PROSE.join("")}`);
    keepsProse(text);
    expect(removed.map(([rule]) => rule)).toEqual(["title", "byline", "dateline"]);
  });

  it("keeps a date that belongs to the story, and a sentence that begins with 'By'", () => {
    const { text, removed } = clean(`
      <p>7th Amsterdam Light Festival</p><p>29 November 2018 | 20 January 2019</p>
      <p>By the end of the year</p>
      ${PROSE.join("")}
      <p>Originally published on Live Science.</p>`);
    expect(text).toContain("29 November 2018 | 20 January 2019");
    expect(text).toContain("By the end of the year");
    expect(text).toContain("Originally published on Live Science.");
    expect(removed).toEqual([]);
  });

  it("removes image credits but keeps a caption that ends with its credit, and the image itself", () => {
    const { root, text } = clean(`${PROSE[0]}
      <figure><img src="https://news.example/a.jpg" alt="The harbour"><figcaption>Photo: Damian Dovarganes, AP</figcaption></figure>
      <figure><img src="https://news.example/b.jpg" alt="The depot"><figcaption><span>The new depot</span> <span class="article__credit">Credit: EPA</span></figcaption></figure>
      <p class="wp-caption-text">WeWork chairman Marcelo Claure (Credit: Getty Images)</p>
      <p>Alex Wong | Getty Images</p>
      ${PROSE.slice(1).join("")}`);
    keepsProse(text);
    expect(text).not.toMatch(/Dovarganes|EPA|Alex Wong/);
    expect(text).toContain("The new depot");
    expect(text).toContain("WeWork chairman Marcelo Claure (Credit: Getty Images)");
    expect(root.querySelectorAll("img")).toHaveLength(2);
  });

  it("never removes code, an image, a heading or a caption for what their classes say", () => {
    const { root, text, removed } = clean(`${PROSE[0]}
      <pre><code><span class="token comment">// add.c</span>
int add(int a, int b) { return a + b; }</code></pre>
      <img class="block-image-ads hero-image" src="https://news.example/hero.jpg" alt="The harbour at dawn">
      <h2><span class="mw-headline" id="Eich_CEO_promotion_controversy">Eich CEO promotion controversy</span></h2>
      <figure><img src="https://news.example/c.jpg" alt=""><figcaption class="image__caption-credit">John M. Ford in 1987. Photo illustration by Slate.</figcaption></figure>
      ${PROSE.slice(1).join("")}`);
    expect(removed).toEqual([]);
    expect(text).toContain("// add.c");
    expect(text).toContain("Eich CEO promotion controversy");
    expect(text).toContain("John M. Ford in 1987");
    expect(root.querySelector("img[alt='The harbour at dawn']")).not.toBeNull();
  });

  it("keeps a shopping guide's product links between its paragraphs and cited URLs at its end, and drops a list of other stories after the text", () => {
    const { text, removed } = clean(`${PROSE[0]}
      <ul><li><a href="https://shop.example/a">Get it on Amazon for $39.99</a></li></ul>
      ${PROSE[1]}
      <ul><li><a href="https://shop.example/b">Get it at Walmart for $238.99</a></li></ul>
      ${PROSE[2]}
      <p><a href="http://www.ipabionline.com/2013/02/source.html">http://www.ipabionline.com/2013/02/source.html</a></p>
      <ul><li><a href="/retire">Here's exactly how to figure out when you can retire</a></li><li><a href="/index-funds">How to invest in index funds, explained</a></li></ul>`);
    keepsProse(text);
    expect(text).toContain("Get it on Amazon for $39.99");
    expect(text).toContain("Get it at Walmart for $238.99");
    expect(text).toContain("http://www.ipabionline.com/2013/02/source.html");
    expect(removed).toEqual([["links", "Here's exactly how to figure out when you can retireHow to invest in index funds, explained"]]);
  });

  it("removes what a stylesheet hides on screen, but not what it shows from a breakpoint on", () => {
    const { text } = clean(`${PROSE.join("")}
      <span class="sr-only">Image caption</span>
      <div class="d-none d-print-block"><p>Citation: retrieved 20 November 2019 from https://phys.example/news</p></div>
      <div class="d-none d-md-block"><p>Shown on wide screens.</p></div>`);
    keepsProse(text);
    expect(text).not.toMatch(/Image caption|Citation/);
    expect(text).toContain("Shown on wide screens.");
  });

  it("removes prompts to follow or subscribe, but not a sentence that mentions an app", () => {
    const { text } = clean(`${PROSE.join("")}
      <p>In order to get the new version of the app, Google Play sends your device a patch.</p>
      <p>Have a tip? Amy may be reached at amy@news.example. Follow her on Twitter @AmyK.</p>
      <p>CLICK HERE TO GET THE FOX NEWS APP</p>`);
    keepsProse(text);
    expect(text).toContain("In order to get the new version of the app");
    expect(text).not.toMatch(/Have a tip|FOX NEWS APP/);
  });

  it("keeps words of a sentence whose class says author or tag, but removes a hover card inside a sentence", () => {
    const sentence = `${PROSE[1]!.slice(0, -4)} Written by <span class="author">Ada Lovelace</span> for the <a class="tag" href="/t">transport</a> desk, with <a href="/p/omar">Ilhan Omar</a><span class="rollover-people-block"><a href="/a">Hillicon Valley: Progressives oppose funding bill</a></span> quoted.</p>`;
    const { text, removed } = clean(`${PROSE[0]}${sentence}${PROSE[2]}`);
    expect(text).toContain("Written by Ada Lovelace for the transport desk, with Ilhan Omar quoted.");
    expect(removed).toEqual([["box", "Hillicon Valley: Progressives oppose funding bill"]]);
  });

  it("removes the site's header by its role, but not a photo box whose class says banner", () => {
    const { root, removed } = clean(`<div role="banner"><a href="/">The Harbour Gazette</a> <a href="/login">Sign in</a></div>
      <div class="article-banner"><img src="https://news.example/hero.jpg" alt="The harbour"><p>The harbour at dawn.</p></div>
      ${PROSE.join("")}`);
    expect(removed.map(([rule]) => rule)).toEqual(["box"]);
    expect(root.querySelector("img")).not.toBeNull();
    expect(root.textContent).toContain("The harbour at dawn.");
  });

  it("keeps a box named like boilerplate when it holds a large share of the text", () => {
    const { text, removed } = clean(`${PROSE[0]}<div class="post-comments-wrapper">${PROSE.slice(1).join("")}</div>`);
    expect(removed).toEqual([]);
    keepsProse(text);
  });

  it("leaves the article as Readability returned it when the rules together would take most of it", () => {
    const related = PROSE.map((p) => `<div class="related">${p.replace("The council", "Another council")}</div>`);
    const { text, removed } = clean(`${PROSE.slice(0, 2).join("")}${related.join("")}`);
    // Each box is a fifth of the text, under the cap for one box; the three together are three fifths.
    expect(removed).toEqual([]);
    expect(text).toContain("Another council");
  });

  it("judges a line only when its box holds at most 100 elements, so a deeply nested page costs no more than a flat one", () => {
    // Reading the text of every box of a nested chain was quadratic: 20,000 nested boxes took 12 s (now 0.1 s).
    const label = (spans: number) => `<p>Sh${"<span></span>".repeat(spans)}are</p>`;
    const { removed } = clean(`${PROSE.join("")}${label(10)}${label(150)}`);
    expect(removed).toEqual([["ui", "Share"]]);
  });

  it("reads no words from generated class names or from ids made of a heading's text", () => {
    const element = parseDocument('<p class="go gp dg ay gq b gr" id="e1ad">x</p>').querySelector("p")!;
    expect([...hintWords(element)]).toEqual([]);
    const named = parseDocument('<div class="subMenuContainer ad-slot" id="siteNav" role="navigation">x</div>').querySelector("div")!;
    expect([...hintWords(named)]).toEqual(expect.arrayContaining(["sub", "menu", "container", "ad", "slot", "site", "nav", "ad slot"]));
    const slug = parseDocument('<li id="cite_note-The_Economist_print_edition-331">x</li>').querySelector("li")!;
    expect(hintWords(slug).has("print")).toBe(false);
  });
});
