import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../src/archive/parse/dom.ts";
import { extractArticle, type ParseDocument } from "../../src/archive/parse/extract.ts";
import { stripScriptsAndStyles } from "../../src/archive/parse/strip.ts";

/**
 * A parser that throws on chosen input, the way jsdom's CSS support has thrown on real pages in past versions, and
 * otherwise parses as the archiver does.
 */
function failingParser(when: (html: string) => boolean): ParseDocument {
  return (html, url) => {
    if (when(html)) throw new TypeError("Cannot read properties of undefined (reading 'length')");
    return parseDocument(html, url);
  };
}

const URL_ = "https://news.example/2024/05/story.html";

/** Enough paragraphs of real-looking text for Readability to call it an article. */
function paragraphs(count = 6): string {
  const text =
    "The committee met on Tuesday to discuss the proposal, which would change how the city funds its libraries. " +
    "Several members spoke in favour, pointing to rising attendance, while others asked for a detailed budget first.";
  return Array.from({ length: count }, (_, i) => `<p>${i + 1}. ${text}</p>`).join("\n");
}

function page(head: string, body: string, htmlAttributes = 'lang="en"'): string {
  return `<!DOCTYPE html><html ${htmlAttributes}><head>${head}</head><body>${body}</body></html>`;
}

describe("extractArticle", () => {
  it("extracts title, byline, site name, language, excerpt and published time from a small article", () => {
    const html = page(
      `<title>Libraries get a reprieve from the council | City News</title>
       <meta property="og:site_name" content="City News">
       <meta name="description" content="The council delays its library cuts.">
       <meta property="article:published_time" content="2024-05-02T09:30:00Z">`,
      `<nav><a href="/">Home</a></nav>
       <article><h1>Libraries get a reprieve</h1><p class="byline">By Ada Lovelace</p>${paragraphs()}</article>
       <footer>© City News</footer>`,
    );
    const article = extractArticle(html, URL_);
    expect(article).toMatchObject({
      title: "Libraries get a reprieve from the council",
      byline: "By Ada Lovelace",
      siteName: "City News",
      lang: "en",
      excerpt: "The council delays its library cuts.",
      publishedTime: "2024-05-02T09:30:00Z",
      readerable: true,
    });
    expect(article.html).toContain("rising attendance");
    expect(article.html).not.toContain("© City News");
  });

  it("reads the text direction of a right-to-left page", () => {
    const article = extractArticle(page("<title>خبر</title>", `<article>${paragraphs()}</article>`, 'lang="ar" dir="rtl"'), URL_);
    expect(article.lang).toBe("ar");
    expect(article.dir).toBe("rtl");
  });

  it("keeps a page with no article as its whole body, marked not readerable, with a title from the page", () => {
    const html = page(
      "<title>Holiday photos</title>",
      '<div class="gallery"><img src="/img/beach.jpg" alt=""><img src="/img/hill.jpg" alt=""></div>',
    );
    const article = extractArticle(html, URL_);
    expect(article.readerable).toBe(false);
    expect(article.title).toBe("Holiday photos");
    expect(article.html).toContain('src="https://news.example/img/beach.jpg"');
    expect(article.html).toContain('src="https://news.example/img/hill.jpg"');
  });

  it("falls back to the first heading, then the URL, for a page without a title", () => {
    expect(extractArticle(page("", `<h1>Only a heading</h1><div><img src="a.png"></div>`), URL_).title).toBe("Only a heading");
    expect(extractArticle(page("", `<div><img src="a.png"></div>`), URL_).title).toBe(URL_);
  });

  it("never runs the page's scripts or inline event handlers", () => {
    const probe = globalThis as { pwned?: unknown };
    const html = page(
      "<title>Quiet page</title><script>document.title = 'pwned'; globalThis.pwned = 1;</script>",
      `<article onclick="document.title='pwned'">${paragraphs()}
       <img src="x.png" onerror="document.title='pwned'; globalThis.pwned = 2">
       <svg><script>globalThis.pwned = 3</script></svg></article>
       <script>document.write('<h1>pwned</h1>')</script>`,
    );
    const article = extractArticle(html, URL_);
    expect(article.title).toBe("Quiet page");
    expect(article.html).not.toContain("pwned</h1>");
    expect(probe.pwned).toBeUndefined();
  });

  it("resolves relative links and images against <base href>, lazy-load attributes included", () => {
    const html = page(
      '<title>Based</title><base href="https://cdn.example/articles/">',
      `<article>${paragraphs(3)}
        <p>See <a href="next.html">the next part</a> and <a href="/about">about us</a>.</p>
        <figure><img src="small.jpg" data-src="big.jpg" data-original="../orig/full.jpg"
          srcset="img-400.jpg 400w, img-800.jpg 800w" data-srcset="lazy-400.jpg 400w, lazy-800.jpg 800w" alt="A chart">
          <figcaption>A chart</figcaption></figure>
        <picture><source srcset="wide.webp 2x" media="(min-width: 800px)"><img src="narrow.jpg" alt="Wide"></picture>
        ${paragraphs(3)}</article>`,
    );
    const out = extractArticle(html, URL_).html;
    expect(out).toContain('href="https://cdn.example/articles/next.html"');
    expect(out).toContain('href="https://cdn.example/about"');
    expect(out).toContain('src="https://cdn.example/articles/small.jpg"');
    expect(out).toContain('data-src="https://cdn.example/articles/big.jpg"');
    expect(out).toContain('data-original="https://cdn.example/orig/full.jpg"');
    expect(out).toContain('srcset="https://cdn.example/articles/img-400.jpg 400w, https://cdn.example/articles/img-800.jpg 800w"');
    expect(out).toContain('data-srcset="https://cdn.example/articles/lazy-400.jpg 400w, https://cdn.example/articles/lazy-800.jpg 800w"');
    expect(out).toContain('srcset="https://cdn.example/articles/wide.webp 2x"');
  });

  it("keeps the real image of a lazy <img> whose fallback is in <noscript>", () => {
    const html = page(
      "<title>Lazy</title>",
      `<article>${paragraphs(3)}
        <figure><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" class="lazy" data-src="/photo.jpg" alt="Photo">
        <noscript><img src="/photo.jpg" alt="Photo"></noscript></figure>
        ${paragraphs(3)}</article>`,
    );
    const out = extractArticle(html, URL_).html;
    expect(out).toContain('src="https://news.example/photo.jpg"');
    expect(out).not.toContain("<noscript");
  });

  it("extracts pages whose CSS broke jsdom's parser in the past", () => {
    // Reproductions from jsdom issues #1477, #1878, #2084, #2460 and #4285.
    const html = page(
      `<title>Hostile CSS</title><style>[}]</style><style>{ }</style><style>#baddiv ( color: red }</style>
       <style>@media screen { @import url("http://[") } a { color: </style>`,
      `<article><div style="@media only screen{background-image: url(http://a.com/a.jpg)">${paragraphs(3)}</div>
       <div style="background:url(a.png)no-repeat;color:red">${paragraphs(3)}</div></article>`,
    );
    const article = extractArticle(html, URL_);
    expect(article.title).toBe("Hostile CSS");
    expect(article.html).toContain("rising attendance");
  });

  it("retries without stylesheets and style attributes when jsdom throws on the page's CSS", () => {
    const parse = failingParser((html) => html.includes("<link"));
    const html = page(
      '<title>Retried</title><link rel="stylesheet" href="/broken.css">',
      `<article><div style="display: block">${paragraphs()}</div></article>`,
    );
    const article = extractArticle(html, URL_, {}, parse);
    expect(article.title).toBe("Retried");
    expect(article.html).toContain("rising attendance");
  });

  it("still leaves out what an inline style hides, however the style spells display or visibility", () => {
    const hidden = ["display:none", "DISPLAY : none", "visibility: hidden", "color: red; d\\isplay: none"];
    const html = page(
      "<title>Hidden parts</title>",
      `<article>${paragraphs()}${hidden.map((style, i) => `<div style="${style}"><p>Secret ${i}. ${"Words of no interest. ".repeat(20)}</p></div>`).join("")}
       <div style="color: red"><p>Shown. ${"Words of some interest. ".repeat(20)}</p></div></article>`,
    );
    const article = extractArticle(html, URL_);
    expect(article.html).toContain("Shown.");
    for (const i of hidden.keys()) expect(article.html).not.toContain(`Secret ${i}.`);
  });

  it("is not thrown off by forms and images named like the document's own members", () => {
    const html = page(
      "<title>Named things</title>",
      `<form name="title"></form><form name="body"></form><img name="createElement" src="a.png">
       <article><h1>Named things</h1>${paragraphs()}</article>`,
    );
    const article = extractArticle(html, URL_);
    expect(article.title).toBe("Named things");
    expect(article.readerable).toBe(true);
    expect(article.html).toContain("rising attendance");
  });

  it("throws ParseError naming the URL when jsdom cannot parse the page even without CSS", () => {
    expect(() => extractArticle(page("<title>x</title>", paragraphs()), URL_, {}, failingParser(() => true))).toThrow(
      expect.objectContaining({ name: "ParseError", code: "ARCHIVE_PARSE", url: URL_, message: expect.stringContaining(URL_) }),
    );
  });
});

describe("stripScriptsAndStyles", () => {
  it("removes scripts and styles but keeps JSON-LD, which Readability reads for metadata", () => {
    const html =
      '<head><style>p { color: red }</style><script src="a.js"></script>' +
      '<script type="application/ld+json">{"headline":"Kept"}</script></head><body><p>Text</p><script>x()</script></body>';
    expect(stripScriptsAndStyles(html)).toBe(
      '<head><script type="application/ld+json">{"headline":"Kept"}</script></head><body><p>Text</p></body>',
    );
  });

  it("keeps a MathJax TeX script as text in a span, where a tag inside the TeX stays text", () => {
    const html = '<p>Let <script type="math/tex; mode=display" id="MathJax-Element-1">a < b </span><img src=x onerror=alert(1)> & c</script> hold.</p>';
    expect(stripScriptsAndStyles(html)).toBe(
      '<p>Let <span data-archive-tex="">a &lt; b &lt;/span&gt;&lt;img src=x onerror=alert(1)&gt; &amp; c</span> hold.</p>',
    );
  });

  it("ends a script where the HTML tokenizer does, even with a commented-out <script> inside", () => {
    const html = "<script>\n<!--\n<script src=\"foo.js\"></script>\n-->\n</script><p>After</p>";
    expect(stripScriptsAndStyles(html)).toBe("<p>After</p>");
  });

  it("leaves <script> text inside comments, attribute values and <title> alone", () => {
    const html =
      '<title>About <script> tags</title><!-- <script> --><p title="<script>">Kept</p><img alt=\'<style>\'><p>Also kept</p>';
    expect(stripScriptsAndStyles(html)).toBe(html);
  });

  it("produces the same document as jsdom would parse, minus the scripts", () => {
    const html = '<p>One</p><script>if (a < b && "</p>") {}</script><p>Two</p><style>a::after{content:"<p>"}</style><p>Three</p>';
    const texts = (source: string) =>
      Array.from(new JSDOM(source).window.document.querySelectorAll("p"), (p) => p.textContent);
    expect(texts(stripScriptsAndStyles(html))).toEqual(["One", "Two", "Three"]);
    expect(texts(stripScriptsAndStyles(html))).toEqual(texts(html));
  });
});

describe("a page too big to parse", () => {
  it("is refused with ARCHIVE_TOO_LARGE before jsdom sees it, but counts only markup, not scripts", async () => {
    const { MAX_PARSE_CHARS } = await import("../../src/archive/limits.ts");
    const paragraph = "<p>Words of a very long page, repeated far past any real article.</p>\n";
    const huge = `<html><body>${paragraph.repeat(Math.ceil(MAX_PARSE_CHARS / paragraph.length) + 1)}</body></html>`;
    expect(() => extractArticle(huge, "https://big.example/")).toThrow(expect.objectContaining({ code: "ARCHIVE_TOO_LARGE", url: "https://big.example/" }));
    const scripted = `<html><head><script>${"x".repeat(MAX_PARSE_CHARS + 10)}</script></head><body><article>${paragraph.repeat(20)}</article></body></html>`;
    expect(extractArticle(scripted, "https://big.example/").html).toContain("Words of a very long page");
  });
});
