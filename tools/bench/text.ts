/**
 * HTML to the plain text a reader sees, for scoring: block elements on lines of their own, inline elements run on,
 * scripts, styles and templates left out. Parses with the thread's jsdom window (src/archive/parse/dom.ts).
 */
import { parseDocument } from "../../src/archive/parse/dom.ts";

/** Elements that start and end a line (CSS display: block, list-item, table parts), plus <br>. */
const BLOCKS = new Set([
  "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div", "dl", "dt",
  "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
  "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
]); // prettier-ignore
const UNSEEN = new Set(["script", "style", "template", "noscript", "head", "title"]);

export function htmlToText(html: string): string {
  const document = parseDocument(`<!DOCTYPE html><html><head></head><body>${html}</body></html>`);
  const parts: string[] = [];
  // An explicit stack, not recursion: a hostile page may nest elements deeper than the call stack.
  const stack: Array<Node | "\n"> = [document.body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === "\n") {
      parts.push("\n");
      continue;
    }
    if (node.nodeType === 3) {
      parts.push((node as Text).data);
      continue;
    }
    if (node.nodeType !== 1) continue;
    const name = (node as Element).localName;
    if (UNSEEN.has(name)) continue;
    const block = BLOCKS.has(name);
    if (block) parts.push("\n");
    if (block) stack.push("\n");
    for (let child = node.lastChild; child; child = child.previousSibling) stack.push(child);
  }
  return parts
    .join("")
    .replace(/[ \t\r\f]+/g, " ")
    .replace(/ ?\n[\n ]*/g, "\n")
    .trim();
}
