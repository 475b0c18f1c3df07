/**
 * Reading cache/ without following links: whatever is committed there came from strangers' pages or from a pull
 * request, and a symbolic link (to /etc/hostname, to .git/config) must never be read, copied or published. Entries
 * are judged by their own type (lstat semantics); a file is opened with O_NOFOLLOW and checked again on its handle.
 */
import { constants } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { NotRegularFileError } from "./errors.ts";

export type EntryKind = "file" | "directory" | "symlink" | "other";

export interface Entry {
  name: string;
  kind: EntryKind;
}

/** The entries of a folder with their own types; symbolic links are listed as links, never followed. */
export async function listEntries(dir: string): Promise<Entry[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.map((entry) => ({
    name: entry.name,
    kind: entry.isSymbolicLink() ? "symlink" : entry.isFile() ? "file" : entry.isDirectory() ? "directory" : "other",
  }));
}

/** What a non-regular entry is, in words for a message. */
export function describeKind(kind: EntryKind): string {
  return kind === "symlink" ? "a symbolic link" : kind === "directory" ? "a folder" : kind === "other" ? "not a regular file" : "a file";
}

/** The bytes of a regular file; a symbolic link or anything else is refused (NotRegularFileError), never followed. */
export async function readRegularFile(file: string): Promise<Buffer>;
export async function readRegularFile(file: string, encoding: "utf8"): Promise<string>;
export async function readRegularFile(file: string, encoding?: "utf8"): Promise<Buffer | string> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP") throw new NotRegularFileError(`${file} is a symbolic link`, { cause: error });
    throw error;
  }
  try {
    if (!(await handle.stat()).isFile()) throw new NotRegularFileError(`${file} is not a regular file`);
    const data = await handle.readFile();
    return encoding ? data.toString(encoding) : data;
  } finally {
    await handle.close();
  }
}
