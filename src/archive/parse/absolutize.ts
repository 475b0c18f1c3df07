/** Making every URL of an extracted subtree absolute, as the browser would have resolved it. DOM work, no I/O. */
import { IMAGE_EXTENSION, isImageUrlValue } from "../images/candidates.ts";

/** Attributes holding one URL. */
const URL_ATTRIBUTES = ["href", "src", "poster", "cite"];
/** Attributes holding a srcset (URL + descriptor, comma-separated), lazy-load spellings included. */
const SRCSET_ATTRIBUTES = new Set(["srcset", "data-srcset", "data-lazy-srcset", "data-original-srcset"]);

/**
 * Makes every URL in `root` absolute against the document's base URL (which honours <base href>), so the stages after
 * this one, which only see a fragment, resolve them as the browser would have. Readability does this for href, src,
 * poster and srcset; lazy-load attributes (data-src, data-original, data-srcset, ...) and the no-article body are ours.
 * A fragment-only link stays as it is when there is no <base>, like Readability: it points into this document.
 */
export function absolutizeUrls(root: Element): void {
  const document = root.ownerDocument;
  const base = document.baseURI;
  const samePage = base === document.URL;
  const resolve = (value: string): string => {
    const trimmed = value.trim();
    if (trimmed === "" || (samePage && trimmed.startsWith("#"))) return value;
    try {
      return new URL(trimmed, base).href;
    } catch {
      return value;
    }
  };
  for (const element of root.querySelectorAll("*")) {
    for (const attribute of Array.from(element.attributes)) {
      const name = attribute.name;
      if (URL_ATTRIBUTES.includes(name)) {
        const resolved = resolve(attribute.value);
        if (resolved !== attribute.value) element.setAttribute(name, resolved);
      } else if (SRCSET_ATTRIBUTES.has(name)) {
        element.setAttribute(name, resolveSrcset(attribute.value, resolve));
      } else if (name.startsWith("data-") && isImageUrlValue(attribute.value, IMAGE_EXTENSION, { paths: true })) {
        element.setAttribute(name, resolve(attribute.value));
      }
    }
  }
}

/** Resolves each candidate URL of a srcset, keeping its descriptor (https://html.spec.whatwg.org/#srcset-attributes). */
export function resolveSrcset(value: string, resolve: (url: string) => string): string {
  return splitSrcset(value)
    .map((candidate) => {
      const match = /^\s*(\S+)(.*)$/s.exec(candidate);
      return match ? `${resolve(match[1]!)}${match[2]!.trimEnd()}` : candidate;
    })
    .filter((candidate) => candidate.trim() !== "")
    .join(", ");
}

/** White space as `\s` counts it, one character at a time. */
const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/**
 * A srcset's candidates, split where `/,\s+|,(?=\S+\s+\d)/` would split it: at a comma followed by white space, or
 * by a token, white space and a digit (a URL with commas in it, then its descriptor). In one pass: where each run of
 * non-space characters ends is known beforehand, so no comma rescans what follows it.
 */
export function splitSrcset(value: string): string[] {
  const runEnd = new Int32Array(value.length + 1);
  runEnd[value.length] = value.length;
  for (let i = value.length - 1; i >= 0; i--) runEnd[i] = isSpace(value[i]) ? i : runEnd[i + 1]!;
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== ",") continue;
    if (isSpace(value[i + 1])) {
      parts.push(value.slice(start, i));
      let next = i + 1;
      while (isSpace(value[next])) next++;
      start = next;
      i = next - 1;
      continue;
    }
    const tokenEnd = runEnd[i + 1]!;
    if (tokenEnd === i + 1) continue; // a comma at the end, or before nothing
    let digit = tokenEnd;
    while (isSpace(value[digit])) digit++;
    if (digit > tokenEnd && isDigit(value[digit])) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

