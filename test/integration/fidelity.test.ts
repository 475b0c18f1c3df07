/**
 * Nothing a reader saw is lost without a trace, through the whole pipeline (fetch, extract, images, sanitize, store)
 * against a real node:http server: embedded videos become their poster and a link, embedded posts their text and a
 * link, formulas their TeX, code blocks keep their language. The embeds are the markup YouTube, Vimeo, X, Mastodon,
 * Instagram, MathJax 2, KaTeX and the common highlighters publish. Nothing reaches the internet: the one public host
 * a trace needs (YouTube's poster server) is answered by the test server, through a fetcher that sends it there.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { JSDOM } from "jsdom";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashUrl } from "../../src/cache/layout.ts";
import { archiveLinks } from "../../src/archive/run.ts";
import type { Fetcher } from "../../src/archive/types.ts";
import { makeWorkspace, readCapture, type Workspace } from "../helpers/archive.ts";
import { bytes, makeImage } from "../helpers/images.ts";
import { scriptCapable } from "../helpers/safety.ts";
import { createFetcherFor } from "../../src/archive/fetch/index.ts";
import { html, startServer, type Handler, type TestServer } from "../helpers/server.ts";

const PROSE = Array.from(
  { length: 4 },
  (_, i) =>
    `<p>Paragraph ${i + 1} of the story: the council voted on Tuesday to extend the tram line to the harbour, ending a decade of arguments about its cost, its route through the old quarter and who would pay for the new bridge.</p>`,
);

/** An article with `embed` between its paragraphs, as a WordPress or news page has it. */
const page = (title: string, embed: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><header><nav><a href="/">Home</a></nav></header><main><article><h1>${title}</h1>
${PROSE.slice(0, 2).join("\n")}
${embed}
${PROSE.slice(2).join("\n")}
</article></main><footer>© The Harbour Gazette</footer></body></html>`;

const YOUTUBE_ID = "dQw4w9WgXcQ";
const EMBEDS: Record<string, string> = {
  "/youtube": `<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube wp-embed-aspect-16-9 wp-has-aspect-ratio"><div class="wp-block-embed__wrapper">
<iframe width="560" height="315" src="https://www.youtube.com/embed/${YOUTUBE_ID}?si=Zx3kQ9" title="The tram line, from the air" frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>
</div></figure>`,
  "/vimeo": `<div style="padding:56.25% 0 0 0;position:relative;"><iframe src="https://player.vimeo.com/video/76979871?h=8272103f6e&amp;badge=0&amp;autopause=0&amp;player_id=0&amp;app_id=58479" frameborder="0" allow="autoplay; fullscreen; picture-in-picture; clipboard-write" style="position:absolute;top:0;left:0;width:100%;height:100%;" title="Building the harbour bridge"></iframe></div><script src="https://player.vimeo.com/api/player.js"></script>`,
  "/video": `<div class="video-container"><video controls preload="none" poster="/media/poster.png" width="640" height="360"><source src="/media/works.mp4" type="video/mp4"><source src="/media/works.webm" type="video/webm">Your browser does not support the video tag.</video></div>`,
  "/tweet": `<blockquote class="twitter-tweet" data-lang="en"><p lang="en" dir="ltr">The first tram reached the harbour this morning, three years late and on budget. <a href="https://t.co/AbCdEf123">pic.twitter.com/AbCdEf123</a></p>&mdash; Harbour Council (@HarbourCouncil) <a href="https://twitter.com/HarbourCouncil/status/1196862839468457985?ref_src=twsrc%5Etfw">November 19, 2019</a></blockquote> <script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>`,
  "/mastodon": `<iframe src="https://mastodon.social/@harbour/109876543210987654/embed" class="mastodon-embed" style="max-width: 100%; border: 0" width="400" allowfullscreen="allowfullscreen"></iframe><script src="https://mastodon.social/embed.js" async="async"></script>`,
  "/instagram": `<blockquote class="instagram-media" data-instgrm-captioned data-instgrm-permalink="https://www.instagram.com/p/B5DLjH_lWKC/?utm_source=ig_embed&amp;utm_campaign=loading" data-instgrm-version="14" style=" background:#FFF; border:0; border-radius:3px; margin: 1px; max-width:540px; padding:0; width:calc(100% - 2px);"><div style="padding:16px;"> <a href="https://www.instagram.com/p/B5DLjH_lWKC/?utm_source=ig_embed&amp;utm_campaign=loading" style=" background:#FFFFFF; line-height:0; padding:0 0; text-align:center; text-decoration:none; width:100%;" target="_blank"> <div style=" display: flex; flex-direction: row; align-items: center;"> <div style="background-color: #F4F4F4; border-radius: 50%; flex-grow: 0; height: 40px; margin-right: 14px; width: 40px;"></div></div><div style="padding: 19% 0;"></div> <div style="padding-top: 8px;"> <div style=" color:#3897f0; font-family:Arial,sans-serif; font-size:14px; font-style:normal; font-weight:550; line-height:18px;">View this post on Instagram</div></div></a><p style=" margin:8px 0 0 0; padding:0 4px;"><a href="https://www.instagram.com/p/B5DLjH_lWKC/?utm_source=ig_embed&amp;utm_campaign=loading" style=" color:#000; font-family:Arial,sans-serif; font-size:14px; font-style:normal; font-weight:normal; line-height:17px; text-decoration:none; word-wrap:break-word;" target="_blank">The harbour at dawn, the day before the trams came.</a></p> <p style=" color:#c9c8cd; font-family:Arial,sans-serif; font-size:14px; line-height:17px; margin-bottom:0; margin-top:8px; overflow:hidden; padding:8px 0 7px; text-align:center; text-overflow:ellipsis; white-space:nowrap;">A post shared by Harbour Gazette (@harbourgazette) on <time style=" font-family:Arial,sans-serif; font-size:14px; line-height:17px;" datetime="2019-11-19T18:01:42+00:00">Nov 19, 2019 at 10:01am PST</time></p></div></blockquote> <script async src="//www.instagram.com/embed.js"></script>`,
  "/mathjax": `<p>The cost grows as <span class="MathJax_Preview" style="color: inherit; display: none;"></span><span class="mjx-chtml MathJax_CHTML" id="MathJax-Element-1-Frame" tabindex="0" role="presentation" style="font-size: 113%; position: relative;"><span id="MJXc-Node-1" class="mjx-math" aria-hidden="true"><span class="mjx-mrow"><span class="mjx-msubsup"><span class="mjx-base"><span class="mjx-mi"><span class="mjx-char MJXc-TeX-math-I">n</span></span></span><span class="mjx-sup"><span class="mjx-mn"><span class="mjx-char MJXc-TeX-main-R">2</span></span></span></span></span></span><span class="MJX_Assistive_MathML" role="presentation"><math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>n</mi><mn>2</mn></msup></math></span></span><script type="math/tex" id="MathJax-Element-1">n^2 < 2^n</script> for large networks.</p>
<span class="MathJax_Preview" style="color: inherit; display: none;"></span><div class="mjx-chtml MJXc-display" style="text-align: center;"><span class="mjx-chtml MathJax_CHTML" id="MathJax-Element-2-Frame" tabindex="0" role="presentation"><span class="mjx-math" aria-hidden="true"><span class="mjx-char">Σ</span></span></span></div><script type="math/tex; mode=display" id="MathJax-Element-2">\\sum_{i=1}^{n} c_i = \\frac{n(n+1)}{2}</script>`,
  "/katex": `<p>Each stop adds <span class="katex"><span class="katex-mathml"><math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><mfrac><mn>1</mn><mi>k</mi></mfrac></mrow><annotation encoding="application/x-tex">\\frac{1}{k}</annotation></semantics></math></span><span class="katex-html" aria-hidden="true"><span class="base"><span class="strut" style="height:1.1901em;vertical-align:-0.345em;"></span><span class="mord"><span class="mopen nulldelimiter"></span><span class="mfrac"><span class="vlist-t vlist-t2"><span class="vlist-r"><span class="vlist" style="height:0.8451em;"><span style="top:-2.655em;"><span class="pstrut" style="height:3em;"></span><span class="sizing reset-size6 size3 mtight"><span class="mord mathnormal mtight" style="margin-right:0.03148em;">k</span></span></span><span style="top:-3.394em;"><span class="pstrut" style="height:3em;"></span><span class="sizing reset-size6 size3 mtight"><span class="mord mtight">1</span></span></span></span></span></span></span><span class="mclose nulldelimiter"></span></span></span></span></span> minutes to the journey.</p>`,
  "/mathml": `<p>The stop spacing solves <math display="block"><mrow><mi>x</mi><mo>=</mo><mfrac><mrow><mo>−</mo><mi>b</mi><mo>±</mo><msqrt><mrow><msup><mi>b</mi><mn>2</mn></msup><mo>−</mo><mn>4</mn><mi>a</mi><mi>c</mi></mrow></msqrt></mrow><mrow><mn>2</mn><mi>a</mi></mrow></mfrac></mrow></math> for the two roots.</p>`,
  "/code": `<pre class="language-js"><code class="language-js">function fare(stops) {
  return 1.5 + 0.25 * stops;
}</code></pre>
<div class="highlight highlight-source-python notranslate position-relative overflow-auto" dir="auto"><pre><span class="pl-k">def</span> <span class="pl-en">fare</span>(<span class="pl-s1">stops</span>):
    <span class="pl-k">return</span> <span class="pl-c1">1.5</span> <span class="pl-c1">+</span> <span class="pl-c1">0.25</span> <span class="pl-c1">*</span> <span class="pl-s1">stops</span></pre></div>
<pre class="prettyprint lang-go">func fare(stops int) float64 {
	return 1.5 + 0.25*float64(stops)
}</pre>
<pre><code data-lang="rust">fn fare(stops: u32) -> f64 {
    1.5 + 0.25 * stops as f64
}</code></pre>
<pre class="brush: ruby;">def fare(stops)
  1.5 + 0.25 * stops
end</pre>
<pre><code class="hljs">plain text with no language</code></pre>`,
};

let server: TestServer;
let ws: Workspace;
/** Hosts the pipeline asked for, other than the test server. */
const publicHosts: string[] = [];
let poster: Buffer;

/** The real fetcher, except that YouTube's poster server is this test's server (the internet, played locally). */
function fetcherFor(ws: Workspace, server: TestServer): Fetcher {
  const real = createFetcherFor(ws.config(), { offline: true });
  return {
    fetch: (url, request) => {
      const parsed = new URL(url);
      if (parsed.origin === server.origin) return real.fetch(url, request);
      publicHosts.push(parsed.hostname);
      if (parsed.hostname === "i.ytimg.com") return real.fetch(server.url(`/ytimg${parsed.pathname}`), request);
      return real.fetch(url, request);
    },
    close: () => real.close(),
  };
}

beforeAll(async () => {
  poster = await makeImage({ width: 480, height: 360, color: "#aa3311", format: "jpeg" });
  const videoPoster = await makeImage({ width: 640, height: 360, color: "#1133aa", format: "png" });
  const routes: Record<string, Handler> = {};
  for (const [route, embed] of Object.entries(EMBEDS)) routes[route] = html(page(`Trams ${route.slice(1)}`, embed));
  server = await startServer({
    ...routes,
    [`/ytimg/vi/${YOUTUBE_ID}/hqdefault.jpg`]: bytes(poster, "image/jpeg"),
    "/media/poster.png": bytes(videoPoster, "image/png"),
  });
  ws = await makeWorkspace();
  await ws.writeLinks(Object.keys(EMBEDS).map((route) => server.url(route)));
  const fetcher = fetcherFor(ws, server);
  try {
    const summary = await archiveLinks(ws.config(), { fetcher });
    expect(summary.failures).toEqual([]);
  } finally {
    await fetcher.close();
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
});

/** The stored capture of a route: its body as a DOM, and the raw HTML. */
async function capture(route: string): Promise<{ body: string; dom: DocumentFragment; text: string }> {
  const { html: body } = await readCapture(ws.cacheDir, hashUrl(server.url(route)));
  expect(scriptCapable(body, server.origin)).toEqual([]);
  const dom = JSDOM.fragment(body);
  return { body, dom, text: (dom.textContent ?? "").replace(/\s+/g, " ") };
}

/** The text of each link to `href`, in order ("" for a link around an image). */
function linkTexts(dom: DocumentFragment, href: string): string[] {
  return Array.from(dom.querySelectorAll("a"))
    .filter((a) => a.getAttribute("href") === href)
    .map((a) => a.textContent ?? "");
}

describe("embedded videos", () => {
  it("keeps a YouTube embed as its poster, downloaded and re-encoded, and a link to the video with its title", async () => {
    const { dom } = await capture("/youtube");
    const watch = `https://www.youtube.com/watch?v=${YOUTUBE_ID}`;
    const img = dom.querySelector("figure img")!;
    expect(img.getAttribute("src")).toMatch(/^[0-9a-f]{16,64}\.webp$/);
    expect(img.getAttribute("alt")).toBe("Video: The tram line, from the air");
    const stored = await sharp(await readFile(path.join(ws.cacheDir, hashUrl(server.url("/youtube")), img.getAttribute("src")!))).metadata();
    expect([stored.format, stored.width, stored.height]).toEqual(["webp", 480, 360]);
    // The poster links to the video, and so does its title.
    expect(linkTexts(dom, watch)).toEqual(["", "The tram line, from the air"]);
    expect(img.parentElement?.getAttribute("href")).toBe(watch);
    expect(server.requests).toContain(`/ytimg/vi/${YOUTUBE_ID}/hqdefault.jpg`);
    expect(dom.querySelector("iframe")).toBeNull();
  });

  it("keeps a Vimeo embed as a link to the video with its title, asking Vimeo for nothing", async () => {
    const { dom, text } = await capture("/vimeo");
    expect(linkTexts(dom, "https://vimeo.com/76979871")).toEqual(["Building the harbour bridge"]);
    expect(text).toContain("Video: Building the harbour bridge (Vimeo)");
    expect(publicHosts.filter((host) => host.includes("vimeo"))).toEqual([]);
  });

  it("keeps a <video> as its poster image and a link to its file, which is not downloaded", async () => {
    const { dom } = await capture("/video");
    const img = dom.querySelector("img")!;
    expect(img.getAttribute("src")).toMatch(/^[0-9a-f]{16,64}\.webp$/);
    expect(img.getAttribute("width")).toBe("640");
    // No title: the link is named by the file's address.
    expect(linkTexts(dom, server.url("/media/works.mp4"))).toEqual(["", `127.0.0.1:${server.port}/media/works.mp4`]);
    expect(server.requests).toContain("/media/poster.png");
    expect(server.requests.filter((request) => request.startsWith("/media/works"))).toEqual([]);
  });
});

describe("embedded posts", () => {
  it("keeps a tweet's text, with its attribution linking to it, and none of Twitter's script", async () => {
    const { dom, text } = await capture("/tweet");
    const quote = dom.querySelector("blockquote")!;
    const status = "https://twitter.com/HarbourCouncil/status/1196862839468457985?ref_src=twsrc%5Etfw";
    expect(quote.getAttribute("cite")).toBe(status);
    expect(quote.textContent).toContain("The first tram reached the harbour this morning, three years late and on budget.");
    expect(linkTexts(dom, status)).toEqual(["— Harbour Council (@HarbourCouncil) November 19, 2019"]);
    expect(text).not.toContain("widgets.js");
    expect(publicHosts).not.toContain("platform.twitter.com");
  });

  it("keeps a Mastodon iframe as a link to the toot", async () => {
    const { dom } = await capture("/mastodon");
    expect(linkTexts(dom, "https://mastodon.social/@harbour/109876543210987654")).toEqual(["Post by @harbour@mastodon.social"]);
  });

  it("keeps an Instagram post's caption and a link to it, without the card's empty boxes", async () => {
    const { dom } = await capture("/instagram");
    const quote = dom.querySelector("blockquote")!;
    expect(quote.textContent).toContain("The harbour at dawn, the day before the trams came.");
    const permalink = "https://www.instagram.com/p/B5DLjH_lWKC/?utm_source=ig_embed&utm_campaign=loading";
    expect(linkTexts(dom, permalink)).toEqual(["A post shared by Harbour Gazette (@harbourgazette) on Nov 19, 2019 at 10:01am PST"]);
    expect(quote.querySelectorAll("div")).toHaveLength(0);
  });
});

describe("formulas and code", () => {
  it("keeps MathJax's TeX from its scripts, once, without the glyphs MathJax rendered", async () => {
    const { dom, text } = await capture("/mathjax");
    expect(Array.from(dom.querySelectorAll("code"), (code) => code.textContent)).toEqual(["n^2 < 2^n", "\\sum_{i=1}^{n} c_i = \\frac{n(n+1)}{2}"]);
    expect(text).toContain("The cost grows as n^2 < 2^n for large networks.");
    expect(text).not.toContain("Σ");
  });

  it("keeps KaTeX's TeX annotation, without the glyphs KaTeX rendered", async () => {
    const { dom, text } = await capture("/katex");
    expect(Array.from(dom.querySelectorAll("code"), (code) => code.textContent)).toEqual(["\\frac{1}{k}"]);
    expect(text).toContain("Each stop adds \\frac{1}{k} minutes to the journey.");
  });

  it("writes MathML without TeX out as TeX would write it", async () => {
    const { dom } = await capture("/mathml");
    expect(dom.querySelector("code")?.textContent).toBe("x=\\frac{−b±\\sqrt{b^{2}−4ac}}{2a}");
  });

  it("keeps each code block's language as <code class=\"language-…\">, with its line breaks and indentation", async () => {
    const { dom } = await capture("/code");
    const blocks = Array.from(dom.querySelectorAll("pre"), (pre) => [pre.querySelector("code")?.getAttribute("class") ?? null, pre.textContent]);
    expect(blocks).toEqual([
      ["language-js", "function fare(stops) {\n  return 1.5 + 0.25 * stops;\n}"],
      ["language-python", "def fare(stops):\n    return 1.5 + 0.25 * stops"],
      ["language-go", "func fare(stops int) float64 {\n\treturn 1.5 + 0.25*float64(stops)\n}"],
      ["language-rust", "fn fare(stops: u32) -> f64 {\n    1.5 + 0.25 * stops as f64\n}"],
      ["language-ruby", "def fare(stops)\n  1.5 + 0.25 * stops\nend"],
      [null, "plain text with no language"],
    ]);
  });
});
