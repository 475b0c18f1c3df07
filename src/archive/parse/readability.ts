/**
 * Readability 0.6 with some of its steps made cheaper on jsdom, same answers (test/integration/readability-same.test.ts holds
 * it to Readability's own output on the 130 real pages). Each override names the method it replaces and what it costs
 * there; everything else is Readability's. Input and output: Readability's (a Document, then parse()).
 */
import { Readability } from "@mozilla/readability";

const ELEMENT_NODE = 1;
/** The nodes whose data make up an element's textContent. */
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
/** A style attribute that can set display or visibility: it names one (a CSS escape could spell either). */
const MAY_HIDE = /display|visibility|\\/i;

/** Readability's members these overrides use; its type declarations list only the public API. */
interface ReadabilityInternals {
  REGEXPS: { byline: RegExp };
  _isProbablyVisible(node: Element): boolean;
}
const base = Readability.prototype as unknown as ReadabilityInternals;

export class ArchiveReadability extends Readability {
  /**
   * Readability reads `node.style` of every element it walks, and jsdom builds and parses a CSS declaration object
   * (cssstyle) the first time an element's style is read. An element whose style
   * attribute is absent or names neither display nor visibility has both empty inline, so it skips straight to
   * Readability's own attribute checks; the others are asked as before.
   */
  _isProbablyVisible(node: Element): boolean {
    const style = node.getAttribute("style");
    if (style === null || !MAY_HIDE.test(style)) return visibleIgnoringStyle(node);
    return base._isProbablyVisible.call(this, node);
  }

  /**
   * Readability reads `node.textContent` first, for every node it walks until it finds a byline, <html> and <body>
   * included: the text of the whole page, again and again. The text is needed only when the node
   * looks like a byline, so that is asked first.
   */
  _isValidByline(node: Element, matchString: string): boolean {
    const rel = node.getAttribute("rel");
    const itemprop = node.getAttribute("itemprop");
    const looksLikeByline = rel === "author" || Boolean(itemprop && itemprop.includes("author")) || this.internals.REGEXPS.byline.test(matchString);
    if (!looksLikeByline) return false;
    const length = (node.textContent ?? "").trim().length;
    return length > 0 && length < 100;
  }

  /**
   * Readability builds the whole `textContent` of each <div>, <section>, <header> and heading it walks to learn whether
   * it has any text: the text of a page-wide wrapper, for each wrapper. The first text node with
   * something other than whitespace answers the same question (`trim()` and `\S` agree on what whitespace is).
   */
  _isElementWithoutContent(node: Node): boolean {
    if (node.nodeType !== ELEMENT_NODE) return false;
    const element = node as Element;
    if (hasNonWhitespaceText(element)) return false;
    const children = element.children.length;
    return children === 0 || children === element.getElementsByTagName("br").length + element.getElementsByTagName("hr").length;
  }

  private get internals(): ReadabilityInternals {
    return this as unknown as ReadabilityInternals;
  }
}

/** Readability 0.6's _isProbablyVisible without its two inline-style checks. */
function visibleIgnoringStyle(node: Element): boolean {
  return (
    !node.hasAttribute("hidden") &&
    (!node.hasAttribute("aria-hidden") ||
      node.getAttribute("aria-hidden") != "true" ||
      Boolean(node.className && node.className.includes && node.className.includes("fallback-image")))
  );
}

/**
 * Whether any text node under `root` has a non-whitespace character: a depth-first walk that stops at the first.
 * Through firstChild/nextSibling/parentNode only: on jsdom, reaching the document (for a TreeWalker, say) costs a
 * named-property lookup that walks the whole tree.
 */
function hasNonWhitespaceText(root: Node): boolean {
  let node: Node | null = root.firstChild;
  while (node !== null) {
    if (node.nodeType === TEXT_NODE || node.nodeType === CDATA_SECTION_NODE) {
      if (/\S/.test((node as CharacterData).data)) return true;
    } else if (node.firstChild !== null) {
      node = node.firstChild;
      continue;
    }
    while (node !== root && node.nextSibling === null) node = node.parentNode!;
    if (node === root) return false;
    node = node.nextSibling;
  }
  return false;
}
