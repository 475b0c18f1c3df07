/**
 * Cleanup stage: the article Readability returns (its container, classes kept) in → the same tree
 * without the boilerplate Readability keeps: navigation, share, "related" and newsletter boxes, author boxes, app and
 * follow prompts, bylines and datelines (the capture's front matter holds them), image credits, UI labels. Mutates
 * `root`; pure DOM work; never throws. Nothing holding media, code, math or a quotation is removed.
 */
import { classesOf, hintWords } from "./hints.ts";

export interface CleanContext {
  /** The article's title: a copy of it at the head of the body repeats the capture page's own heading. */
  title: string;
  /** Told of each element removed and the rule that removed it (for the quality bench and tests). */
  onRemove?: (element: Element, rule: CleanRule) => void;
}

/** Why an element was removed. */
export type CleanRule = "box" | "hidden" | "related" | "ui" | "credit" | "prompt" | "dateline" | "byline" | "title" | "links";

/** Class or id words of boxes that are not the article: a box so named is removed whole. */
const BOILERPLATE_WORDS = new Set([
  // navigation
  "nav", "navbar", "navigation", "topnav", "subnav", "menu", "menubar", "breadcrumb", "breadcrumbs", "pagination",
  "pager", "skip", "toolbar",
  // sharing and following
  "share", "sharing", "sharebar", "sharetools", "social", "socials",
  // more to read
  "related", "recommended", "recommendations", "recirc", "recirculation", "trending", "most read", "more stories",
  "read next", "up next", "outbrain", "taboola",
  // asking for something
  "newsletter", "newsletters", "subscribe", "subscription", "signup", "sign up", "optin", "cta", "promo", "sponsor",
  "sponsored", "advert", "advertisement", "advertising", "ad", "ads", "adslot", "cookie", "gdpr", "consent", "paywall",
  // about the page, not the article
  "comment", "comments", "disqus", "byline", "timestamp", "author", "bio", "biography", "copyright", "footer",
  "sidebar", "rail", "tags", "print",
]); // prettier-ignore

/**
 * Overlays a stylesheet keeps hidden until hovered or opened: the only boxes removed from inside a sentence (The
 * Hill's people cards sit inside the link to the person's name).
 */
const OVERLAY_WORDS = new Set(["rollover", "tooltip", "popover", "popup", "modal"]);

/** ARIA roles of the page's own furniture (a role="banner" is the site's header; a class "banner" may be a photo). */
const BOILERPLATE_ROLES = new Set([
  "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "toolbar", "dialog", "alertdialog",
]); // prettier-ignore

/** Class words of an image credit: trusted on short boxes only (see boxRule). */
const CREDIT_WORDS = new Set(["credit", "credits", "attribution", "copyright"]);
const MAX_CREDIT = 100;
const FIGURE_TAGS = new Set(["img", "picture", "figure"]);
const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);

/** Classes that hide an element on screen (Bootstrap, Tailwind, WordPress, Drupal and the like). */
const HIDDEN_CLASSES = new Set([
  "hidden", "hide", "is-hidden", "u-hidden", "invisible", "sr-only", "screen-reader-only", "screen-reader-text",
  "visually-hidden", "visuallyhidden", "element-invisible", "element-hidden", "off-screen", "offscreen", "print-only",
  "visible-print", "show-for-print", "d-none",
]); // prettier-ignore
/** A responsive display class (`d-md-block`, `md:flex`) undoes `d-none`/`hidden` above a breakpoint. */
const RESPONSIVE_DISPLAY = /^(?:d-(?:sm|md|lg|xl|xxl)-|(?:sm|md|lg|xl|2xl):)(?:block|flex|inline|inline-block|grid|table)$/;

/** Elements whose content is the article's by nature: never removed, nor anything around them. */
const KEPT_TAGS = new Set(["iframe", "video", "audio", "object", "embed", "pre", "code", "math", "svg", "blockquote", "table"]);
const MEDIA_TAGS = new Set(["img", "picture", "svg", "canvas", ...KEPT_TAGS]);
const BLOCK_TAGS = new Set([
  "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption", "figure", "footer",
  "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "section", "summary", "ul",
]); // prettier-ignore

/** A box is removed for its class only when it holds at most this share of the article's text. */
const MAX_BOX_SHARE = 0.25;
/** At most this share of the article's text is removed, or nothing is. */
const MAX_REMOVED_SHARE = 0.5;
/** Lines longer than this (characters other than spaces) are prose, whatever they say. */
const MAX_LINE = 300;
/** A paragraph of at least this many characters (other than spaces), mostly not links, is the article's prose. */
const PROSE_MIN = 120;
const PROSE_MAX_LINKS = 0.3;
/** Share of a block's text in links from which it is a list of links. */
const LINK_LIST_MIN = 0.8;
/** A line of text: at least this many characters (other than spaces), less than half of them links. */
const TEXT_MIN = 30;
const TEXT_TAGS = new Set(["p", "li", "dd", "dt", "td", "th", "blockquote", "figcaption", "h2", "h3", "h4", "h5", "h6"]);
/** Inline elements looked through, upwards, to find the block a line stands in. */
const MAX_INLINE_LEVELS = 8;
/**
 * The line rules read an element's text and links, which costs its whole subtree: they look only at lines of at most
 * this many elements, so that however deep a page nests, the cleanup stays linear in its size.
 */
const MAX_LINE_ELEMENTS = 100;

/** Text that is a control or a label of the page, not of the article, when it stands alone on its line. */
const UI_LINES = new Set([
  "advertisement", "advert", "ad", "ads", "sponsored", "sponsored content", "continue reading", "continue reading below",
  "story continues below", "article continues below", "skip to content", "skip to main content", "sign in", "log in",
  "subscribe", "subscribe now", "share", "share this", "share this article", "share this story", "tweet", "email",
  "print", "comments", "comment", "leave a comment", "close", "caption", "image", "expand", "enlarge",
  "this slideshow requires javascript", "view gallery", "loading", "back to top", "menu", "search", "breaking news",
  "tell us what you think", "follow us", "about the author", "about the authors", "image copyright", "image caption",
  "media caption", "getty images",
]); // prettier-ignore

/** A label that introduces links to other articles: it and the link lists after it go. */
const RELATED_LABEL =
  /^(?:related(?: (?:articles?|stories|news|posts|content|coverage|reading|links|topics))?|more(?: (?:stories|news|from [^:]{1,40}|on this(?: story)?|to read))?|see more|read more|see also|also read|read next|up next|don'?t miss|recommended(?: for you)?|most (?:popular|read|viewed)|trending(?: now)?|latest(?: news| stories)?|top stories|you (?:may|might) (?:also )?like)\b[\s.:…-]*$/i;
/** The same words opening a line whose rest is one or more links: "Related: <a>Another story</a>". */
const RELATED_PREFIX =
  /^(?:related|more|see more|read more|see also|also read|read next|don'?t miss|watch|listen|recommended)(?: (?:articles?|stories|coverage|content))?\s*[:|-]/i;

/** An image credit, alone on its line. */
const CREDIT =
  /^\(?\s*(?:(?:photo|image|picture|photograph|illustration|graphic|video|footage)s?(?: (?:credit|courtesy|by|copyright))?|credits?|courtesy(?: of)?|source|copyright|©)\s*(?:[:©|/]|by\b)/i;
const AGENCY = /getty images|shutterstock|\bap photo\b|associated press|\breuters\b|\bafp\b|\bepa\b|istock/i;

/** Asking the reader to follow, subscribe, download or click: a prompt of the site, not the article's text. */
const PROMPT =
  /\bfollow (?:us|him|her|them|@?[\w.]{1,30}(?: [\w.]{1,30})?) on (?:twitter|facebook|instagram|linkedin|tiktok|youtube)\b|\b(?:sign up|subscribe) (?:to|for) (?:our|the|my)\b[^.]{0,80}\bnewsletters?\b|\bnewsletters?\b[^.]{0,40}\binbox\b|^(?:click here to )?(?:get|download) (?:the|our) [^.]{1,40} app\b|\bsubject to copyright\b|\ball rights reserved\b/i;

const MONTH = "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
const WEEKDAY = "mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?";
/**
 * What makes a line a dateline rather than a date in the story ("29 November 2018 | 20 January 2019", an event's
 * dates): a word datelines use, or a time of day.
 */
const DATELINE_CUE = /\b(?:updated|posted|published|modified|ago)\b|\b\d{1,2}:\d{2}\b/i;
/** A date or a time: a month's name, a year, 11/18/19, 10:07, 2019-11-20, "3 days ago". */
const DATE_OR_TIME = new RegExp(
  `\\b(?:${MONTH})\\b|\\b(?:19|20)\\d{2}\\b|\\b\\d{1,2}[:/.]\\d{2}\\b|\\b\\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?) ago\\b`,
  "i",
);
/** The words a dateline is made of, removed to see what is left. */
const DATELINE_WORDS = new RegExp(
  `\\b(?:${MONTH}|${WEEKDAY}|updated|update|posted|published|publication|last|modified|edited|on|at|am|pm|a\\.m|p\\.m|est|edt|cst|cdt|mst|mdt|pst|pdt|gmt|bst|cet|utc|ist|\\d+(?:st|nd|rd|th)?|ago|seconds?|minutes?|hours?|days?|weeks?|months?|years?|today|yesterday|date|time|read|reading|min|mins)\\b`,
  "gi",
);

interface Box {
  /** Characters other than whitespace, and those of them inside links. */
  text: number;
  link: number;
  /** Holds an element of KEPT_TAGS (or is one). */
  kept: boolean;
  /** Holds an image or other media (or is one). */
  media: boolean;
  /** Pre-order index of the element, and the last index inside it. */
  start: number;
  end: number;
}

/** Removes boilerplate from `root` (see the module comment); returns how many elements were removed. */
export function cleanArticle(root: Element, context: CleanContext): number {
  const { boxes, order } = measure(root);
  const rootBox = boxes.get(root)!;
  if (rootBox.text === 0) return 0;

  // The article's prose runs from its first long paragraph to its last: what stands before or after it is where
  // pages put bylines and dates. Lists of other articles stand after its last line of text of any length (a shopping
  // guide's product lists sit between short paragraphs and are its content; a list before the text is more often a
  // table of contents or the highlights than a menu, and menus say what they are in their class).
  const prose = extent(order, boxes, (element, box) =>
    element.localName === "p" && box.text >= PROSE_MIN && box.link <= box.text * PROSE_MAX_LINKS,
  );
  const text = extent(order, boxes, (element, box) =>
    TEXT_TAGS.has(element.localName) && box.text >= TEXT_MIN && box.link < box.text * 0.5,
  );
  const title = normalize(context.title);

  const removals: Array<[Element, CleanRule]> = [];
  const queued = new Set<Element>();
  let skipUntil = 0;
  for (const element of order) {
    const box = boxes.get(element)!;
    if (box.start <= skipUntil) continue;
    if (KEPT_TAGS.has(element.localName)) {
      // Code, formulas, quotations, tables and media are the article's, inside as well: a span of class "comment"
      // in a code block is the code's comment.
      skipUntil = box.end;
      continue;
    }
    let rule: CleanRule | undefined = queued.has(element) ? "related" : undefined;
    if (!rule && !box.kept) {
      rule = boxRule(element, box, box.text / rootBox.text, boxes);
      const small = box.end - box.start < MAX_LINE_ELEMENTS && box.text > 0 && box.text <= MAX_LINE;
      if (!rule && small && !box.media && standsAlone(element)) {
        const line = normalize(element.textContent ?? "");
        const links = box.text > 0 ? box.link / box.text : 0;
        if (RELATED_LABEL.test(line) || (links >= 0.5 && RELATED_PREFIX.test(line))) {
          rule = "related";
          for (const next of linkListsAfter(element, boxes)) queued.add(next);
        } else {
          const edge = prose.before(box) || prose.after(box);
          rule = lineRule(line, edge, title, () => text.after(box) && isLinkList(element, box));
        }
      }
    }
    if (rule) {
      removals.push([element, rule]);
      skipUntil = box.end;
    }
  }
  // Rules that would take most of the article have misread the page: keep it as Readability returned it.
  const removed = removals.reduce((sum, [element]) => sum + boxes.get(element)!.text, 0);
  if (removed > rootBox.text * MAX_REMOVED_SHARE) return 0;
  for (const [element, rule] of removals) {
    context.onRemove?.(element, rule);
    element.remove();
  }
  return removals.length;
}

/** Whether the element's class, id or role says it is boilerplate or hidden, and it is small enough to believe it. */
function boxRule(element: Element, box: Box, share: number, boxes: Map<Element, Box>): CleanRule | undefined {
  // An image or figure is what the reader saw, whatever its class says ("block-image-ads hero-image"); a heading is
  // a line of the article, and its id is often made from its own words.
  if (share > MAX_BOX_SHARE || FIGURE_TAGS.has(element.localName) || insideHeading(element)) return undefined;
  const classes = classesOf(element);
  if (classes.some((name) => HIDDEN_CLASSES.has(name)) && !classes.some((name) => RESPONSIVE_DISPLAY.test(name))) return "hidden";
  // Inside a paragraph of prose, a class like "author" or "tag" marks words of the sentence, not a box around them.
  const inText =
    !BLOCK_TAGS.has(element.localName) && !standsAlone(element) && (blockAround(element, boxes)?.text ?? 0) >= PROSE_MIN;
  if (!inText) {
    if (element.localName === "nav") return "box";
    const roles = (element.getAttribute("role") ?? "").toLowerCase().split(/\s+/);
    if (roles.some((role) => BOILERPLATE_ROLES.has(role))) return "box";
  }
  for (const word of hintWords(element)) {
    if (OVERLAY_WORDS.has(word) || (!inText && BOILERPLATE_WORDS.has(word))) return "box";
    // A credit box is the credit alone; a caption that names its credit is the caption.
    if (CREDIT_WORDS.has(word) && element.localName !== "figcaption" && box.text <= MAX_CREDIT) return "credit";
  }
  return undefined;
}

interface Extent {
  before(box: Box): boolean;
  after(box: Box): boolean;
}

/**
 * The first and last pre-order index of the elements `is` picks, and whether a box lies wholly before or after them.
 * Where none is picked there is no before or after: rules by position then keep everything.
 */
function extent(order: Element[], boxes: Map<Element, Box>, is: (element: Element, box: Box) => boolean): Extent {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const element of order) {
    const box = boxes.get(element)!;
    if (!is(element, box)) continue;
    start = Math.min(start, box.start);
    end = Math.max(end, box.end);
  }
  return { before: (box) => end >= 0 && box.end < start, after: (box) => end >= 0 && box.start > end };
}

/** The box of the nearest block around an inline element, a few levels up. */
function blockAround(element: Element, boxes: Map<Element, Box>): Box | undefined {
  let current = element.parentElement;
  for (let level = 0; current && level < MAX_INLINE_LEVELS; level++) {
    if (BLOCK_TAGS.has(current.localName)) return boxes.get(current);
    current = current.parentElement;
  }
  return undefined;
}

function insideHeading(element: Element): boolean {
  let current: Element | null = element;
  for (let level = 0; current && level < MAX_INLINE_LEVELS; level++) {
    if (HEADINGS.has(current.localName)) return true;
    if (BLOCK_TAGS.has(current.localName)) return false;
    current = current.parentElement;
  }
  return false;
}

/** The rule a line of text (a block standing alone, short) falls under, if any. */
function lineRule(text: string, outsideProse: boolean, title: string, isLinks: () => boolean): CleanRule | undefined {
  if (UI_LINES.has(text.toLowerCase().replace(/[.:…!]+$/, ""))) return "ui";
  if (isCredit(text)) return "credit";
  if (PROMPT.test(text)) return "prompt";
  if (!outsideProse) return undefined;
  if (isDateline(text)) return "dateline";
  if (isByline(text)) return "byline";
  if (title !== "" && text === title) return "title";
  return isLinks() ? "links" : undefined;
}

/**
 * A block, or an inline element with nothing but blocks, images or line breaks beside it (and the same for the inline
 * elements around it, a few levels up): a line of its own, not a word inside a sentence.
 */
function standsAlone(element: Element): boolean {
  const beside = (node: Node | null, step: (n: Node) => Node | null): boolean => {
    while (node && node.nodeType === 3 && !/\S/.test((node as Text).data)) node = step(node);
    if (!node) return true;
    if (node.nodeType !== 1) return false;
    const name = (node as Element).localName;
    return BLOCK_TAGS.has(name) || MEDIA_TAGS.has(name) || name === "br";
  };
  let current: Element | null = element;
  for (let level = 0; current && level < MAX_INLINE_LEVELS; level++) {
    if (BLOCK_TAGS.has(current.localName)) return true;
    const alone = beside(current.previousSibling, (n) => n.previousSibling) && beside(current.nextSibling, (n) => n.nextSibling);
    if (!alone) return false;
    current = current.parentElement;
  }
  return false;
}

/** Following siblings that are lists of links (and the element after them, while they are), up to a few. */
function linkListsAfter(label: Element, boxes: Map<Element, Box>): Element[] {
  const out: Element[] = [];
  let next = label.nextElementSibling;
  // A label heading may sit alone in a wrapper whose next sibling is the list.
  if (!next && label.parentElement && label.parentElement.children.length === 1) next = label.parentElement.nextElementSibling;
  while (next && out.length < 20) {
    const box = boxes.get(next);
    if (!box || box.kept || !isLinkList(next, box)) break;
    out.push(next);
    next = next.nextElementSibling;
  }
  return out;
}

/** Mostly links, and links to other pages by their titles (a link whose text is its URL is a cited source). */
function isLinkList(element: Element, box: Box): boolean {
  if (box.text === 0 || box.link < box.text * LINK_LIST_MIN) return false;
  const links = element.localName === "a" ? [element] : Array.from(element.getElementsByTagName("a"));
  if (links.length === 0) return false;
  return links.every((link) => !/^\s*(?:https?:\/\/|www\.)\S*\s*$/i.test(link.textContent ?? ""));
}

function isCredit(text: string): boolean {
  if (text.length > MAX_CREDIT) return false;
  if (CREDIT.test(text)) return true;
  // "Alex Wong | Getty Images", "Natalie Naccache | Bloomberg | Getty Images": only names and agencies. A caption
  // that ends with its credit ("WeWork chairman Marcelo Claure (Credit: Getty Images)") is a caption.
  if (!AGENCY.test(text)) return false;
  const words = text.replace(/[^\p{L}\p{N}&]+/gu, " ").trim().split(" ");
  return words.length <= 8 && words.every((word) => /^[\p{Lu}\p{N}&]/u.test(word));
}

/** Only a date or time, with the words datelines use ("Updated", "Posted", "Published 1 day ago", "5 min read"). */
function isDateline(text: string): boolean {
  if (text.length > 120 || !DATELINE_CUE.test(text) || !DATE_OR_TIME.test(text)) return false;
  const rest = text.replace(DATELINE_WORDS, " ").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  // What may be left: the source or a name ("CBS News", "smithsonian.com"), at most three words.
  return rest === "" || rest.split(" ").length <= 3;
}

/**
 * "By Ada Lovelace", "by Regan September 15, 2014", "By A. Writer, B. Writer and C. Writer - 11/18/19 11:04 PM EST":
 * "By", then only capitalized names, joiners and a date.
 */
function isByline(text: string): boolean {
  if (text.length > 150 || !/^by\s/i.test(text)) return false;
  const words = text.slice(3).replace(DATELINE_WORDS, " ").replace(/[^\p{L}\p{N}.'’&-]+/gu, " ").trim().split(" ");
  return words.length <= 10 && /^\p{Lu}/u.test(words[0] ?? "") && words.every((word) => /^(?:\p{Lu}|and$|&$|-$)/u.test(word));
}

function normalize(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * One pass over the tree (an explicit stack: a hostile page may nest deeper than the call stack): each element's
 * text and link text, whether it holds kept or media elements, and its place in document order.
 */
function measure(root: Element): { boxes: Map<Element, Box>; order: Element[] } {
  const boxes = new Map<Element, Box>();
  const order: Element[] = [];
  const stack: Array<{ element: Element; exit: boolean }> = [{ element: root, exit: false }];
  while (stack.length > 0) {
    const { element, exit } = stack.pop()!;
    if (!exit) {
      const name = element.localName;
      const start = order.length;
      const box: Box = { text: 0, link: 0, kept: KEPT_TAGS.has(name), media: MEDIA_TAGS.has(name), start, end: start };
      boxes.set(element, box);
      order.push(element);
      stack.push({ element, exit: true });
      for (let child = element.lastChild; child; child = child.previousSibling) {
        if (child.nodeType === 1) stack.push({ element: child as Element, exit: false });
        else if (child.nodeType === 3) box.text += nonSpace((child as Text).data);
      }
      continue;
    }
    const box = boxes.get(element)!;
    for (let child = element.firstElementChild; child; child = child.nextElementSibling) {
      const inner = boxes.get(child)!;
      box.text += inner.text;
      box.link += inner.link;
      box.kept ||= inner.kept;
      box.media ||= inner.media;
      box.end = Math.max(box.end, inner.end);
    }
    if (element.localName === "a") box.link = box.text;
  }
  return { boxes, order };
}

function nonSpace(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13 && c !== 12 && c !== 160) count++;
  }
  return count;
}
