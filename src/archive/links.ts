/**
 * links.txt → the links to archive. Input: the file's text. Output: usable links (deduplicated, in order, each with
 * its annotation: note and tags) and the problems of unusable lines, each `links.txt:<line>: <why>`. Pure: no I/O. A
 * bad line never stops the run. The line grammar (URL, then an optional `#` annotation) is src/links/line.ts.
 */
import { hashUrl } from "../cache/layout.ts";
import { readLinkLine } from "../links/line.ts";
import type { Link, LinkProblem } from "./types.ts";
import { MAX_URL_LENGTH } from "./limits.ts";


export interface ParsedLinks {
  links: Link[];
  problems: LinkProblem[];
  /** Lines that repeated an earlier URL (captured once). */
  duplicates: number;
}

export function parseLinks(text: string): ParsedLinks {
  const links: Link[] = [];
  const problems: LinkProblem[] = [];
  let duplicates = 0;
  // A BOM from a Windows editor would otherwise become part of the first URL and change its hash.
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  const byUrl = new Map<string, Link>();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const read = readLinkLine(raw);
    if (read.kind === "blank" || read.kind === "comment") return;
    const shown = raw.trim();
    if (read.kind === "bad") {
      problems.push({ line, text: shown.length > 200 ? `${shown.slice(0, 200)}…` : shown, reason: read.reason });
      return;
    }
    const { url, annotation } = read;
    const reason = urlProblem(url);
    if (reason) {
      problems.push({ line, text: url.length > 200 ? `${url.slice(0, 200)}…` : url, reason });
      return;
    }
    const earlier = byUrl.get(url);
    if (earlier) {
      // A URL listed twice is captured once; what each line says about it is kept (tags joined, the first note).
      duplicates += 1;
      for (const tag of annotation.tags) if (!earlier.tags!.includes(tag)) earlier.tags!.push(tag);
      if (!earlier.note && annotation.note) earlier.note = annotation.note;
      return;
    }
    const link: Link = { url, hash: hashUrl(url), line, tags: [...annotation.tags], ...(annotation.note ? { note: annotation.note } : {}) };
    byUrl.set(url, link);
    links.push(link);
  });
  return { links, problems, duplicates };
}

/** Why a URL cannot be a line of links.txt (not absolute http(s), too long, credentials inside), or undefined. */
export function urlProblem(url: string): string | undefined {
  if (url.length > MAX_URL_LENGTH) return `is longer than ${MAX_URL_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(url)) return "contains control characters; put one URL on each line";
  // Never true of a line read from links.txt (white space ends its URL); an importer's URL may hold some.
  if (/\s/.test(url)) return "contains white space, which would end it on a links.txt line; write a space as %20";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not an absolute URL; it should start with http:// or https://";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return `is not an http(s) URL (scheme "${parsed.protocol.replace(/:$/, "")}")`;
  }
  if (!/^https?:\/\//i.test(url)) return "is not an absolute URL; it should start with http:// or https://";
  if (parsed.hostname === "") return "has no host name";
  if (parsed.username || parsed.password) return "contains a user name or password; remove them before archiving";
  return undefined;
}

/** `links.txt:14: "htp://x" is not an http(s) URL` — the form every bad line is reported in. */
export function formatProblem(file: string, problem: LinkProblem): string {
  return `${file}:${problem.line}: "${problem.text}" ${problem.reason}`;
}
