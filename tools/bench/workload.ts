/**
 * The archive benchmark's workload: Readability's 130 real pages (tools/readability-pages.ts), repeated under
 * distinct URLs to `pages`, each with two <img>s of real 1–2 MP photographs-to-be (smooth noise, so they compress like
 * photos, not like flat colour) made by sharp at start and served by a node:http server on 127.0.0.1, port 0.
 * The page bytes are written to `<dir>/pages/` too, so the baseline reads exactly what the archiver is served.
 */
import { mkdir, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import sharp from "sharp";
import { PAGES, readSource } from "../readability-pages.ts";


export interface BenchImage {
  path: string;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
}

export interface Workload {
  origin: string;
  /** The page URLs, in links-file order. */
  urls: string[];
  /** The files holding each page's bytes, in the same order. */
  files: string[];
  images: BenchImage[];
  /** Bytes of all pages. */
  pageBytes: number;
  /** <img> elements added to the pages, in all. */
  imageReferences: number;
  /** Requests the server answered, by kind. */
  requests: { pages: number; images: number; other: number };
  close(): Promise<void>;
}

/** Distinct images; each page refers to two of them, so most are shared by many pages as a site's photos are. */
const IMAGE_SHAPES = [
  { width: 1600, height: 1000, format: "jpeg" },
  { width: 1200, height: 1200, format: "jpeg" },
  { width: 1400, height: 900, format: "png" },
  { width: 1000, height: 1500, format: "jpeg" },
  { width: 1800, height: 1000, format: "png" },
  { width: 1280, height: 960, format: "jpeg" },
] as const;

export function fixturePages(): string[] {
  return [...PAGES];
}

async function makeImage(width: number, height: number, format: "jpeg" | "png"): Promise<Buffer> {
  // Noise at 1/25 scale, enlarged with a cubic kernel: smooth colour fields with detail, like a photo.
  const small = await sharp({
    create: { width: Math.ceil(width / 25), height: Math.ceil(height / 25), channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 70 } },
  })
    .png()
    .toBuffer();
  const big = sharp(small).resize(width, height, { kernel: "cubic" });
  return format === "png" ? big.png({ compressionLevel: 6 }).toBuffer() : big.jpeg({ quality: 85 }).toBuffer();
}

/** Puts the page's two figures after its first and last paragraphs (where an article's photos are), or into <body>. */
function injectImages(html: string, figures: [string, string]): string {
  const firstP = html.search(/<\/p\s*>/i);
  const lastP = html.toLowerCase().lastIndexOf("</p>");
  if (firstP >= 0 && lastP > firstP) {
    const afterLast = lastP + 4;
    const afterFirst = html.indexOf(">", firstP) + 1;
    return html.slice(0, afterFirst) + figures[0] + html.slice(afterFirst, afterLast) + figures[1] + html.slice(afterLast);
  }
  const body = /<body[^>]*>/i.exec(html);
  const at = body ? body.index + body[0].length : 0;
  return html.slice(0, at) + figures.join("") + html.slice(at);
}

export async function prepareWorkload({ pages, dir }: { pages: number; dir: string }): Promise<Workload> {
  const names = fixturePages();
  const sources = names.map((name) => readSource(name).toString("utf8"));
  const imageBodies = await Promise.all(IMAGE_SHAPES.map((shape) => makeImage(shape.width, shape.height, shape.format)));

  const routes = new Map<string, { body: Buffer; contentType: string; kind: "pages" | "images" }>();
  const images: BenchImage[] = IMAGE_SHAPES.map((shape, i) => {
    const imagePath = `/images/${i}.${shape.format === "jpeg" ? "jpg" : "png"}`;
    const contentType = `image/${shape.format}`;
    routes.set(imagePath, { body: imageBodies[i]!, contentType, kind: "images" });
    return { path: imagePath, contentType, width: shape.width, height: shape.height, bytes: imageBodies[i]!.length };
  });

  const server = http.createServer((req, res) => {
    const route = routes.get(req.url ?? "");
    if (!route) {
      requests.other += 1;
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    requests[route.kind] += 1;
    res.writeHead(200, { "content-type": route.contentType, "content-length": String(route.body.length) });
    res.end(route.body);
  });
  const requests = { pages: 0, images: 0, other: 0 };
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  await mkdir(path.join(dir, "pages"), { recursive: true });
  const urls: string[] = [];
  const files: string[] = [];
  let pageBytes = 0;
  for (let i = 0; i < pages; i++) {
    const name = names[i % names.length]!;
    const pagePath = `/p/${i}/${name}/`;
    const a = images[i % images.length]!;
    const b = images[(i * 7 + 3) % images.length]!;
    const figure = (image: BenchImage, n: number) =>
      `<figure><img src="${origin}${image.path}" alt="Photograph ${n} of page ${i}" width="${image.width}" height="${image.height}"><figcaption>Photograph ${n}</figcaption></figure>`;
    const body = Buffer.from(injectImages(sources[i % names.length]!, [figure(a, 1), figure(b, 2)]), "utf8");
    const file = path.join(dir, "pages", `${String(i).padStart(5, "0")}.html`);
    await writeFile(file, body);
    // The fixtures are stored as UTF-8 whatever their <meta> says, so they are served as such.
    routes.set(pagePath, { body, contentType: "text/html; charset=utf-8", kind: "pages" });
    urls.push(`${origin}${pagePath}`);
    files.push(file);
    pageBytes += body.length;
  }

  return {
    origin,
    urls,
    files,
    images,
    pageBytes,
    imageReferences: pages * 2,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
