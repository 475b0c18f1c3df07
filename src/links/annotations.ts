/**
 * links.txt → what each URL's line says about it (note and tags), for the site build: editing a tag never needs a
 * re-capture, the build reads it from the links file each time. Input: the file's text (or its path: a missing file
 * is no annotations). Output: a map from the URL as written to its annotation. Lines that are not links are skipped
 * here; the archiver reports them. A URL listed twice gets the tags of both lines and the first note.
 */
import { readFile } from "node:fs/promises";
import { readLinkLine, type Annotation } from "./line.ts";

export function readAnnotations(text: string): Map<string, Annotation> {
  const annotations = new Map<string, Annotation>();
  for (const raw of text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/)) {
    const line = readLinkLine(raw);
    if (line.kind !== "link") continue;
    const earlier = annotations.get(line.url);
    if (!earlier) {
      annotations.set(line.url, { note: line.annotation.note, tags: [...line.annotation.tags] });
      continue;
    }
    for (const tag of line.annotation.tags) if (!earlier.tags.includes(tag)) earlier.tags.push(tag);
    if (!earlier.note) earlier.note = line.annotation.note;
  }
  return annotations;
}

/** The annotations of a links file; none when the file does not exist (an archive need not keep one). */
export async function loadAnnotations(file: string): Promise<Map<string, Annotation>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw new Error(`Could not read the links file ${file}: ${(error as Error).message}`, { cause: error });
  }
  return readAnnotations(text);
}
