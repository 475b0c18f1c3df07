/**
 * Code blocks keep their language. On an extracted tree, each <pre> whose code, itself or a wrapper names its language
 * (class language-x, lang-x, highlight-source-x, "brush: x", data-lang, data-language) gets <code class="language-x">:
 * the HTML standard's way to say it, and the one class the sanitizer keeps. Line breaks and indentation are left as
 * they are. Pure DOM work; never throws.
 */
import { classesOf } from "./hints.ts";

/** A language name as classes spell it: js, c++, objective-c, c#, shell-session. */
const LANGUAGE = /^[a-z0-9][a-z0-9+#._-]{0,30}$/;
const CLASS_PREFIXES = /^(?:language|lang|highlight-source|highlight-text|brush)-(.+)$/;
/** Names highlighters use for "no language". */
const NO_LANGUAGE = new Set(["none", "nohighlight", "no-highlight", "plain", "plaintext", "text", "txt", "auto", "default"]);
/** Wrappers above a <pre> looked at for its language (GitHub's div.highlight-source-js, Rouge's div.language-ruby). */
const MAX_WRAPPER_LEVELS = 3;

/** Labels the code blocks under `root`; returns the <code> elements it gave a language class. */
export function labelCode(root: Element): Set<Element> {
  const labelled = new Set<Element>();
  for (const pre of Array.from(root.querySelectorAll("pre"))) {
    const only = pre.children.length === 1 && pre.firstElementChild?.localName === "code" && !hasText(pre) ? pre.firstElementChild : null;
    const language = languageOf([only, pre], true) ?? languageOf(wrappers(pre, root), false);
    if (!language) continue;
    let code = only;
    if (!code) {
      // Code written straight into <pre>: wrapped, so the language has an element to be said on.
      code = pre.ownerDocument.createElement("code");
      code.append(...Array.from(pre.childNodes));
      pre.append(code);
    }
    code.setAttribute("class", `language-${language}`);
    labelled.add(code);
  }
  return labelled;
}

/** From classes, and from data-lang / data-language when `data` (on a wrapper, those name the page's language). */
function languageOf(elements: Array<Element | null>, data: boolean): string | undefined {
  for (const element of elements) {
    if (!element) continue;
    for (const name of data ? ["data-lang", "data-language"] : []) {
      const language = normalize(element.getAttribute(name));
      if (language) return language;
    }
    const classes = classesOf(element);
    for (let i = 0; i < classes.length; i++) {
      // SyntaxHighlighter writes class="brush: js;": the name is the next token.
      const value = classes[i] === "brush:" ? classes[i + 1] : CLASS_PREFIXES.exec(classes[i]!)?.[1];
      const language = normalize(value);
      if (language) return language;
    }
  }
  return undefined;
}

function normalize(value: string | null | undefined): string | undefined {
  const name = value?.trim().toLowerCase().replace(/;+$/, "");
  return name && LANGUAGE.test(name) && !NO_LANGUAGE.has(name) ? name : undefined;
}

function wrappers(pre: Element, root: Element): Element[] {
  const out: Element[] = [];
  for (let current = pre.parentElement; current && current !== root && out.length < MAX_WRAPPER_LEVELS; current = current.parentElement) out.push(current);
  return out;
}

/** Text directly in `element`, outside its child elements. */
function hasText(element: Element): boolean {
  for (let node = element.firstChild; node; node = node.nextSibling) if (node.nodeType === 3 && /\S/.test((node as Text).data)) return true;
  return false;
}
