/**
 * One line of links.txt, the public contract of DESIGN.md "links.txt": blank, a `#` comment, or a URL with an
 * optional annotation. The URL is the text up to the first white space; the rest, if any, must start with `#` and is
 * the annotation: free text in which `#word` is a tag (`https://example.com/post  # satire #containers`). The capture
 * key is the URL alone, so annotating a line never moves its capture. Pure: no I/O; linear in the line's length.
 * Annotations are the user's own text, but the site shows them to everyone: they are capped and stripped of control
 * characters here, and escaped wherever they are shown.
 */

/** What a line says besides its URL: a note (free text, "" when none) and its tags (lower case, unique, in order). */
export interface Annotation {
  note: string;
  tags: string[];
}

export type LinkLine =
  | { kind: "blank" }
  | { kind: "comment" }
  | { kind: "link"; url: string; annotation: Annotation }
  /** Text after the URL that is not an annotation: two URLs on a line, or a pasted sentence. */
  | { kind: "bad"; reason: string };

/** Longest note kept, in characters; the rest is cut (a note is a reminder, not an article). */
export const MAX_NOTE_CHARS = 500;
/** Tags kept from one line; more are dropped. */
export const MAX_TAGS = 16;
/** Longest tag, in characters. */
export const MAX_TAG_CHARS = 48;

/** A tag as written after `#`: letters and digits of any script, `-` and `_`, starting with a letter or digit. */
const TAG_TOKEN = /^#([\p{L}\p{N}][\p{L}\p{N}\p{M}_-]*)[.,;:!?)\]]*$/u;
/**
 * Control characters, and the bidirectional overrides and isolates that could make a note display as something else
 * (Trojan Source, CVE-2021-42574): none belongs in a note or a URL.
 */
const UNSHOWN = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const SPACE = /\s/;

/** The tag form of a word: NFKC, lower case, capped. */
function normalTag(word: string): string {
  return word.normalize("NFKC").toLowerCase().slice(0, MAX_TAG_CHARS);
}

/** Reads the annotation text that follows a URL (starting at its `#`). */
export function parseAnnotation(text: string): Annotation {
  let body = text.replace(UNSHOWN, " ");
  // The first `#` marks the annotation; when a word follows at once it is also the first tag (`#satire`).
  if (body.startsWith("#") && !/^#[\p{L}\p{N}]/u.test(body)) body = body.slice(1);
  const words: string[] = [];
  const tags: string[] = [];
  for (const token of body.split(/\s+/)) {
    if (token === "") continue;
    const tag = TAG_TOKEN.exec(token);
    if (tag) {
      const normal = normalTag(tag[1]!);
      if (!tags.includes(normal) && tags.length < MAX_TAGS) tags.push(normal);
    } else {
      words.push(token);
    }
  }
  return { note: capNote(words.join(" ")), tags };
}

function capNote(note: string): string {
  if (note.length <= MAX_NOTE_CHARS) return note;
  // Cut on a code point, never inside a surrogate pair.
  return `${Array.from(note).slice(0, MAX_NOTE_CHARS - 1).join("")}…`;
}

/** Reads one line (without its line break). */
export function readLinkLine(raw: string): LinkLine {
  const line = raw.trim();
  if (line === "") return { kind: "blank" };
  if (line.startsWith("#")) return { kind: "comment" };
  let end = 0;
  while (end < line.length && !SPACE.test(line[end]!)) end++;
  const url = line.slice(0, end);
  const rest = line.slice(end).trim();
  if (rest === "") return { kind: "link", url, annotation: { note: "", tags: [] } };
  if (!rest.startsWith("#")) {
    return {
      kind: "bad",
      reason: `has text after the URL that is not an annotation; put one URL on each line, and start a note or tags with " #" (like "${url.length > 60 ? `${url.slice(0, 60)}…` : url}  # a note #tag")`,
    };
  }
  return { kind: "link", url, annotation: parseAnnotation(rest) };
}

/**
 * A tag from another tool (a folder, a label, "Machine Learning") in the word form a line can carry
 * ("machine-learning"), or undefined when nothing of it is left.
 */
export function tagOf(text: string): string | undefined {
  const word = text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}_-]+/gu, "-")
    .replace(/^[-_\p{M}]+|[-_]+$/gu, "");
  if (word === "") return undefined;
  const capped = Array.from(word).slice(0, MAX_TAG_CHARS).join("").replace(/[-_]+$/, "");
  return capped === "" ? undefined : capped;
}

/**
 * Text from another tool (a title) as a note that reads back as written: one line, no control characters, capped,
 * and no `#` that would start a tag ("Issue #12" → "Issue 12"; "C#" stays).
 */
export function noteOf(text: string): string {
  const flat = text.replace(UNSHOWN, " ").split(/\s+/).filter(Boolean);
  const words = flat.map((word) => (/^#+[\p{L}\p{N}]/u.test(word) ? word.replace(/^#+/, "") : word));
  return capNote(words.join(" "));
}

/**
 * A line of links.txt for a URL and its annotation: `URL`, `URL  #tag`, or `URL  # note #tag`. The note must already
 * be in the form noteOf gives and the tags in the form tagOf gives, so readLinkLine reads back exactly this.
 */
export function formatLinkLine(url: string, { note, tags }: Annotation): string {
  const tagText = tags.map((tag) => `#${tag}`).join(" ");
  if (note === "") return tagText === "" ? url : `${url}  ${tagText}`;
  return `${url}  # ${note}${tagText === "" ? "" : ` ${tagText}`}`;
}
