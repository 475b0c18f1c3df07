/**
 * The cheap pre-parse: <script> and <style> cut out of the markup before jsdom sees it (and, for a second attempt, <link>).
 * Pure string work, no DOM.
 */
import { TEX_SOURCE } from "./math.ts";

const SPACE_SLASH_OR_GT = "[\\t\\n\\f\\r />]";
/** A start tag's name, or a comment opening: what the scan below stops at. */
const TAG_OPEN = /<(?:!--|([a-zA-Z][^\t\n\f\r />]*))/g;
/** Elements whose content is text to the tokenizer, so a `<script` inside them is not a tag. */
const TEXT_ELEMENTS = new Set(["title", "textarea", "xmp", "iframe", "noembed", "noframes"]);
const JSON_LD = /\btype\s*=\s*["']?\s*application\/ld\+json/i;
/** MathJax's `<script type="math/tex">` and `<script type="math/tex; mode=display">`. */
const MATH_TEX = /\btype\s*=\s*["']?\s*math\/tex\b/i;
/** A formula's TeX longer than this is not a formula. */
const MAX_TEX = 20_000;

/**
 * Cuts <script> and <style> elements out of the source before jsdom sees it: on real pages they are a third of the
 * parse time, jsdom never runs the scripts anyway, and stylesheets are where its CSS parser has thrown. JSON-LD scripts
 * stay, because Readability reads title, byline and dates from them; a MathJax TeX script becomes a span holding its
 * TeX as escaped text. This is an optimization, not a safety measure (sanitizeArticle is): it follows the tokenizer
 * closely enough for comments, quoted attributes, raw-text elements and `<!-- <script> -->` inside scripts, and where
 * it is wrong it can only drop or keep text, never add markup of the page's making.
 */
export function stripScriptsAndStyles(html: string): string {
  const kept: string[] = [];
  let copiedUpTo = 0;
  const tags = new RegExp(TAG_OPEN.source, "g");
  let match: RegExpExecArray | null;
  while ((match = tags.exec(html)) !== null) {
    const start = match.index;
    if (match[1] === undefined) {
      const end = html.indexOf("-->", start + 4);
      if (end === -1) break; // an unclosed comment runs to the end of the document
      tags.lastIndex = end + 3;
      continue;
    }
    const name = match[1].toLowerCase();
    const contentStart = endOfStartTag(html, tags.lastIndex);
    if (contentStart < 0) break; // an unclosed tag at the end: nothing more to find
    if (name === "plaintext") break;
    if (name === "script" || name === "style") {
      const closeStart = name === "script" ? endOfScriptData(html, contentStart) : endOfRawText(html, contentStart, name);
      const closeEnd = closeStart >= html.length ? html.length : afterTagEnd(html, closeStart);
      tags.lastIndex = closeEnd;
      const startTag = html.slice(start, contentStart);
      if (name === "script" && JSON_LD.test(startTag)) continue;
      kept.push(html.slice(copiedUpTo, start));
      // MathJax keeps a formula's TeX in a script; it stays, as text (math.ts makes it <code>).
      if (name === "script" && MATH_TEX.test(startTag) && closeStart - contentStart <= MAX_TEX) {
        kept.push(`<span ${TEX_SOURCE}="">${escapeText(html.slice(contentStart, Math.min(closeStart, html.length)))}</span>`);
      }
      copiedUpTo = closeEnd;
    } else if (TEXT_ELEMENTS.has(name)) {
      const closeStart = endOfRawText(html, contentStart, name);
      tags.lastIndex = closeStart >= html.length ? html.length : afterTagEnd(html, closeStart);
    } else {
      tags.lastIndex = contentStart;
    }
  }
  if (copiedUpTo === 0) return html;
  kept.push(html.slice(copiedUpTo));
  return kept.join("");
}

/**
 * Where the start tag whose attributes begin at `from` ends (just past its `>`), skipping quoted attribute values, which
 * may hold `>` or `<script`; -1 when it never ends. A value is quoted only after `=` (and white space); a quote that
 * never closes is a plain character, as a `>` inside it then ends the tag. One pass: every character is looked at once
 * (indexOf jumps over a quoted value), where the regular expression this replaces,
 * `(?:[^>"'=]|=\s*"[^"]*"|=\s*'[^']*'|["'=])*>`, could split `=""` two ways and backtrack exponentially.
 */
export function endOfStartTag(html: string, from: number): number {
  for (let i = from; i < html.length; i++) {
    const c = html[i];
    if (c === ">") return i + 1;
    if (c !== "=") continue;
    let j = i + 1;
    while (j < html.length && (html[j] === " " || html[j] === "\t" || html[j] === "\n" || html[j] === "\f" || html[j] === "\r")) j++;
    const quote = html[j];
    if (quote !== '"' && quote !== "'") continue;
    const close = html.indexOf(quote, j + 1);
    if (close >= 0) i = close;
  }
  return -1;
}

/** Index of the `</name` that ends a raw-text or RCDATA element, or the input's length if none does. */
function endOfRawText(html: string, from: number, name: string): number {
  const end = new RegExp(`</${name}${SPACE_SLASH_OR_GT}`, "gi");
  end.lastIndex = from;
  return end.exec(html)?.index ?? html.length;
}

/**
 * Index of the `</script` that ends script data, following the tokenizer's escaped and double-escaped states
 * (https://html.spec.whatwg.org/multipage/parsing.html#script-data-state): inside `<!-- ... -->`, a nested
 * `<script>...</script>` does not end the outer script.
 */
function endOfScriptData(html: string, from: number): number {
  const tokens = new RegExp(`<!--|-->|</script${SPACE_SLASH_OR_GT}|<script${SPACE_SLASH_OR_GT}`, "gi");
  tokens.lastIndex = from;
  let state: "data" | "escaped" | "double-escaped" = "data";
  let token: RegExpExecArray | null;
  while ((token = tokens.exec(html)) !== null) {
    const text = token[0].toLowerCase();
    if (text === "<!--") {
      if (state === "data") state = "escaped";
    } else if (text === "-->") {
      state = "data";
    } else if (text.startsWith("</")) {
      if (state !== "double-escaped") return token.index;
      state = "escaped";
      tokens.lastIndex = token.index + 2;
    } else {
      if (state === "escaped") state = "double-escaped";
      tokens.lastIndex = token.index + 2;
    }
  }
  return html.length;
}

/** Script text as element text: what the script held, read literally (its `&lt;` is four characters). */
function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

function afterTagEnd(html: string, from: number): number {
  const gt = html.indexOf(">", from);
  return gt === -1 ? html.length : gt + 1;
}

/**
 * For the second attempt: <link> elements out of the source before jsdom sees them (<style> is already gone). Style
 * attributes are removed through the DOM instead (see extractFrom): jsdom parses them lazily, on first read, and a
 * regex over attributes could break the quoting of the markup around them.
 */
export function stripCss(html: string): string {
  return html.replace(/<link\b[^>]*>/gi, "");
}
