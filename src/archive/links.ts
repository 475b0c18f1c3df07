/**
 * links.txt → the links to archive. Input: the file's text. Output: usable links (deduplicated, in order) and the
 * problems of unusable lines, each `links.txt:<line>: <why>`. Pure: no I/O. A bad line never stops the run.
 */
import { hashUrl } from "../cache/layout.ts";
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
  const seen = new Set<string>();
  let duplicates = 0;
  // A BOM from a Windows editor would otherwise become part of the first URL and change its hash.
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const url = raw.trim();
    if (url === "" || url.startsWith("#")) return;
    const reason = whyNotUsable(url);
    if (reason) {
      problems.push({ line, text: url.length > 200 ? `${url.slice(0, 200)}…` : url, reason });
      return;
    }
    if (seen.has(url)) {
      duplicates += 1;
      return;
    }
    seen.add(url);
    links.push({ url, hash: hashUrl(url), line });
  });
  return { links, problems, duplicates };
}

function whyNotUsable(url: string): string | undefined {
  if (url.length > MAX_URL_LENGTH) return `is longer than ${MAX_URL_LENGTH} characters`;
  // Control characters and inner whitespace mean two URLs on one line or a pasted fragment of text.
  if (/[\s\u0000-\u001f\u007f]/.test(url)) return "contains spaces or control characters; put one URL on each line";
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
