/**
 * A blog's own feed, RSS 2.0 (https://www.rssboard.org/rss-specification), RSS 1.0 or Atom (RFC 4287), for its
 * outbound links: every link in each item's content (description, content:encoded, Atom content or summary, whose
 * text is escaped HTML or, for type="xhtml", markup in the feed itself). Relative links resolve against the item's
 * link; the blog's own host names (the channel's link, each item's link, the feed's own address) are reported as
 * ownHosts so links into the blog are not imported. An item's categories become the tags of its links, a link's text
 * its title. Named by the item's line.
 */
import { extractLinks, type FoundLink } from "../html-links.ts";
import { lineFinder, oneLine, scanMarkup } from "../markup.ts";
import type { ImportFormat } from "../types.ts";
import { Collector, text } from "./common.ts";

const ITEMS = new Set(["item", "entry"]);
const CONTENTS = new Set(["description", "content:encoded", "content", "summary"]);
const COLLECTED = new Set(["link", "category", "dc:subject", ...CONTENTS]);
/** Characters kept of one element's text: far beyond any post, short of a hostile feed's whole size. */
const MAX_FIELD = 4 * 1024 * 1024;
const MAX_DEPTH = 256;

interface Item {
  line: number;
  link?: string;
  categories: string[];
  contents: string[];
  /** Links written as markup inside an Atom content of type xhtml. */
  markupLinks: FoundLink[];
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).hostname : undefined;
  } catch {
    return undefined;
  }
}

export const feed: ImportFormat = {
  name: "feed",
  label: "RSS/Atom feed",
  detect: ({ head }) => /<(rss|feed|rdf:rdf)[\s>]/i.test(head),
  parse(source, context) {
    const collector = new Collector(context);
    const lineOf = lineFinder(source.text);
    const path: string[] = [];
    const ownHosts = new Set<string>();
    let item: Item | undefined;
    let field: { name: string; text: string; xhtml: boolean } | undefined;
    let markupLink: FoundLink | undefined;
    let items = 0;
    const own = (url: string | undefined) => {
      const host = hostOf(url);
      if (host) ownHosts.add(host);
    };
    own(source.url);

    const finishItem = (done: Item) => {
      items++;
      const base = done.link ?? source.url;
      const links = [...done.contents.flatMap((html) => extractLinks(html, base)), ...done.markupLinks];
      for (const link of links) {
        if (collector.full) return;
        collector.add({ url: link.url, ...(link.text ? { title: link.text } : {}), tags: done.categories, where: `${source.name}:${done.line}` });
      }
    };

    scanMarkup(source.text, { xml: true }, {
      open(name, attributes, at) {
        const parent = path.at(-1);
        if (path.length < MAX_DEPTH) path.push(name);
        if (ITEMS.has(name)) {
          item = { line: lineOf(at), categories: [], contents: [], markupLinks: [] };
          return;
        }
        if (field?.xhtml) {
          // Inside <content type="xhtml">: the post's own markup, read as elements.
          if ((name === "a" || name.endsWith(":a")) && attributes.href) {
            const url = resolve(attributes.href, item?.link ?? source.url);
            markupLink = url ? { url, text: "", line: lineOf(at) } : undefined;
          }
          return;
        }
        if (name === "link" && attributes.href !== undefined) {
          // Atom: <link href rel="alternate"> is the page of the feed or of the entry.
          const rel = attributes.rel ?? "alternate";
          if (rel === "alternate") {
            if (item && parent && ITEMS.has(parent)) item.link ??= text(attributes.href);
            else own(attributes.href);
          }
          return;
        }
        if (name === "category" && attributes.term !== undefined) {
          if (item && text(attributes.term)) item.categories.push(attributes.term.trim());
          return;
        }
        if (COLLECTED.has(name) && parent !== undefined && (ITEMS.has(parent) || parent === "channel")) {
          field = { name, text: "", xhtml: CONTENTS.has(name) && attributes.type === "xhtml" };
        }
      },
      close(name) {
        if (path.at(-1) === name) path.pop();
        if (field?.xhtml && name !== field.name) {
          if ((name === "a" || name.endsWith(":a")) && markupLink && item) {
            item.markupLinks.push({ ...markupLink, text: oneLine(markupLink.text) });
            markupLink = undefined;
          }
          return;
        }
        if (field && name === field.name) {
          const value = field.text;
          if (item) {
            if (name === "link") item.link ??= text(value);
            else if (name === "category" || name === "dc:subject") {
              if (text(value)) item.categories.push(value.trim());
            } else if (CONTENTS.has(name) && !field.xhtml) item.contents.push(value);
          } else if (name === "link") {
            own(text(value));
          }
          field = undefined;
          return;
        }
        if (ITEMS.has(name) && item) {
          own(item.link);
          finishItem(item);
          item = undefined;
        }
      },
      text(value) {
        if (markupLink && markupLink.text.length < 2000) markupLink.text += value;
        if (field && !field.xhtml && field.text.length < MAX_FIELD) field.text += value;
      },
    });
    return { ...collector.result, ownHosts: [...ownHosts], read: `${items} ${items === 1 ? "item" : "items"}` };
  },
};

function resolve(href: string, base: string | undefined): string | undefined {
  const written = href.trim();
  if (/^https?:\/\//i.test(written)) return written;
  try {
    const url = base ? new URL(written, base) : undefined;
    return url && (url.protocol === "http:" || url.protocol === "https:") ? url.href : undefined;
  } catch {
    return undefined;
  }
}
