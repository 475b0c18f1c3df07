/**
 * The images stage against a real node:http server: every way real pages point at images, and every way an image
 * can be bad. The download is a tiny global-fetch one with a byte cap, standing in for the run's Fetcher.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JSDOM } from "jsdom";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HttpStatusError, TooLargeError } from "../../src/archive/errors.ts";
import { extractArticle } from "../../src/archive/parse/extract.ts";
import { localizeImages } from "../../src/archive/images/localize.ts";
import type { ImageDownload, LocalizeOptions, LocalizeResult } from "../../src/archive/images/localize.ts";
import type { ImagePlan } from "../../src/archive/images/plan.ts";
import type { ImageLimits } from "../../src/archive/types.ts";
import { bytes, hang, makeImage, planImagesOf, pngBomb } from "../helpers/images.ts";
import { startServer } from "../helpers/server.ts";
import type { TestServer } from "../helpers/server.ts";
import { readSource } from "../../tools/readability-pages.ts";

const STORED_NAME = /^[0-9a-f]{16,64}\.(webp|avif)$/; // what the sanitizer lets through
const GIF_1X1 = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==";

const LIMITS: ImageLimits = {
  maxBytes: 1_000_000,
  maxInputPixels: 40_000_000,
  maxWidth: 800,
  timeoutMs: 3_000,
  format: "webp",
  quality: 70,
  concurrency: 4,
};

let server: TestServer;
const temps: string[] = [];

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "images-test-"));
  temps.push(dir);
  return dir;
}

/** Global fetch plus a byte cap: the smallest honest stand-in for the run's Fetcher. */
function fetchDownload(maxBytes: number, seen: string[] = []): LocalizeOptions["download"] {
  return async (url, signal): Promise<ImageDownload> => {
    seen.push(url);
    const response = await fetch(url, { signal });
    if (!response.ok) throw new HttpStatusError(response.status, `HTTP ${response.status} for ${url}`, { url });
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response.body ?? []) {
      total += chunk.byteLength;
      if (total > maxBytes) throw new TooLargeError(`${url} is more than ${maxBytes} bytes`, { url });
      chunks.push(Buffer.from(chunk));
    }
    return { body: Buffer.concat(chunks) };
  };
}

interface Run extends LocalizeResult {
  dir: string;
  imgs: HTMLImageElement[];
  downloads: string[];
  onDisk: string[];
}

async function run(
  html: string,
  options: Partial<Omit<LocalizeOptions, "limits">> & { limits?: Partial<ImageLimits>; plan?: ImagePlan; baseUrl?: string } = {},
): Promise<Run> {
  const dir = options.dir ?? (await tempDir());
  const limits = { ...LIMITS, ...options.limits };
  const downloads: string[] = [];
  const { limits: _partial, plan, baseUrl = server.url("/articles/post.html"), ...rest } = options;
  const result = await localizeImages(plan ?? planImagesOf(html, baseUrl, limits.maxWidth), {
    download: fetchDownload(limits.maxBytes, downloads),
    ...rest,
    dir,
    limits,
  });
  const imgs = Array.from(JSDOM.fragment(result.html).querySelectorAll("img"));
  return { ...result, dir, imgs, downloads, onDisk: (await readdir(dir)).sort() };
}

/** Markup as an HTML parser leaves it: parsed in a <body> and serialized again. */
function reparsed(html: string): string {
  return new JSDOM(`<!DOCTYPE html><body>${html}`).window.document.body.innerHTML;
}

let routeId = 0;
/** Serves an image at a fresh path; returns that path. */
async function serve(image: Parameters<typeof makeImage>[0], contentType = "image/jpeg"): Promise<string> {
  const path = `/img/${++routeId}-${image.width}x${image.height}.${image.format ?? "jpg"}`;
  server.route(path, bytes(await makeImage(image), contentType));
  return path;
}

function requestsFor(path: string): number {
  return server.requests.filter((request) => request === path).length;
}

async function storedMeta(dir: string, img: HTMLImageElement) {
  const src = img.getAttribute("src") ?? "";
  expect(src).toMatch(STORED_NAME);
  return sharp(join(dir, src)).metadata();
}

describe("localizeImages", () => {
  it("stores a plain src image as a content-named WebP whose width and height attributes match the file", async () => {
    const path = await serve({ width: 300, height: 200 });
    const result = await run(`<p>Text</p><img src="${server.url(path)}" alt="A blue box" class="wp-image" style="x">`);

    expect(result.images).toBe(1);
    expect(result.failed).toBe(0);
    const [img] = result.imgs;
    expect(img?.getAttribute("alt")).toBe("A blue box");
    expect(img?.getAttribute("width")).toBe("300");
    expect(img?.getAttribute("height")).toBe("200");
    const meta = await storedMeta(result.dir, img!);
    expect(meta).toMatchObject({ format: "webp", width: 300, height: 200 });
    expect(result.onDisk).toEqual([img?.getAttribute("src")]);
  });

  // Every lazy-load attribute kind found in the Readability test pages (and the common libraries), each
  // with a placeholder src of a kind real pages use. The placeholder must lose and must never be requested.
  const lazyCases: Array<[attribute: string, placeholder: string, page: string]> = [
    ["data-src", "/assets/blank-f2c3362333e2a7a0.gif", "atlas obscura"],
    ["data-src", GIF_1X1, "lemonde (with data-lazyload=true)"],
    ["data-lazy-src", "/img/lazy.png", "WordPress lazy-load plugins"],
    ["data-original", "/photocrop/img/image-lazy.png", "independent, cnet"],
    ["datasrc", "/img/spacer.gif", "bbc"],
    ["data-hi-res-src", "/img/placeholder.png", "washington post"],
    ["data-src-retina", "/photocrop/img/image-lazy.png", "libération"],
    ["data-source-standard", "", "salon (no src at all)"],
    ["original", "/img/loading.gif", "pixnet"],
    ["data-url", "/img/blank.gif", "lazy-load libraries"],
    ["data-echo", "/img/blank.gif", "echo.js"],
    ["lazy-src", "/img/blank.gif", "lazy-load libraries"],
    ["data-orig-file", "", "WordPress attachment attributes, as a last resort"],
  ];
  it.each(lazyCases)("uses %s instead of the placeholder src %j (%s)", async (attribute, placeholder, _page) => {
    const path = await serve({ width: 123, height: 45, color: "#aa3300" });
    const src = placeholder ? ` src="${placeholder}"` : "";
    const extra = attribute === "data-src" && placeholder === GIF_1X1 ? ' data-lazyload="true"' : "";
    const result = await run(`<img${src} ${attribute}="${server.url(path)}"${extra} alt="lazy">`);

    expect(result.failures).toEqual([]);
    expect(result.imgs).toHaveLength(1);
    expect(await storedMeta(result.dir, result.imgs[0]!)).toMatchObject({ width: 123, height: 45 });
    if (placeholder.startsWith("/")) expect(requestsFor(placeholder)).toBe(0);
  });

  it.each(["data-srcset", "data-lazy-srcset"])("uses the best candidate of %s over a placeholder src", async (attribute) => {
    const small = await serve({ width: 200, height: 100 });
    const big = await serve({ width: 900, height: 450 });
    const result = await run(
      `<img src="${GIF_1X1}" srcset="${GIF_1X1}" ${attribute}="${server.url(small)} 200w, ${server.url(big)} 900w" sizes="100vw">`,
    );

    expect(result.downloads).toEqual([server.url(big)]);
    expect(await storedMeta(result.dir, result.imgs[0]!)).toMatchObject({ width: 800, height: 400 });
  });

  it("gives the same capture from the extraction worker's image plan as from the article's HTML", async () => {
    const path = await serve({ width: 300, height: 200 });
    const words = "The committee met on Tuesday to discuss the proposal, which would change how the city funds its libraries. ";
    const pageUrl = server.url("/articles/post.html");
    const html = `<!DOCTYPE html><html><head><title>Plan</title></head><body><article>
      <p>${words.repeat(8)}</p><p><h2>Misnested</h2></p>
      <picture><source srcset="${path}"><img src="blank.gif" alt="A box"></picture>
      <p>${words.repeat(8)}<img src="${path}" width="1" height="1"><!--000000000000000000000000:0--></p>
      <img class="lazy" src="blank.gif" data-src="${path}" alt="Lazy"><noscript><img src="${path}"></noscript>
      <p>${words.repeat(8)}</p><img src="/missing.png" alt="Gone"><img src="javascript:x"></article></body></html>`;
    const article = extractArticle(html, pageUrl, { imageMaxWidth: LIMITS.maxWidth });
    expect(article.imagePlan).toBeDefined();
    const fromHtml = await run(extractArticle(html, pageUrl).html);
    const fromPlan = await run("", { plan: article.imagePlan! });
    // The plan is made on the tree Readability leaves; the HTML path parses that tree's serialization again, which
    // repairs what Readability misnested. Once a parser has read both (sanitize-html does, then the reader's browser),
    // they are the same markup.
    expect(reparsed(fromPlan.html)).toBe(reparsed(fromHtml.html));
    expect({ ...fromPlan, html: "", dir: "", imgs: [], downloads: [] }).toEqual({ ...fromHtml, html: "", dir: "", imgs: [], downloads: [] });
    expect(fromHtml.images - fromHtml.failed).toBe(2); // the picture and the lazy image; the pixel is dropped
    // A comment of the page's own that looks like a marker is left as it is.
    expect(fromPlan.html).toContain("<!--000000000000000000000000:0-->");
  });

  it("picks from a w-descriptor srcset the smallest candidate at least maxWidth wide, commas in URLs included", async () => {
    // kinja/cloudinary URLs carry commas ("c_fill,w_640"): a URL runs to whitespace, not to the first comma.
    const paths: Record<number, string> = {};
    for (const width of [400, 640, 960, 1600]) {
      paths[width] = `/c_fill,q_80,w_${width}/photo.jpg`;
      server.route(paths[width]!, bytes(await makeImage({ width, height: width / 2 }), "image/jpeg"));
    }
    const srcset = [1600, 400, 960, 640].map((w) => `${server.url(paths[w]!)} ${w}w`).join(", ");
    const result = await run(`<img src="${server.url(paths[400]!)}" srcset="${srcset}" sizes="(max-width: 600px) 100vw, 50vw">`);

    expect(result.downloads).toEqual([server.url(paths[960]!)]);
    expect(result.imgs[0]?.getAttribute("width")).toBe("800");
    expect(result.imgs[0]?.getAttribute("height")).toBe("400");
  });

  it("picks the widest w candidate when none reaches maxWidth", async () => {
    const a = await serve({ width: 150, height: 150 });
    const b = await serve({ width: 300, height: 300 });
    const result = await run(`<img srcset="${server.url(a)} 150w, ${server.url(b)} 300w">`);
    expect(result.downloads).toEqual([server.url(b)]);
  });

  it("picks from an x-descriptor srcset the highest density up to 2x", async () => {
    const one = await serve({ width: 100, height: 50 });
    const two = await serve({ width: 200, height: 100 });
    const three = await serve({ width: 300, height: 150 });
    const result = await run(
      `<img src="${server.url(one)}" srcset="${server.url(one)}, ${server.url(three)} 3x, ${server.url(two)} 2x" alt="x">`,
    );
    expect(result.downloads).toEqual([server.url(two)]);
    expect(result.imgs[0]?.getAttribute("width")).toBe("200");
  });

  it("collapses a picture into one img from the first source a desktop reader gets and sharp can decode", async () => {
    const jxl = "/img/photo.jxl";
    const mobile = await serve({ width: 300, height: 600 });
    const desk1x = await serve({ width: 400, height: 200, format: "webp" }, "image/webp");
    const desk2x = await serve({ width: 800, height: 400, format: "webp" }, "image/webp");
    const fallback = await serve({ width: 100, height: 50 });
    const result = await run(`<figure><picture>
        <source type="image/jxl" srcset="${jxl}">
        <source media="(max-width: 600px)" srcset="${server.url(mobile)}">
        <source type="image/webp" media="(min-width: 601px)" srcset="${server.url(desk1x)} 1x, ${server.url(desk2x)} 2x">
        <img src="${server.url(fallback)}" alt="A picture">
      </picture><figcaption>Caption</figcaption></figure>`);

    expect(result.html).not.toMatch(/<picture|<source/);
    expect(result.imgs).toHaveLength(1);
    expect(result.imgs[0]?.getAttribute("alt")).toBe("A picture");
    expect(result.downloads).toEqual([server.url(desk2x)]);
    expect(requestsFor(jxl) + requestsFor(mobile) + requestsFor(fallback)).toBe(0);
    expect(result.imgs[0]?.parentElement?.localName).toBe("figure");
  });

  it("uses a noscript fallback once in place of its lazy placeholder, never both", async () => {
    const real = await serve({ width: 320, height: 240 });
    const result = await run(`<figure>
        <img class="lazyload" src="${GIF_1X1}" data-src="${server.url(real)}" alt="Fallback">
        <noscript><img src="${server.url(real)}" alt="Fallback"></noscript>
      </figure>
      <p><img src="/img/blank.gif" alt="Second"><noscript><a href="/full.jpg"><img src="${server.url(real)}"></a></noscript></p>
      <p><noscript><img src="${server.url(real)}" alt="Only fallback"></noscript></p>`);

    expect(result.html).not.toContain("noscript");
    expect(result.imgs.map((img) => img.getAttribute("alt"))).toEqual(["Fallback", "Second", "Only fallback"]);
    expect(result.imgs.every((img) => STORED_NAME.test(img.getAttribute("src") ?? ""))).toBe(true);
    expect(result.imgs[1]?.parentElement?.localName).toBe("a"); // the link around the noscript image survives
    expect(requestsFor(real)).toBe(1);
    expect(requestsFor("/img/blank.gif")).toBe(0);
  });

  it("resolves relative URLs against the page and protocol-relative ones to http: on an http page", async () => {
    server.route("/images/relative.jpg", bytes(await makeImage({ width: 60, height: 40 }), "image/jpeg"));
    server.route("/images/protocol.jpg", bytes(await makeImage({ width: 61, height: 40 }), "image/jpeg"));
    const protocolRelative = `//127.0.0.1:${server.port}/images/protocol.jpg`;
    const result = await run(`<img src="../images/relative.jpg" alt="r"><img src="${protocolRelative}" alt="p">`);

    expect(result.failures).toEqual([]);
    expect(result.downloads).toEqual([server.url("/images/relative.jpg"), `http:${protocolRelative}`]);
    expect(result.onDisk).toHaveLength(2);
  });

  it("downloads and stores an image used twice only once", async () => {
    const path = await serve({ width: 50, height: 50 });
    const result = await run(`<img src="${server.url(path)}" alt="a"><p>x</p><img src="${path}" alt="b">`);

    expect(requestsFor(path)).toBe(1);
    expect(result.onDisk).toHaveLength(1);
    expect(result.imgs.map((img) => img.getAttribute("src"))).toEqual([result.onDisk[0], result.onDisk[0]]);
    expect(result.images).toBe(2);
  });

  it("stores the same bytes served at two URLs as one file", async () => {
    const image = await makeImage({ width: 70, height: 30, color: "#118811" });
    server.route("/cdn-a/same.jpg", bytes(image, "image/jpeg"));
    server.route("/cdn-b/same.jpg?w=70", bytes(image, "image/jpeg"));
    const result = await run(`<img src="/cdn-a/same.jpg"><img src="/cdn-b/same.jpg?w=70">`);

    expect(result.downloads).toHaveLength(2);
    expect(result.onDisk).toHaveLength(1);
    expect(result.imgs.map((img) => img.getAttribute("src"))).toEqual([result.onDisk[0], result.onDisk[0]]);
  });

  it("keeps the alt text of a broken image, records why, and still stores the others", async () => {
    const good = await makeImage({ width: 400, height: 300 });
    server.route("/broken/truncated.jpg", bytes(good.subarray(0, Math.floor(good.length / 2)), "image/jpeg"));
    server.route("/broken/random.jpg", bytes(Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)), "image/jpeg"));
    const fine = await serve({ width: 40, height: 40 });
    const result = await run(`<img src="/broken/truncated.jpg" alt="Truncated">
      <img src="/broken/random.jpg" alt="Random">
      <img src="/broken/missing.jpg" alt="Missing">
      <img src="/broken/random.jpg?again" alt="">
      <img src="${fine}" alt="Fine">`);

    expect(result.images).toBe(5);
    expect(result.failed).toBe(4);
    const byUrl = Object.fromEntries(result.failures.map((f) => [new URL(f.url).pathname + new URL(f.url).search, f]));
    // libvips usually says "premature end of JPEG file", but its per-thread error buffer can come back as "Unknown
    // error" when several images decode at once: assert our part of the message, not libvips' wording.
    expect(byUrl["/broken/truncated.jpg"]).toMatchObject({
      code: "ARCHIVE_IMAGE",
      reason: expect.stringMatching(/^Image http:\/\/127\.0\.0\.1:\d+\/broken\/truncated\.jpg could not be decoded: /),
    });
    expect(byUrl["/broken/random.jpg"]?.code).toBe("ARCHIVE_UNSUPPORTED_TYPE");
    expect(byUrl["/broken/missing.jpg"]?.code).toBe("ARCHIVE_HTTP_STATUS");
    // Failed images stay as their alt text; one with an empty alt has nothing left to show and goes.
    expect(result.imgs.map((img) => [img.getAttribute("alt"), img.getAttribute("src")])).toEqual([
      ["Truncated", null],
      ["Random", null],
      ["Missing", null],
      ["Fine", result.onDisk[0]],
    ]);
  });

  it("stores a JPEG that only has a harmless decoder warning (failOn is 'error', not 'warning')", async () => {
    // "Corrupt JPEG data: 2 extraneous bytes before marker 0xda": browsers show these, so must we.
    const jpeg = await makeImage({ width: 120, height: 80 });
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    server.route("/warn.jpg", bytes(Buffer.concat([jpeg.subarray(0, sos), Buffer.from([0, 0]), jpeg.subarray(sos)]), "image/jpeg"));
    const result = await run(`<img src="/warn.jpg" alt="warn">`);
    expect(result.failures).toEqual([]);
    expect(result.imgs[0]?.getAttribute("width")).toBe("120");
  });

  it("rejects HTML served as image/jpeg", async () => {
    server.route("/fake.jpg", bytes("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "image/jpeg"));
    const result = await run(`<img src="/fake.jpg" alt="Fake">`);

    expect(result.failures).toEqual([
      { url: server.url("/fake.jpg"), code: "ARCHIVE_UNSUPPORTED_TYPE", reason: expect.stringMatching(/HTML or text/) },
    ]);
    expect(result.onDisk).toEqual([]);
    expect(result.html).not.toContain("script");
  });

  it("rasterizes an SVG (served as anything) to WebP and never stores or outputs SVG", async () => {
    const svg = `<?xml version="1.0"?><!-- drawn by hand --><svg xmlns="http://www.w3.org/2000/svg" width="240" height="120"><rect width="240" height="120" fill="#c00"/><script>alert(1)</script></svg>`;
    server.route("/diagram.svg", bytes(svg, "image/svg+xml"));
    server.route("/diagram-as-png", bytes(svg, "image/png"));
    const result = await run(`<img src="/diagram.svg" alt="Diagram"><img src="${`data:image/svg+xml,${encodeURIComponent(svg.replace("#c00", "#0c0"))}`}" alt="Inline"><img src="/diagram-as-png" alt="Same">`);

    expect(result.failures).toEqual([]);
    expect(result.onDisk).toHaveLength(2); // the served two are the same bytes
    expect(result.onDisk.every((name) => name.endsWith(".webp"))).toBe(true);
    expect(result.html).not.toMatch(/<svg|script/i);
    expect(await storedMeta(result.dir, result.imgs[0]!)).toMatchObject({ format: "webp", width: 240, height: 120 });
  });

  it("rasterizes SVG without fetching its external references or reading local files", async () => {
    const secretDir = await tempDir();
    const secret = join(secretDir, "secret.txt");
    await writeFile(secret, "SECRET ".repeat(20));
    const localPng = join(secretDir, "local.png");
    await writeFile(localPng, await makeImage({ width: 50, height: 50, format: "png", color: "#ff0000" }));
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xi="http://www.w3.org/2001/XInclude" width="400" height="60">
      <image href="${server.url("/svg-ref/image.png")}" width="50" height="50"/>
      <image xlink:href="file://${localPng}" x="60" width="50" height="50"/>
      <use href="${server.url("/svg-ref/sprite.svg#icon")}"/>
      <style>@import url(${server.url("/svg-ref/style.css")}); rect { fill: url(${server.url("/svg-ref/paint.svg#p")}) }</style>
      <rect width="10" height="10"/>
      <text x="0" y="40" font-size="30"><xi:include href="file://${secret}" parse="text"/></text>
    </svg>`;
    server.route("/svg-ref/image.png", bytes(await makeImage({ width: 50, height: 50, format: "png" }), "image/png"));
    server.route("/refs.svg", bytes(svg, "image/svg+xml"));
    const result = await run(`<img src="/refs.svg" alt="refs">`);

    expect(result.failures).toEqual([]);
    expect(server.requests.filter((r) => r.startsWith("/svg-ref/"))).toEqual([]);
    // Had the XInclude or the file: image been honoured, their pixels would be opaque; everything is transparent
    // but the 10×10 rect (whose url() paint falls back to none).
    const { channels } = await sharp(join(result.dir, result.imgs[0]!.getAttribute("src")!)).stats();
    expect(channels[3]?.max).toBe(0);
  });

  it("refuses a 900-megapixel PNG from its header, without decoding it", async () => {
    const bomb = await pngBomb(30_000, 30_000);
    expect(bomb.length).toBeLessThan(200_000);
    server.route("/bomb.png", bytes(bomb, "image/png"));
    const before = process.memoryUsage().rss;
    const result = await run(`<img src="/bomb.png" alt="Bomb">`);
    const grown = process.memoryUsage().rss - before;

    expect(result.failures).toEqual([
      { url: server.url("/bomb.png"), code: "ARCHIVE_TOO_LARGE", reason: expect.stringMatching(/30000×30000 pixels.*not decoded/) },
    ]);
    // Decoding would need ~900 MB; reading the header needs next to nothing.
    expect(grown).toBeLessThan(200 * 1024 * 1024);
    expect(result.imgs[0]?.outerHTML).toBe('<img alt="Bomb">');
  });

  it("refuses an SVG whose declared size is over the pixel limit", async () => {
    server.route("/huge.svg", bytes(`<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"/>`, "image/svg+xml"));
    const result = await run(`<img src="/huge.svg" alt="Huge">`);
    expect(result.failures.map((f) => f.code)).toEqual(["ARCHIVE_TOO_LARGE"]);
  });

  it("works on at most limits.concurrency images at once", async () => {
    let inFlight = 0;
    let most = 0;
    const image = await makeImage({ width: 20, height: 20 });
    const paths = Array.from({ length: 6 }, (_, i) => `/concurrent/${i}.jpg`);
    for (const path of paths) {
      server.route(path, async (_req, res) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 60));
        inFlight -= 1;
        res.writeHead(200, { "content-type": "image/jpeg" });
        res.end(image);
      });
    }
    const result = await run(paths.map((path) => `<img src="${path}">`).join(""), { limits: { concurrency: 2 } });
    expect(result.images).toBe(6);
    expect(most).toBe(2);
  });

  it("refuses an image over the byte cap even when the download does not enforce it", async () => {
    const big = Buffer.concat([await makeImage({ width: 10, height: 10 }), Buffer.alloc(50_000)]);
    server.route("/big.jpg", bytes(big, "image/jpeg"));
    const limits = { maxBytes: 20_000 };
    const lax = await run(`<img src="/big.jpg" alt="Big">`, { limits, download: fetchDownload(Number.POSITIVE_INFINITY) });
    const strict = await run(`<img src="/big.jpg" alt="Big">`, { limits });
    const inline = await run(`<img src="data:image/jpeg;base64,${big.toString("base64")}" alt="Big">`, { limits });

    for (const result of [lax, strict, inline]) {
      expect(result.failures.map((f) => f.code)).toEqual(["ARCHIVE_TOO_LARGE"]);
      expect(result.onDisk).toEqual([]);
    }
    expect(inline.downloads).toEqual([]);
  });

  it("gives up on a slow image at its timeout and stores the rest", async () => {
    server.route("/slow.jpg", hang());
    const fine = await serve({ width: 30, height: 30 });
    const result = await run(`<img src="/slow.jpg" alt="Slow"><img src="${fine}" alt="Fine">`, { limits: { timeoutMs: 500 } });

    expect(result.failures).toEqual([{ url: server.url("/slow.jpg"), code: "ARCHIVE_FETCH_TIMEOUT", reason: expect.any(String) }]);
    expect(result.imgs.map((img) => img.getAttribute("alt"))).toEqual(["Slow", "Fine"]);
    expect(result.imgs[1]?.getAttribute("src")).toMatch(STORED_NAME);
  });

  it("drops tracking pixels entirely, without even asking for one marked 1×1", async () => {
    const pixel = await serve({ width: 1, height: 1, format: "gif" }, "image/gif");
    const result = await run(`<p>Text<img src="${pixel}" alt="pixel"><img src="/tracker?id=1" width="1" height="1" alt=""><img src="${GIF_1X1}"></p>`);

    expect(result.imgs).toEqual([]);
    expect(result.images).toBe(0);
    expect(result.onDisk).toEqual([]);
    expect(requestsFor("/tracker?id=1")).toBe(0);
    expect(result.html).toBe("<p>Text</p>");
  });

  it("caps the width, keeps the aspect ratio and writes the stored size", async () => {
    const path = await serve({ width: 2000, height: 1000 });
    const result = await run(`<img src="${path}" width="2000" height="1000">`);
    expect(result.imgs[0]?.getAttribute("width")).toBe("800");
    expect(result.imgs[0]?.getAttribute("height")).toBe("400");
    expect(await storedMeta(result.dir, result.imgs[0]!)).toMatchObject({ width: 800, height: 400 });
  });

  it("applies EXIF orientation and then strips EXIF and other metadata", async () => {
    const jpeg = await sharp({ create: { width: 200, height: 100, channels: 3, background: "#884422" } })
      .jpeg()
      .withExif({ IFD0: { Copyright: "Someone", Artist: "A camera owner", ImageDescription: "GPS lives here too" } })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const original = await sharp(jpeg).metadata();
    expect(original.exif).toBeDefined();
    expect(original.orientation).toBe(6);
    server.route("/exif.jpg", bytes(jpeg, "image/jpeg"));
    const result = await run(`<img src="/exif.jpg">`);

    const meta = await storedMeta(result.dir, result.imgs[0]!);
    expect(meta).toMatchObject({ width: 100, height: 200 }); // rotated a quarter turn
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect((await readFile(join(result.dir, result.imgs[0]!.getAttribute("src")!))).includes("Someone")).toBe(false);
  });

  it("copies an unchanged image from the previous capture instead of re-encoding it", async () => {
    const kept = await serve({ width: 90, height: 60 });
    const first = await run(`<img src="${kept}">`);
    const name = first.onDisk[0]!;
    // Put a different (valid) image under the same name: if the second run re-encoded, the file would differ.
    const marker = await sharp({ create: { width: 7, height: 5, channels: 3, background: "#00ff00" } }).webp().toBuffer();
    await writeFile(join(first.dir, name), marker);
    const fresh = await serve({ width: 91, height: 60 });

    const second = await run(`<img src="${kept}"><img src="${fresh}">`, { reuseDir: first.dir });

    expect(second.imgs[0]?.getAttribute("src")).toBe(name);
    expect(await readFile(join(second.dir, name))).toEqual(marker);
    expect([second.imgs[0]?.getAttribute("width"), second.imgs[0]?.getAttribute("height")]).toEqual(["7", "5"]);
    // An image the previous capture did not have is encoded as usual.
    expect(await storedMeta(second.dir, second.imgs[1]!)).toMatchObject({ width: 91, height: 60 });
  });

  it("decodes a data: URI image locally and re-encodes it like any other", async () => {
    const png = await makeImage({ width: 61, height: 42, format: "png", color: "#123456" });
    const result = await run(`<img src="data:image/png;base64,${png.toString("base64")}" alt="Inline">`);

    expect(result.downloads).toEqual([]);
    expect(await storedMeta(result.dir, result.imgs[0]!)).toMatchObject({ format: "webp", width: 61, height: 42 });
    expect(result.imgs[0]?.getAttribute("alt")).toBe("Inline");
  });

  it("writes AVIF when the limits ask for it, under a name the sanitizer accepts", async () => {
    const path = await serve({ width: 64, height: 48 });
    const result = await run(`<img src="${path}">`, { limits: { format: "avif", quality: 50 } });
    expect(result.onDisk[0]).toMatch(/^[0-9a-f]{32}\.avif$/);
    expect((await storedMeta(result.dir, result.imgs[0]!)).format).toBe("heif");
  });

  it("leaves no remote src and no srcset, sizes, loading or data-* attribute on any image", async () => {
    const a = await serve({ width: 100, height: 80 });
    const b = await serve({ width: 101, height: 80 });
    const result = await run(`<div>
      <img src="${GIF_1X1}" data-src="${a}" data-srcset="${b} 2x" sizes="auto" loading="lazy" decoding="async" class="lazy" id="x" onerror="alert(1)" alt="A">
      <img src="https://192.0.2.1/unreachable.jpg" srcset="https://192.0.2.1/u2.jpg 2x" data-orig-file="https://192.0.2.1/o.jpg" alt="Down">
      <img src="blob:https://example.com/1234" alt="Blob">
      <img src="javascript:alert(1)" alt="JS">
      <picture><source srcset="${b}"><img src="${a}" alt="P"></picture>
      <video poster="x.jpg"><source src="movie.mp4" srcset="https://192.0.2.1/v.jpg"></video>
    </div>`, {
      // A download that never reaches the network for the unreachable host: it fails like a refused connection.
      download: async (url, signal) => {
        if (url.includes("192.0.2.1")) throw new Error(`connect ECONNREFUSED ${url}`);
        return fetchDownload(LIMITS.maxBytes)(url, signal);
      },
    });

    expect(result.imgs.map((img) => img.getAttribute("alt"))).toEqual(["A", "Down", "Blob", "JS", "P"]);
    for (const img of result.imgs) {
      const src = img.getAttribute("src");
      if (src !== null) expect(src).toMatch(STORED_NAME);
      for (const name of img.getAttributeNames()) expect(["src", "alt", "title", "width", "height", "loading"]).toContain(name);
    }
    expect(result.html).not.toMatch(/srcset|data-|192\.0\.2\.1|blob:|javascript:/);
    expect(result.failures.map((f) => f.code).sort()).toEqual(["ARCHIVE_IMAGE", "ARCHIVE_IMAGE", "ARCHIVE_IMAGE"]);
  });
});

describe("localizeImages on real pages", () => {
  // Pages from Readability's suite whose images use lazy attributes, srcset, picture and noscript fallbacks.
  const pages = ["lazy-image-1", "lazy-image-2", "article-author-tag", "bbc-1", "wapo-1", "lemonde-1", "liberation-1", "wordpress", "salon-1", "citylab-1"];

  it.each(pages)("keeps no remote image address in %s and never asks for a placeholder", async (page) => {
    const source = readSource(page).toString("utf8");
    const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(source)?.[1] ?? source;
    const image = await makeImage({ width: 16, height: 16 });
    const asked: string[] = [];
    const result = await run(body, {
      baseUrl: `https://example.com/${page}/`,
      // No network: every image URL answers with one small real JPEG.
      download: async (url) => {
        asked.push(url);
        return { body: image };
      },
    });

    expect(result.failures.filter((f) => f.code !== "ARCHIVE_IMAGE")).toEqual([]);
    expect(result.images).toBeGreaterThan(0);
    expect(asked.filter((url) => /blank|spacer|image-lazy|placeholder/i.test(new URL(url).pathname.split("/").pop() ?? ""))).toEqual([]);
    const dom = JSDOM.fragment(result.html);
    for (const img of Array.from(dom.querySelectorAll("img"))) {
      const src = img.getAttribute("src");
      if (src !== null) expect(src).toMatch(STORED_NAME);
      expect(img.getAttributeNames().filter((name) => name === "srcset" || name === "sizes" || name.startsWith("data-"))).toEqual([]);
    }
    expect(dom.querySelectorAll("picture, picture source").length).toBe(0);
  });
});
