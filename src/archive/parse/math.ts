/**
 * Formulas keep their text (the sanitizer drops MathML, and MathJax's TeX lives in scripts). On an extracted tree:
 * each TeX source the pre-parse kept from a MathJax script (strip.ts, `data-archive-tex`) becomes <code> with the
 * TeX, and the copies MathJax had rendered are removed; each MathML <math> (with its KaTeX or MathJax wrapper)
 * becomes <code> with its TeX annotation or, without one, a TeX-like linear form of its MathML. Pure DOM work;
 * never throws.
 */
import { classesOf } from "./hints.ts";

/** The attribute strip.ts puts on the span that holds a MathJax script's TeX. */
export const TEX_SOURCE = "data-archive-tex";

/** Classes of what MathJax (v2 and v3) renders from a TeX script, beside it. */
const MATHJAX_CLASSES = new Set([
  "mathjax", "mathjax_preview", "mathjax_display", "mathjax_svg", "mathjax_svg_display", "mathjax_chtml",
  "mathjax_mathml", "mjx-chtml", "mjx_assistive_mathml",
]); // prettier-ignore
/** Classes of the wrappers around a <math> and the glyphs rendered from it: MathJax's and KaTeX's. */
const WRAPPER_CLASSES = new Set([...MATHJAX_CLASSES, "katex", "katex-display"]);
const RENDERED_TAGS = new Set(["mjx-container"]);
/** Wrappers looked through, upwards from a <math>, for the rendered formula it belongs to. */
const MAX_WRAPPER_LEVELS = 4;
/** Formulas rewritten in one page; the rest keep their bare text (the sanitizer drops MathML's tags, not its text). */
const MAX_FORMULAS = 2000;
/** A formula longer than this is cut: it is text for a reader, not a document of its own. */
const MAX_FORMULA = 4000;
/** MathML nested deeper than this is read as plain text. */
const MAX_DEPTH = 40;
const TEX_ENCODINGS = new Set(["application/x-tex", "tex", "latex", "application/x-latex"]);

export function keepMath(root: Element): void {
  const document = root.ownerDocument;
  const sources = Array.from(root.querySelectorAll(`[${TEX_SOURCE}]`));
  if (sources.length > 0) {
    // The scripts hold the TeX the page was written in; what MathJax rendered from them would say it twice.
    for (const element of renderedCopies(root)) {
      const parent = element.parentElement;
      element.remove();
      // A display formula's block (MathJax_Display, made a <p> by Readability) is left empty.
      if (parent && parent !== root && parent.childElementCount === 0 && !/\S/.test(parent.textContent ?? "")) parent.remove();
    }
    for (const source of sources) source.replaceWith(code(document, source.textContent ?? ""));
  }
  for (const math of Array.from(root.querySelectorAll("math")).slice(0, MAX_FORMULAS)) {
    if (!root.contains(math)) continue; // inside a formula replaced already
    const tex = texAnnotation(math);
    const formula = code(document, tex ?? linear(math, 0));
    renderedWrapper(math, root).replaceWith(formula);
  }
}

/** The outermost rendered formulas under `root` that hold no TeX source, in one walk that does not enter them. */
function renderedCopies(root: Element): Element[] {
  const found: Element[] = [];
  let element: Element | null = root.firstElementChild;
  while (element) {
    if (isRendered(element, MATHJAX_CLASSES) && !element.hasAttribute(TEX_SOURCE) && !element.querySelector(`[${TEX_SOURCE}]`)) {
      found.push(element);
    } else if (element.firstElementChild) {
      element = element.firstElementChild;
      continue;
    }
    while (element && element !== root && !element.nextElementSibling) element = element.parentElement;
    element = element && element !== root ? element.nextElementSibling : null;
  }
  return found;
}

function isRendered(element: Element, classes: Set<string>): boolean {
  return RENDERED_TAGS.has(element.localName) || classesOf(element).some((name) => classes.has(name));
}

/** The outermost KaTeX or MathJax wrapper of `math` (its rendered glyphs included), or `math` itself. */
function renderedWrapper(math: Element, root: Element): Element {
  let outer: Element = math;
  let current = math.parentElement;
  for (let level = 0; current && current !== root && level < MAX_WRAPPER_LEVELS; level++) {
    if (isRendered(current, WRAPPER_CLASSES)) outer = current;
    current = current.parentElement;
  }
  return outer;
}

function code(document: Document, text: string): Element {
  const element = document.createElement("code");
  element.textContent = text.trim().slice(0, MAX_FORMULA);
  return element;
}

function texAnnotation(math: Element): string | undefined {
  for (const annotation of Array.from(math.getElementsByTagName("annotation"))) {
    const encoding = annotation.getAttribute("encoding")?.trim().toLowerCase() ?? "";
    if (TEX_ENCODINGS.has(encoding) && annotation.textContent?.trim()) return annotation.textContent;
  }
  return undefined;
}

/**
 * MathML written out as TeX would write it: x^{2}, \frac{a}{b}, \sqrt{x}. Token elements give their text; the
 * layout elements a reader cannot do without are spelled out; everything else is its children in order.
 */
function linear(element: Element, depth: number): string {
  if (depth > MAX_DEPTH) return (element.textContent ?? "").replace(/\s+/g, " ").trim();
  const parts = Array.from(element.children).map((child) => linear(child, depth + 1));
  const [a = "", b = "", c = ""] = parts;
  switch (element.localName) {
    case "mi":
    case "mn":
    case "mo":
    case "mtext":
    case "ms":
      return (element.textContent ?? "").trim();
    case "mspace":
      return " ";
    case "annotation":
    case "annotation-xml":
    case "mphantom":
      return "";
    case "semantics":
      return a;
    case "msup":
    case "mover":
      return `${a}^{${b}}`;
    case "msub":
    case "munder":
      return `${a}_{${b}}`;
    case "msubsup":
    case "munderover":
      return `${a}_{${b}}^{${c}}`;
    case "mfrac":
      return `\\frac{${a}}{${b}}`;
    case "msqrt":
      return `\\sqrt{${parts.join("")}}`;
    case "mroot":
      return `\\sqrt[${b}]{${a}}`;
    case "mfenced": {
      const separator = element.getAttribute("separators")?.trim()[0] ?? ",";
      return `${element.getAttribute("open") ?? "("}${parts.join(separator)}${element.getAttribute("close") ?? ")"}`;
    }
    case "mtable":
      return parts.join(" \\\\ ");
    case "mtr":
    case "mlabeledtr":
      return parts.join(" & ");
    default:
      return parts.join("");
  }
}
