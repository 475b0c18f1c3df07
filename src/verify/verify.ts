/**
 * Verify: every capture re-checked against the contract before it is committed or published, whoever wrote it (the
 * archiver, an older version of it, a person, a pull request). Input: a cache folder. Output: for each capture, the
 * problems found; a capture with any is left out of the site (npm run build) and out of the bot's commit. Checks:
 * the folder and its files are real files with allowed names and sizes; the front matter passes the schema (http(s)
 * url and final_url, capped text); the HTML is what the sanitizer leaves (sanitizing is a fixed point), or one of the
 * archiver's own fixed bodies for text, PDF and image captures; images are raster WebP/AVIF (decoded by sharp unless
 * `decode` is off: the commit job runs no native decoder); a PDF starts as one. Never throws for one bad capture.
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import path from "node:path";
import { sanitizeArticle } from "../archive/sanitize.ts";
import { captureBodyOf } from "../cache/capture-file.ts";
import { describeKind, readRegularFile } from "../cache/files.ts";
import { CAPTURE_FILE, IMAGE_FILE, PDF_FILE, SERVABLE_EXTENSIONS, VERSION_FILE, stampOfVersionFile } from "../cache/layout.ts";
import { readCapture } from "../cache/store.ts";
import { readVersion } from "../cache/versions.ts";
import type { CaptureMeta } from "../cache/types.ts";
import { formatBytes } from "../util/bytes.ts";
import { CAPTURE_FILE_MAX_BYTES, CAPTURE_FOLDER_MAX_BYTES as FOLDER_MAX_BYTES } from "../archive/limits.ts";

export interface VerifyOptions {
  /** Decode every image with sharp (libvips). Off in the commit job, which parses nothing with native code. */
  decode: boolean;
}

/**
 * The fixed bodies the archiver has written for text, PDF and image captures, in this version and earlier ones (a
 * text capture once escaped `<` as `&#60;`): markup that cannot hold a tag of a stranger's. Linear patterns only.
 */
const OWN_BODIES: Record<"text" | "pdf" | "image", RegExp> = {
  text: /^<pre>[^<]*<\/pre>(?:<p>The original text has [\d,]+ characters; the first [\d,]+ are kept\.<\/p>)?\n?$/,
  pdf: /^<p>PDF document \([\d.]+ (?:bytes|KB|MB|GB)\): (?:<a href="document\.pdf">[^<]*<\/a>|[^<]*)<\/p>\n?$/,
  image: /^<figure><img src="[0-9a-f]{32}\.(?:webp|avif|png|jpe?g|gif)" alt="[^"<]*" width="\d{1,5}" height="\d{1,5}"(?: \/)?><\/figure>\n?$/,
};

/** The problems of one capture folder; an empty list is a capture that may be published. */
export async function verifyCapture(cacheDir: string, key: string, { decode }: VerifyOptions): Promise<string[]> {
  const stored = await readCapture(cacheDir, key);
  if (!stored.ok) return [stored.reason];
  const { meta, folder, files } = stored;
  const problems: string[] = [];
  const allowed = (name: string) => name === CAPTURE_FILE || VERSION_FILE.test(name) || IMAGE_FILE.test(name) || (meta.kind === "pdf" && name === PDF_FILE) || name === meta.file;
  let total = 0;
  const sizes = new Map<string, number>();
  for (const entry of [{ name: CAPTURE_FILE, kind: "file" as const }, ...files]) {
    if (entry.kind !== "file") {
      problems.push(`${entry.name} is ${describeKind(entry.kind)}; a capture holds only regular files`);
      continue;
    }
    if (!allowed(entry.name)) {
      problems.push(`${entry.name} is not a file a capture may hold (index.html, its earlier versions, its images, its stored file)`);
      continue;
    }
    const size = await sizeOf(path.join(folder, entry.name));
    sizes.set(entry.name, size);
    total += size;
  }
  const indexBytes = sizes.get(CAPTURE_FILE) ?? 0;
  if (indexBytes > CAPTURE_FILE_MAX_BYTES) problems.push(`index.html is ${formatBytes(indexBytes)}, over the ${formatBytes(CAPTURE_FILE_MAX_BYTES)} a capture file may have`);
  if (total > FOLDER_MAX_BYTES) problems.push(`the folder holds ${formatBytes(total)}, over the ${formatBytes(FOLDER_MAX_BYTES)} a capture may take`);
  if (problems.length) return problems;

  problems.push(...(await checkBody(folder, meta)));
  // Earlier versions: the same contract as index.html, and each older than the current version.
  for (const name of sizes.keys()) {
    const stamp = stampOfVersionFile(name);
    if (stamp === undefined) continue;
    if ((sizes.get(name) ?? 0) > CAPTURE_FILE_MAX_BYTES) {
      problems.push(`${name} is ${formatBytes(sizes.get(name) ?? 0)}, over the ${formatBytes(CAPTURE_FILE_MAX_BYTES)} a capture file may have`);
      continue;
    }
    const version = await readVersion(path.dirname(folder), key, stamp);
    if (!version.ok) problems.push(version.reason);
    else if (Date.parse(version.meta.archived_at) >= Date.parse(meta.archived_at)) problems.push(`${name} is not older than index.html: a version file holds an earlier version`);
    else problems.push(...(await checkBody(folder, version.meta, name)).map((problem) => `${name}: ${problem}`));
  }
  for (const name of sizes.keys()) {
    if (name === CAPTURE_FILE || VERSION_FILE.test(name)) continue;
    const problem = name === PDF_FILE ? await checkPdf(path.join(folder, name)) : await checkImage(path.join(folder, name), name, decode);
    if (problem) problems.push(problem);
  }
  return problems;
}

async function checkBody(folder: string, meta: CaptureMeta, file = CAPTURE_FILE): Promise<string[]> {
  const body = captureBodyOf(await readRegularFile(path.join(folder, file), "utf8"));
  if (meta.kind !== "article" && meta.kind !== "page" && OWN_BODIES[meta.kind].test(body)) return [];
  if (sanitizeArticle(body, { baseUrl: meta.final_url }) === body) return [];
  return ["its HTML is not what the sanitizer leaves: it was changed by hand, or holds markup the sanitizer removes; archive the link again (--refresh) to replace it"];
}

async function checkPdf(file: string): Promise<string | undefined> {
  const head = await headOf(file, 5);
  return head.toString("latin1") === "%PDF-" ? undefined : `${PDF_FILE} is not a PDF`;
}

async function checkImage(file: string, name: string, decode: boolean): Promise<string | undefined> {
  const extension = name.split(".").pop()?.toLowerCase() ?? "";
  const head = await headOf(file, 32);
  const format = rasterFormatOf(head);
  const allowedFormats = IMAGE_FILE.test(name) ? ["webp", "avif"] : SERVABLE_EXTENSIONS.image.map((e) => (e === "jpg" ? "jpeg" : e));
  if (!format || !allowedFormats.includes(format)) return `${name} is not a ${allowedFormats.join(" or ")} image`;
  if (format !== (extension === "jpg" ? "jpeg" : extension)) return `${name} holds a ${format} image under another extension`;
  if (!decode) return undefined;
  try {
    const { default: sharp } = await import("sharp");
    // Decoded for real: a file that passes for an image by its header but breaks the decoder is not published.
    await sharp(file, { failOn: "error", limitInputPixels: 100_000_000, animated: false }).raw().toBuffer();
  } catch (error) {
    return `${name} does not decode as an image: ${(error as Error).message.split("\n")[0]}`;
  }
  return undefined;
}

/** The raster format a file's first bytes announce (never its name or a Content-Type), or undefined. */
export function rasterFormatOf(b: Buffer): "webp" | "avif" | "png" | "jpeg" | "gif" | undefined {
  const ascii = (from: number, to: number) => b.subarray(from, to).toString("latin1");
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  if (ascii(4, 8) === "ftyp" && /^(avif|avis)$/.test(ascii(8, 12))) return "avif";
  if (ascii(0, 8) === "\x89PNG\r\n\x1a\n") return "png";
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (ascii(0, 6) === "GIF87a" || ascii(0, 6) === "GIF89a") return "gif";
  return undefined;
}

async function headOf(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function sizeOf(file: string): Promise<number> {
  const handle = await open(file, "r");
  try {
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

/** What a capture folder holds, as one hash: a capture whose fingerprint was verified before need not be again. */
export async function fingerprintOf(cacheDir: string, key: string, names: string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const name of [...names].sort()) {
    hash.update(`${name}\0`);
    hash.update(await readRegularFile(path.join(cacheDir, key, name)));
    hash.update("\0");
  }
  return hash.digest("hex");
}
