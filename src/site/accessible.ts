/**
 * A capture's sanitized HTML made usable by keyboard and screen reader as the site inserts it, without changing what
 * is stored (the stored HTML stays the sanitizer's fixed point, which verify checks). Input: sanitized HTML, whose
 * markup the sanitizer wrote (lower-case tags, quoted attributes, no nested links). Output: the same HTML, with:
 * links left empty by an image that could not be stored removed (axe `link-name`); images without alt text marked
 * decorative, and a link holding only such images named after where it goes; each top-level table in a focusable,
 * named region that scrolls sideways, and each <pre> focusable and named (axe `scrollable-region-focusable`); lists
 * that real pages use for indenting made into what they look like (accessible-lists.ts).
 * Pure, and linear in the HTML's length: passes of indexOf scans, each resuming where the last one stopped.
 */
import { escapeHtml } from "../util/html.ts";
import { wellFormedLists } from "./accessible-lists.ts";

export function accessibleBody(html: string): string {
  return wrapTables(links(wellFormedLists(html))).replaceAll("<pre>", '<pre tabindex="0" role="region" aria-label="Preformatted text">');
}

/** Every `<a …>…</a>`: dropped when empty, named when it holds only images without alt text; images given alt="". */
function links(html: string): string {
  const out: string[] = [];
  let at = 0;
  for (;;) {
    const open = html.indexOf("<a ", at);
    if (open < 0) break;
    const openEnd = html.indexOf(">", open);
    const close = openEnd < 0 ? -1 : html.indexOf("</a>", openEnd);
    if (close < 0) break;
    out.push(withAlt(html.slice(at, open)));
    const attributes = html.slice(open + 3, openEnd);
    const content = withAlt(html.slice(openEnd + 1, close));
    if (nothingToRead(content)) {
      // An image that could not be stored left this link with nothing to click or read (at most empty elements).
    } else if (onlyUnnamedImages(content) && !attributes.includes("aria-label=")) {
      out.push(`<a ${attributes} aria-label="${escapeHtml(`Image link to ${linkTarget(attributes)}`)}">${content}</a>`);
    } else {
      out.push(`<a ${attributes}>${content}</a>`);
    }
    at = close + 4;
  }
  out.push(withAlt(html.slice(at)));
  return out.join("");
}

/** `<img …>` without an alt attribute, as `<img alt="" …>`: a decorative image, which screen readers skip. */
function withAlt(html: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const open = html.indexOf("<img", at);
    if (open < 0) break;
    const end = html.indexOf(">", open);
    if (end < 0) break;
    const tag = html.slice(open, end + 1);
    out += html.slice(at, open) + (/\salt="/.test(tag) ? tag : `<img alt=""${tag.slice(4)}`);
    at = end + 1;
  }
  return out + html.slice(at);
}

/** Whether link content has no text and no image: white space and empty elements at most. */
function nothingToRead(content: string): boolean {
  if (content.includes("<img")) return false;
  let text = "";
  let at = 0;
  for (;;) {
    const open = content.indexOf("<", at);
    text += content.slice(at, open < 0 ? content.length : open);
    if (open < 0) break;
    const end = content.indexOf(">", open);
    if (end < 0) break;
    at = end + 1;
  }
  return text.replaceAll("&nbsp;", " ").replaceAll("&#160;", " ").trim() === "";
}

/** Whether link content is nothing but images with empty alt text (and white space). */
function onlyUnnamedImages(content: string): boolean {
  let rest = content.trim();
  if (!rest.startsWith("<img")) return false;
  while (rest.startsWith("<img")) {
    const end = rest.indexOf(">");
    if (end < 0 || !rest.slice(0, end).includes(' alt=""')) return false;
    rest = rest.slice(end + 1).trim();
  }
  return rest === "";
}

/** "example.com/…/page" from an href, for a link's name; "another page" when there is none. */
function linkTarget(attributes: string): string {
  const href = /(?:^|\s)href="([^"]*)"/.exec(attributes)?.[1];
  if (!href) return "another page";
  try {
    const url = new URL(href.replaceAll("&amp;", "&"));
    const last = url.pathname.split("/").filter(Boolean).pop();
    return `${url.hostname.replace(/^www\./, "")}${last ? `/…/${decodeURIComponent(last).slice(0, 60)}` : ""}`;
  } catch {
    return "another page";
  }
}

/** Each table that is not inside another, in a region a keyboard can reach and scroll. */
function wrapTables(html: string): string {
  const out: string[] = [];
  let depth = 0;
  let count = 0;
  let at = 0;
  // The next opening and closing tag, each searched for again only once it is used: one pass over the text.
  let open = html.indexOf("<table");
  let close = html.indexOf("</table>");
  while (open >= 0 || close >= 0) {
    if (close >= 0 && (open < 0 || close < open)) {
      out.push(html.slice(at, close + 8));
      at = close + 8;
      close = html.indexOf("</table>", at);
      depth = Math.max(0, depth - 1);
      if (depth === 0) out.push("</div>");
      continue;
    }
    out.push(html.slice(at, open));
    depth += 1;
    if (depth === 1) out.push(`<div class="table-scroll" tabindex="0" role="region" aria-label="Table ${(count += 1)}">`);
    out.push("<table");
    at = open + 6;
    open = html.indexOf("<table", at);
  }
  out.push(html.slice(at));
  // A table the markup never closed still closes its region.
  if (depth > 0) out.push("</div>");
  return out.join("");
}
