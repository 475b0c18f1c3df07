/**
 * A blog's sitemap (https://www.sitemaps.org/protocol.html), for the outbound links of its pages: <urlset><url><loc>
 * lists the pages, <sitemapindex><sitemap><loc> lists further sitemaps (followed two levels deep, at most
 * MAX_SITEMAPS of them). Each page is fetched through the archiver's guarded fetcher (the SSRF guard, timeouts and
 * byte caps of `npm run archive`), at most --max-pages of them, and its links read like a post's (html-links.ts:
 * the <article> or <main>, never <nav>). A link on nearly every page (at least 3 pages and 80% of them) is the
 * theme's, not a citation, and is dropped. The pages' hosts are the blog's own. A page that cannot be fetched is
 * reported by its URL and the rest are read.
 */
import pLimit from "p-limit";
import { extractLinks } from "../html-links.ts";
import { lineFinder, scanMarkup } from "../markup.ts";
import type { ImportEntry, ImportFormat, ParseContext, SourceText } from "../types.ts";
import { Collector, text } from "./common.ts";

const MAX_SITEMAPS = 50;
const MAX_INDEX_DEPTH = 2;
const PAGES_AT_ONCE = 4;
const SITEMAP_ACCEPT = "application/xml, text/xml;q=0.9, */*;q=0.5";
const PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";

interface SitemapList {
  kind: "pages" | "sitemaps";
  locs: Array<{ url: string; line: number }>;
}

function readSitemap(source: SourceText): SitemapList {
  const lineOf = lineFinder(source.text);
  const list: SitemapList = { kind: "pages", locs: [] };
  let loc: { text: string; line: number } | undefined;
  scanMarkup(source.text, { xml: true }, {
    open(name, _attributes, at) {
      if (name === "sitemapindex") list.kind = "sitemaps";
      if (name === "loc") loc = { text: "", line: lineOf(at) };
    },
    close(name) {
      if (name === "loc" && loc) {
        const url = text(loc.text);
        if (url) list.locs.push({ url, line: loc.line });
        loc = undefined;
      }
    },
    text(value) {
      if (loc && loc.text.length < 8192) loc.text += value;
    },
  });
  return list;
}

export const sitemap: ImportFormat = {
  name: "sitemap",
  label: "sitemap",
  detect: ({ head }) => /<(urlset|sitemapindex)[\s>]/i.test(head),
  async parse(source, context) {
    const collector = new Collector(context);
    const pages: Array<{ url: string; where: string }> = [];
    let sitemaps = 0;
    const visit = async (current: SourceText, depth: number) => {
      sitemaps++;
      const list = readSitemap(current);
      if (list.kind === "pages") {
        for (const loc of list.locs) pages.push({ url: loc.url, where: `${current.name}:${loc.line}` });
        return;
      }
      for (const loc of list.locs) {
        const where = `${current.name}:${loc.line}`;
        if (depth >= MAX_INDEX_DEPTH || sitemaps >= MAX_SITEMAPS) {
          collector.problem(where, `sitemap ${loc.url} not read: at most ${MAX_SITEMAPS} sitemaps, ${MAX_INDEX_DEPTH} levels of index, are followed`);
          continue;
        }
        const nested = await fetchOr(context, loc.url, SITEMAP_ACCEPT, (reason) => collector.problem(where, `sitemap ${loc.url} could not be read: ${reason}`));
        if (nested) await visit(nested, depth + 1);
      }
    };
    await visit(source, 0);

    const ownHosts = new Set(pages.flatMap((page) => hostOf(page.url) ?? []));
    if (pages.length > context.maxPages) {
      collector.problem(source.name, `lists ${pages.length} pages; only the first ${context.maxPages} were read (raise --max-pages to read more)`);
    }
    const chosen = pages.slice(0, context.maxPages);
    const limit = pLimit(PAGES_AT_ONCE);
    const perPage = await Promise.all(
      chosen.map((page) =>
        limit(async () => {
          if (context.signal.aborted) return undefined;
          const fetched = await fetchOr(context, page.url, PAGE_ACCEPT, (reason) => collector.problem(page.where, `page ${page.url} could not be read: ${reason}`));
          return fetched ? extractLinks(fetched.text, fetched.url ?? page.url).map((link) => ({ ...link, page: page.url })) : undefined;
        }),
      ),
    );
    // How many of the pages read each address appears on: a theme's links are on all of them.
    const read = perPage.filter((links) => links !== undefined);
    const pagesWith = new Map<string, number>();
    for (const links of read) for (const url of new Set(links.map((link) => link.url))) pagesWith.set(url, (pagesWith.get(url) ?? 0) + 1);
    const everywhere = (url: string) => read.length >= 3 && pagesWith.get(url)! >= Math.max(3, 0.8 * read.length);
    const entries: ImportEntry[] = read.flat().filter((link) => !everywhere(link.url)).map((link) => ({ url: link.url, ...(link.text ? { title: link.text } : {}), tags: [], where: `${link.page}:${link.line}` }));
    for (const entry of entries) if (!collector.add(entry)) break;
    return { ...collector.result, ownHosts: [...ownHosts], read: `${sitemaps} ${sitemaps === 1 ? "sitemap" : "sitemaps"}, ${chosen.length} ${chosen.length === 1 ? "page" : "pages"}` };
  },
};

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

async function fetchOr(context: ParseContext, url: string, accept: string, report: (reason: string) => void): Promise<SourceText | undefined> {
  if (!context.fetchText) {
    report("fetching is not available here");
    return undefined;
  }
  try {
    return await context.fetchText(url, accept);
  } catch (error) {
    report((error as Error).message);
    return undefined;
  }
}
