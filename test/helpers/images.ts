/**
 * Real images for tests, made by sharp at test time, and handlers that serve them from the test server.
 */
import { crc32, createDeflate } from "node:zlib";
import sharp from "sharp";
import { planImages, type ImagePlan } from "../../src/archive/images/plan.ts";
import { parseDocument } from "../../src/archive/parse/dom.ts";
import type { Handler } from "./server.ts";

/** The image plan of article HTML, parsed in this thread's jsdom window (the parse worker makes it in production). */
export function planImagesOf(html: string, baseUrl: string, maxWidth: number): ImagePlan {
  // A whole document rather than JSDOM.fragment(): fragment parsing treats <noscript> content as text.
  return planImages(parseDocument(`<!DOCTYPE html><html><head></head><body>${html}</body></html>`).body, baseUrl, maxWidth);
}

export interface MakeImage {
  width: number;
  height: number;
  /** A CSS colour; distinct colours give distinct bytes. */
  color?: string;
  format?: "jpeg" | "png" | "webp" | "gif";
}

/** A solid-colour image of the given size and format. */
export async function makeImage({ width, height, color = "#3366cc", format = "jpeg" }: MakeImage): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: color } });
  return image.toFormat(format).toBuffer();
}

/** Serves fixed bytes with the given Content-Type (which the images stage must not trust). */
export function bytes(body: Buffer | string, contentType: string): Handler {
  return (_req, res) => {
    res.writeHead(200, { "content-type": contentType, "content-length": String(Buffer.byteLength(body)) });
    res.end(body);
  };
}

/** Sends headers, then nothing: only a timeout ends this request. */
export function hang(): Handler {
  return (_req, res) => {
    res.writeHead(200, { "content-type": "image/jpeg" });
    res.write(Buffer.from([0xff, 0xd8, 0xff]));
  };
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/**
 * A valid 1-bit greyscale PNG of width×height black pixels: 30000×30000 (900 MP, ~900 MB decoded) is ~110 KB and
 * takes a fraction of a second to make, where sharp's create() takes ~10 s.
 */
export async function pngBomb(width: number, height: number): Promise<Buffer> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil(width / 8); // filter byte + packed pixels, all zero
  const rowsPerWrite = 1000;
  const block = Buffer.alloc(rowBytes * rowsPerWrite);
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on("data", (part: Buffer) => parts.push(part));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on("end", resolve);
    deflate.on("error", reject);
  });
  for (let left = height; left > 0; left -= rowsPerWrite) {
    const rows = Math.min(rowsPerWrite, left);
    if (!deflate.write(rows === rowsPerWrite ? block : block.subarray(0, rowBytes * rows))) {
      await new Promise((resolve) => deflate.once("drain", resolve));
    }
  }
  deflate.end();
  await done;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", Buffer.concat(parts)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}
