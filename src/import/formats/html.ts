/**
 * A blog post as an HTML file (or an HTML page fetched by URL): its outbound links, those of its <article> or <main>
 * when it has one and never those of its <nav> (html-links.ts), each link's text its title. Relative links point into
 * the blog and are dropped unless the page came from a URL. Named by file and line.
 */
import { extractLinks } from "../html-links.ts";
import type { ImportFormat } from "../types.ts";
import { Collector } from "./common.ts";

export const html: ImportFormat = {
  name: "html",
  label: "HTML page",
  detect: ({ head, name }) => /\.x?html?$/i.test(name) || /<(!doctype html|html|body|article)[\s>]/i.test(head),
  parse(source, context) {
    const collector = new Collector(context);
    for (const link of extractLinks(source.text, source.url)) {
      if (!collector.add({ url: link.url, ...(link.text ? { title: link.text } : {}), tags: [], where: `${source.name}:${link.line}` })) break;
    }
    return collector.result;
  },
};
