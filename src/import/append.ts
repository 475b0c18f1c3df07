/**
 * Adding lines to links.txt without losing or reordering what it holds: the new file is the old one byte for byte
 * (its BOM, its line endings, even bytes that are not UTF-8), then the new lines in UTF-8 with the file's own line
 * ending, written to a temporary file beside it and renamed over it, so a crash leaves the old file or the new one.
 * If the file changed since it was read (an editor saved it meanwhile), nothing is written and the run says so. A
 * links file that does not exist yet is created; a UTF-16 one is refused (the archiver reads links.txt as UTF-8).
 */
import { randomBytes } from "node:crypto";
import { chmod, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";

export class LinksFileError extends Error {
  override name = "LinksFileError";
  readonly code = "IMPORT_LINKS_FILE";
}

/** The line ending a file uses (its first), "\n" when it has none yet. */
export function lineEnding(text: string): string {
  const m = /\r\n|\n|\r/.exec(text);
  return m ? m[0] : "\n";
}

/** The file's bytes with the lines added: pure, so the dry run and the tests see exactly what would be written. */
export function appendedBytes(original: Buffer, lines: readonly string[]): Buffer {
  if (lines.length === 0) return original;
  // Line breaks are ASCII, so reading the bytes as latin1 finds them whatever the rest of the file holds.
  const text = original.toString("latin1");
  const eol = lineEnding(text);
  const bare = text === "" || text === "\u00ef\u00bb\u00bf";
  const separator = bare || /(\r\n|\n|\r)$/.test(text) ? "" : eol;
  return Buffer.concat([original, Buffer.from(`${separator}${lines.join(eol)}${eol}`, "utf8")]);
}

/** The links file's bytes (empty when it does not exist yet). */
export async function readLinksBytes(file: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return Buffer.alloc(0);
    throw new LinksFileError(`Could not read ${file}: ${(error as Error).message}`, { cause: error });
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new LinksFileError(`${file} is saved as UTF-16; the archiver reads links.txt as UTF-8. Save it as UTF-8, then import again.`);
  }
  return bytes;
}

export async function appendLines(file: string, original: Buffer, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.import-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await writeFile(temporary, appendedBytes(original, lines), { flag: "wx" });
    // The renamed file keeps the old one's permissions, not the temporary file's.
    const mode = await stat(file).then((info) => info.mode & 0o7777, () => undefined);
    if (mode !== undefined) await chmod(temporary, mode);
    if (!(await readLinksBytes(file)).equals(original)) {
      throw new LinksFileError(`${file} changed while the import ran; nothing was added. Run the import again.`);
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    if (error instanceof LinksFileError) throw error;
    throw new LinksFileError(`Could not write ${file}: ${(error as Error).message}`, { cause: error });
  }
}
