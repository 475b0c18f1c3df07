/**
 * OPML (http://opml.org/spec2.opml), the outline format feed readers export subscriptions in and link lists use:
 * <outline text title type="link" url="…"> for a link, <outline type="rss" xmlUrl="…" htmlUrl="…"> for a feed (its
 * site, htmlUrl, is imported, or the feed itself when it names no site). Outlines without an address are folders:
 * their names become tags of what they hold, as does a category attribute ("/Tech/Web" → tech, web). Named by line.
 */
import { lineFinder, scanMarkup } from "../markup.ts";
import type { ImportFormat } from "../types.ts";
import { Collector, splitList, text } from "./common.ts";

const MAX_DEPTH = 64;

export const opml: ImportFormat = {
  name: "opml",
  label: "OPML outline",
  detect: ({ head }) => /<opml[\s>]/i.test(head),
  parse(source, context) {
    const collector = new Collector(context);
    const lineOf = lineFinder(source.text);
    // One frame per open <outline>: the folder name it contributes, if it is a folder.
    const stack: Array<string | undefined> = [];
    scanMarkup(source.text, { xml: true }, {
      open(name, attributes, at) {
        if (name !== "outline") return;
        const url = text(attributes.url) ?? text(attributes.htmlurl) ?? text(attributes.xmlurl);
        const label = text(attributes.title) ?? text(attributes.text);
        if (!url) {
          stack.push(stack.length < MAX_DEPTH ? label : undefined);
          return;
        }
        stack.push(undefined);
        if (collector.full) return;
        const folders = stack.filter((folder): folder is string => folder !== undefined);
        collector.add({ url, ...(label ? { title: label } : {}), tags: [...folders, ...splitList(attributes.category, /[,/]/)], where: `${source.name}:${lineOf(at)}` });
      },
      close(name) {
        if (name === "outline") stack.pop();
      },
    });
    return collector.result;
  },
};
