/**
 * Extract stage: a decoded HTML page and its URL in → the readable article (Readability) and its metadata, with every
 * link and image URL made absolute as a browser would resolve it (<base href> included). Pure: jsdom runs no script
 * and fetches nothing. "No article found" is a result (readerable: false, the whole body kept), not an error; a page
 * jsdom cannot parse even without its CSS throws ParseError. The HTML returned is NOT safe until sanitizeArticle.
 */
import { parseDocument } from "./dom.ts";
import { ParseError, TooLargeError } from "../errors.ts";
import { planImages, type ImagePlan } from "../images/plan.ts";
import { absolutizeUrls } from "./absolutize.ts";
import { cleanArticle } from "./clean.ts";
import { labelCode } from "./code.ts";
import { markEmbeds, traceEmbeds } from "./embeds.ts";
import { dropClasses } from "./hints.ts";
import { keepMath } from "./math.ts";
import { withoutNamedProperties } from "./fast-document.ts";
import { Readability } from "@mozilla/readability";
import { ArchiveReadability } from "./readability.ts";
import { stripCss, stripScriptsAndStyles } from "./strip.ts";
import type { Article } from "../types.ts";
import { MAX_PARSE_CHARS } from "../limits.ts";

/** Markup and its URL → a Document (dom.ts in production; a test may hand in one that fails as jsdom has). */
export type ParseDocument = (html: string, url: string) => Document;

export interface ExtractOptions {
  /**
   * Also plan the article's images (images.ts) on this thread, for images stored at most this wide: the images stage
   * on the main thread then parses no HTML.
   */
  imageMaxWidth?: number | undefined;
}

/**
 * The Article, with its image plan when one was asked for. With a plan, `html` is the plan's: each <img> is a marker
 * comment that only localizeImages, given the plan, turns back into an image.
 */
export interface ExtractedArticle extends Article {
  imagePlan?: ImagePlan;
}

/**
 * Extracts the article from `html`, which came from `url` (the final URL, after redirects). Tries once with the page's
 * CSS (Readability uses inline `display: none` to skip hidden nodes) and, if jsdom or Readability throws, once more
 * with every stylesheet and style attribute removed: jsdom's CSS support is where real pages have broken it.
 */
export function extractArticle(html: string, url: string, options: ExtractOptions = {}, parse: ParseDocument = parseDocument): ExtractedArticle {
  const lean = stripScriptsAndStyles(html);
  // jsdom holds many bytes of memory per byte of markup: this bound keeps one huge page from taking the run's memory.
  // Real articles are far below it once scripts are gone.
  if (lean.length > MAX_PARSE_CHARS) {
    throw new TooLargeError(
      `${url} has ${(lean.length / 1048576).toFixed(1)} MB of HTML even without its scripts and styles, over the ${MAX_PARSE_CHARS / 1048576} MB that is parsed; it is not archived`,
      { url },
    );
  }
  try {
    return extractFrom(lean, url, false, options, parse);
  } catch (firstError) {
    try {
      return extractFrom(stripCss(lean), url, true, options, parse);
    } catch (secondError) {
      const reason = secondError instanceof Error ? secondError.message : String(secondError);
      throw new ParseError(`Could not parse the HTML of ${url}, even with its CSS removed: ${reason}`, {
        url,
        cause: new AggregateError([firstError, secondError]),
      });
    }
  }
}

function extractFrom(html: string, url: string, withoutCss: boolean, options: ExtractOptions, parse: ParseDocument): ExtractedArticle {
  // jsdom's defaults (see dom.ts): no script or handler runs and nothing is fetched, which is this stage's safety
  // model. The document lives in a window shared by the thread's pages; it is garbage once this returns.
  const document = parse(html, url);
  if (withoutCss) {
    for (const element of document.querySelectorAll("style, link")) element.remove();
    for (const element of document.querySelectorAll("[style]")) element.removeAttribute("style");
  }
  // Read before Readability runs: it removes scripts (JSON-LD included) and rewrites the body as it goes.
  const standard = withoutNamedProperties(document);
  const page = readPageMetadata(standard, url);
  // Videos and posts become placeholders Readability keeps, so that each leaves a trace (embeds.ts).
  const embeds = markEmbeds(standard, html);
  // With an image plan asked for, the images stage's DOM work (images.ts planImages) runs here, on the tree Readability
  // leaves, as it is serialized: the main thread then parses no HTML, and the article is not parsed a second time for
  // it. The plan's HTML is the article's HTML with each <img> a marker.
  const serialize = (root: Element): { html: string; imagePlan?: ImagePlan } => {
    traceEmbeds(root, embeds);
    keepMath(root);
    // Classes were kept through Readability for the steps above to read (hints.ts); only a code block's language stays.
    dropClasses(root, labelCode(root));
    absolutizeUrls(root);
    if (options.imageMaxWidth === undefined) return { html: root.innerHTML };
    const imagePlan = planImages(root, url, options.imageMaxWidth);
    return { html: imagePlan.html, imagePlan };
  };
  // The article's container is taken as Readability leaves it and serialized once cleaned, below.
  let root: Element | undefined;
  const parsed = readArticle(
    document,
    (node) => {
      root = node as Element;
      return "";
    },
    { allowedVideoRegex: embeds.allowedVideoRegex },
  );

  if (!parsed || !root) {
    // Readability found no text to build an article from (a gallery, an app shell): keep the page's whole body, so
    // the capture still holds what the reader saw. Readability restores the body it tried, minus scripts and styles.
    const body = document.body ? serialize(document.body) : { html: "" };
    return {
      ...body,
      title: page.title,
      byline: page.byline,
      siteName: page.siteName,
      lang: page.lang,
      dir: page.dir,
      excerpt: page.excerpt,
      publishedTime: page.publishedTime,
      readerable: false,
    };
  }

  const title = nonEmpty(parsed.title) ?? page.title;
  cleanArticle(root, { title });
  const article = serialize(root);
  return {
    title,
    byline: nonEmpty(parsed.byline) ?? page.byline,
    siteName: nonEmpty(parsed.siteName) ?? page.siteName,
    lang: nonEmpty(parsed.lang) ?? page.lang,
    dir: textDirection(parsed.dir) ?? page.dir,
    excerpt: nonEmpty(parsed.excerpt) ?? page.excerpt,
    publishedTime: nonEmpty(parsed.publishedTime) ?? page.publishedTime,
    ...article,
    readerable: true,
  };
}

/**
 * Readability over a parsed page, as the archiver runs it: on the document without named-property walks
 * (fast-document.ts), with the cheaper checks (readability.ts). `fastPaths: false` runs plain Readability on the plain
 * document: the oracle test/integration/readability-same.test.ts holds this path to, answer for answer.
 */
export function readArticle(
  document: Document,
  serializer: (node: Node) => string,
  { fastPaths = true, allowedVideoRegex }: { fastPaths?: boolean; allowedVideoRegex?: RegExp } = {},
) {
  // keepClasses: the cleanup after Readability reads them, and dropClasses removes them then (hints.ts).
  const options = { serializer, keepClasses: true, ...(allowedVideoRegex ? { allowedVideoRegex } : {}) };
  return fastPaths ? new ArchiveReadability(withoutNamedProperties(document), options).parse() : new Readability(document, options).parse();
}

/** The page's own metadata: an Article's fields without its body. */
type PageMetadata = Omit<Article, "html" | "readerable">;

/** What the page says about itself in <head> and a few well-known places: the fallbacks for Readability's fields. */
function readPageMetadata(document: Document, url: string): PageMetadata {
  // One pass over the <meta> elements instead of a querySelector (a walk of the whole tree) per field: on real pages
  // that was a tenth of extraction. Same answers: the first <meta> with the attribute value, then its content.
  const metas = Array.from(document.getElementsByTagName("meta"));
  const find = (attribute: string, value: string, ignoreCase = false) =>
    metas.find((element) => {
      const actual = element.getAttribute(attribute);
      return actual !== null && (ignoreCase ? actual.toLowerCase() === value : actual === value);
    });
  const meta = (attribute: string, value: string, ignoreCase = false) => nonEmpty(find(attribute, value, ignoreCase)?.getAttribute("content"));
  const root = document.documentElement;
  return {
    title:
      meta("property", "og:title") ??
      meta("name", "twitter:title") ??
      nonEmpty(document.title) ??
      nonEmpty(document.querySelector("h1")?.textContent) ??
      url,
    byline: meta("name", "author") ?? meta("property", "article:author"),
    siteName: meta("property", "og:site_name"),
    lang: nonEmpty(root.getAttribute("lang")) ?? meta("http-equiv", "content-language", true),
    dir: textDirection(root.getAttribute("dir")) ?? textDirection(document.body?.getAttribute("dir")),
    excerpt: meta("property", "og:description") ?? meta("name", "description"),
    publishedTime:
      meta("property", "article:published_time") ??
      meta("itemprop", "datePublished") ??
      nonEmpty(document.querySelector("time[datetime]")?.getAttribute("datetime")),
  };
}

/**
 * Trimmed, with runs of ASCII whitespace (line breaks and indentation from the markup) collapsed to one space; other
 * spaces are content (a no-break space before French punctuation, an ideographic space in a Japanese title).
 */
function nonEmpty(value: string | null | undefined): string | undefined {
  const trimmed = value?.replace(/[\t\n\f\r ]+/g, " ").replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "");
  return trimmed ? trimmed : undefined;
}

function textDirection(value: string | null | undefined): "ltr" | "rtl" | undefined {
  const dir = value?.trim().toLowerCase();
  return dir === "ltr" || dir === "rtl" ? dir : undefined;
}
