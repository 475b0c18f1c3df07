/**
 * What a page's markup says about its own elements (class, id, role, itemprop). Readability runs with keepClasses, so
 * the article it returns still says which box was which; dropClasses removes the classes once the cleanup, the embeds,
 * the formulas and the code blocks have read them. DOM work on one document, no I/O; never throws.
 */

/** Bounds the words read from one element: a hostile page can put megabytes into a class attribute. */
const MAX_HINT_CHARS = 400;

/**
 * Removes every class under `root` (root included) but those of `except`: what Readability's own class cleaning did,
 * here after the cleanup instead of inside Readability. Readability reads class and id only to score and to drop
 * unlikely candidates, before it would clean them, so keeping them changes none of its choices (a test holds it to
 * that over real pages).
 */
export function dropClasses(root: Element, except: ReadonlySet<Element> = new Set()): void {
  if (!except.has(root)) root.removeAttribute("class");
  for (const element of Array.from(root.querySelectorAll("[class]"))) {
    if (!except.has(element)) element.removeAttribute("class");
  }
}

/** The element's classes as the page wrote them (lower-cased). */
export function classesOf(element: Element): string[] {
  return rawClassesOf(element).map((name) => name.toLowerCase());
}

function rawClassesOf(element: Element): string[] {
  const value = element.getAttribute("class");
  if (!value) return [];
  return value.slice(0, MAX_HINT_CHARS).split(/[\t\n\f\r ]+/).filter(Boolean);
}

/**
 * The words of an element's class, id and itemprop: `subMenuContainer` gives sub, menu, container;
 * `article__credit` gives article, credit. Bigrams are included ("sign up", "sr only") so that a phrase can be
 * looked up as one entry. Left out, because they name nothing: generated class names (`css-1dv1kvn`, Medium's
 * `go gp dg ay`), a class of one or two letters on its own, and ids of more than four words, which are made from a
 * heading's text (`cite_ref-The_Economist_print_edition_331`), not chosen by the page's author.
 */
export function hintWords(element: Element): Set<string> {
  const out = new Set<string>();
  const classes = rawClassesOf(element);
  if (!looksGenerated(classes.map((name) => name.toLowerCase()))) {
    for (const name of classes) addWords(out, splitWords(name), 3);
  }
  const id = splitWords((element.getAttribute("id") ?? "").slice(0, MAX_HINT_CHARS));
  if (id.length <= MAX_ID_WORDS) addWords(out, id, 1);
  addWords(out, splitWords((element.getAttribute("itemprop") ?? "").slice(0, MAX_HINT_CHARS)), 1);
  return out;
}

const MAX_ID_WORDS = 4;

/** Words of a name; a part mixing letters and digits (`e1ad`, `a38d2`) is a hash, not a word. */
function splitWords(value: string): string[] {
  return value
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => !(/\d/.test(part) && /[A-Za-z]/.test(part)))
    .join(" ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
}

/** Adds the words and their bigrams; a lone word shorter than `minAlone` letters is no word. */
function addWords(out: Set<string>, words: string[], minAlone: number): void {
  if (words.length === 1 && words[0]!.length < minAlone) return;
  for (let i = 0; i < words.length; i++) {
    out.add(words[i]!);
    if (i + 1 < words.length) out.add(`${words[i]} ${words[i + 1]}`);
  }
}

/** Class lists a CSS-in-JS tool or minifier wrote: mostly short or hashed names. */
function looksGenerated(classes: string[]): boolean {
  if (classes.length === 0) return false;
  const generated = classes.filter((name) => name.length <= 3 || /^(?:css|sc|jsx|emotion|styles?)-[a-z0-9]{4,}$/.test(name) || /\d.*\d/.test(name)).length;
  return classes.length >= 2 && generated * 2 > classes.length;
}
