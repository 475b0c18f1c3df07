/**
 * Getting a source's text: a file (size-capped before it is read), a folder of posts (walked without following
 * links, capped in files and depth), or a URL through the archiver's guarded fetcher. Bytes are decompressed when
 * gzip (a sitemap.xml.gz) within the same cap, and decoded: a byte order mark (UTF-8 or UTF-16, as Windows tools
 * write CSV), else the HTTP charset, else an XML declaration's encoding, else UTF-8. Errors: SourceError, naming the
 * file or URL and what to do.
 */
import { lstat, open, readdir } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { getBOMEncoding, labelToName, TextDecoder } from "@exodus/bytes/encoding.js";
import { MAX_FOLDER_DEPTH, MAX_FOLDER_FILES } from "./limits.ts";

export class SourceError extends Error {
  override name = "SourceError";
  readonly code = "IMPORT_SOURCE";
}

const POST_FILE = /\.(md|markdown|mdx|html?)$/i;

/** A file's bytes, refused when larger than maxBytes (checked before reading, and while reading). */
export async function readSourceFile(file: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SourceError(code === "ENOENT" ? `${file} does not exist` : `${file} could not be opened (${code ?? (error as Error).message})`, { cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new SourceError(`${file} is not a file`);
    if (info.size > maxBytes) throw new SourceError(`${file} is ${info.size} bytes, over the limit of ${maxBytes}; raise --max-bytes if it is really an export`);
    const buffer = Buffer.alloc(info.size);
    let read = 0;
    while (read < info.size) {
      const { bytesRead } = await handle.read(buffer, read, info.size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read);
  } finally {
    await handle.close();
  }
}

/** A gzip body unpacked within the cap; any other body as it is. */
export function gunzipWithin(bytes: Buffer, maxBytes: number, name: string): Buffer {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";
    throw new SourceError(tooLarge ? `${name} unpacks to more than ${maxBytes} bytes; raise --max-bytes if it is really that large` : `${name} is not valid gzip: ${(error as Error).message}`, { cause: error });
  }
}

/** The encoding an XML declaration names, if any (<?xml version="1.0" encoding="ISO-8859-1"?>). */
function xmlEncoding(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 200).toString("latin1");
  return /^\s*<\?xml[^>]*\sencoding=["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
}

export function decodeSource(bytes: Buffer, headerCharset?: string): string {
  const bom = getBOMEncoding(bytes);
  const label = bom ?? [headerCharset, xmlEncoding(bytes)].map((l) => (l ? labelToName(l) : null)).find((name) => name && name !== "replacement");
  // BOM-stripping is the decoder's default, so "\uFEFF" never becomes part of the first URL.
  return new TextDecoder(label ?? "utf-8").decode(bytes);
}

/** The post files under a folder, sorted, without following symbolic links or entering dot-folders and node_modules. */
export async function listPostFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_FOLDER_DEPTH) throw new SourceError(`${root} is more than ${MAX_FOLDER_DEPTH} folders deep at ${dir}`);
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, depth + 1);
      else if (entry.isFile() && POST_FILE.test(entry.name)) {
        files.push(full);
        if (files.length > MAX_FOLDER_FILES) throw new SourceError(`${root} holds more than ${MAX_FOLDER_FILES} posts; import a part of it at a time`);
      }
    }
  };
  await walk(root, 0);
  return files;
}

/** Whether a path is a folder (a real one: a link to a folder is not walked). */
export async function isFolder(file: string): Promise<boolean> {
  try {
    return (await lstat(file)).isDirectory();
  } catch {
    return false;
  }
}
