/**
 * The text of a tree as a reader reads it: a line per block, inline elements running on, what is never shown (scripts,
 * styles, SVG, templates) left out. DOM reading only; an explicit stack, so any depth of nesting is fine.
 */

/** Phrasing elements: their text runs on within the line around them. Every other element starts and ends a line. */
export const INLINE_ELEMENTS = new Set([
  "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins", "kbd", "mark", "q", "rp", "rt",
  "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
]); // prettier-ignore

const UNSEEN = new Set(["script", "style", "svg", "template", "noscript", "head", "title"]);

/** The non-empty lines of `root`'s text, each with its runs of whitespace made one space. */
export function textLines(root: Element): string[] {
  const lines: string[] = [];
  let line = "";
  const flush = () => {
    const text = line.replace(/\s+/g, " ").trim();
    if (text) lines.push(text);
    line = "";
  };
  // null marks the end of a block.
  const stack: Array<Node | null> = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === null) {
      flush();
      continue;
    }
    if (node.nodeType === 3) {
      line += (node as Text).data;
      continue;
    }
    if (node.nodeType !== 1) continue;
    const name = (node as Element).localName;
    if (UNSEEN.has(name)) continue;
    if (!INLINE_ELEMENTS.has(name)) {
      flush();
      stack.push(null);
    }
    for (let child = node.lastChild; child; child = child.previousSibling) stack.push(child);
  }
  flush();
  return lines;
}
