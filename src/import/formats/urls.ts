/**
 * A plain list of URLs, one a line, the way people keep them in a text file — or another links.txt: blank lines and
 * lines starting with # are skipped, the URL is the first word of a line, and a links.txt annotation after it
 * (`# note #tag`) comes along as its title and tags. A line whose first word is not a URL is reported by line.
 */
import { readLinkLine } from "../../links/line.ts";
import type { ImportFormat } from "../types.ts";
import { Collector } from "./common.ts";

const LOOKS_LIKE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

export const urls: ImportFormat = {
  name: "urls",
  label: "list of URLs",
  detect: ({ head }) => head.split(/\r\n|\n|\r/).some((line) => /^\s*https?:\/\//i.test(line)),
  parse(source, context) {
    const collector = new Collector(context);
    const lines = source.text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
    for (let i = 0; i < lines.length && !collector.full; i++) {
      const where = `${source.name}:${i + 1}`;
      const raw = lines[i]!;
      const read = readLinkLine(raw);
      if (read.kind === "blank" || read.kind === "comment") continue;
      const first = raw.trim().split(/\s+/, 1)[0]!;
      if (!LOOKS_LIKE_URL.test(first)) {
        collector.problem(where, `"${first.length > 80 ? `${first.slice(0, 80)}…` : first}" is not a URL`);
        continue;
      }
      // Text after the URL that is not an annotation is a title someone wrote beside it: keep the URL.
      const annotation = read.kind === "link" ? read.annotation : { note: "", tags: [] };
      collector.add({ url: first, ...(annotation.note ? { title: annotation.note } : {}), tags: annotation.tags, where });
    }
    return collector.result;
  },
};
