/**
 * What a response is, from its bytes first and its Content-Type second (servers lie; bytes do not): an HTML page,
 * plain text, a PDF, an image, or something the archiver does not keep. Pure.
 */
import type { FetchedResource } from "./types.ts";

export type Sniffed = "html" | "text" | "pdf" | "image" | "unknown";

/** The kind of a response, from its bytes first and its Content-Type second (servers lie; bytes do not). */
export function sniffKind(page: Pick<FetchedResource, "mediaType" | "body">): Sniffed {
  const head = page.body.subarray(0, 512);
  if (head.subarray(0, 5).toString("latin1") === "%PDF-") return "pdf";
  if (isImageMagic(head)) return "image";
  const type = page.mediaType;
  if (type === "text/html" || type === "application/xhtml+xml") return "html";
  if (type === "image/svg+xml") return "image"; // rasterized by the image stage, never stored as SVG
  if (type === "text/plain") return "text";
  if (type === "" || type === "application/octet-stream" || type === "text/xml" || type === "application/xml") {
    const text = head.toString("latin1").replace(/^\uFEFF|^\xEF\xBB\xBF/, "").trimStart().toLowerCase();
    if (/^<(!doctype html|html|head|body|!--)/.test(text)) return "html";
  }
  return "unknown";
}

function isImageMagic(b: Buffer): boolean {
  const ascii = (from: number, to: number) => b.subarray(from, to).toString("latin1");
  return (
    (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) || // JPEG
    ascii(0, 8) === "\x89PNG\r\n\x1a\n" ||
    ascii(0, 6) === "GIF87a" ||
    ascii(0, 6) === "GIF89a" ||
    (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") ||
    (ascii(4, 8) === "ftyp" && /^(avif|avis|heic|heix|mif1)$/.test(ascii(8, 12))) ||
    ascii(0, 4) === "II*\0" ||
    ascii(0, 4) === "MM\0*"
  );
}
