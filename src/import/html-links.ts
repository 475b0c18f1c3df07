/**
 * The outbound links of an HTML page or fragment (a blog post, a feed item's content): each <a href> that resolves to
 * an absolute http(s) URL, with its text and line. When the page has an <article> or <main>, only links inside them
 * count (the post, not the theme's menus and blogroll); links inside <nav> never do. Relative links resolve against
 * `base` and are dropped without one (they point into the blog itself). Pure; linear (markup.ts).
 */
import { lineFinder, oneLine, scanMarkup } from "./markup.ts";

export interface FoundLink {
  /** The absolute URL: the href as written when it was absolute already, else resolved against the base. */
  url: string;
  text: string;
  line: number;
}

const MAX_TEXT = 2000;

export function extractLinks(html: string, base?: string): FoundLink[] {
  const lineOf = lineFinder(html);
  const found: Array<FoundLink & { scoped: boolean }> = [];
  let scope = 0; // open <article> and <main>
  let sawScope = false;
  let nav = 0;
  let current: { url: string; text: string; line: number; scoped: boolean } | undefined;
  const finish = () => {
    if (current) found.push({ ...current, text: oneLine(current.text) });
    current = undefined;
  };
  scanMarkup(html, { xml: false }, {
    open(name, attributes, at) {
      if (name === "article" || name === "main") {
        scope++;
        sawScope = true;
      } else if (name === "nav") {
        nav++;
      } else if (name === "a") {
        finish();
        const url = absolute(attributes.href, base);
        if (url && nav === 0) current = { url, text: "", line: lineOf(at), scoped: scope > 0 };
      }
    },
    close(name) {
      if (name === "article" || name === "main") scope = Math.max(0, scope - 1);
      else if (name === "nav") nav = Math.max(0, nav - 1);
      else if (name === "a") finish();
    },
    text(text) {
      if (current && current.text.length < MAX_TEXT) current.text += text;
    },
  });
  finish();
  return found.filter((link) => !sawScope || link.scoped).map(({ scoped: _scoped, ...link }) => link);
}

/** An href as an absolute http(s) URL: kept as written when it already is one (its key must not move), else resolved. */
function absolute(href: string | undefined, base: string | undefined): string | undefined {
  const written = href?.trim();
  if (!written) return undefined;
  if (/^https?:\/\//i.test(written)) return written;
  if (!base) return undefined;
  try {
    const url = new URL(written, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}
