/**
 * A blog post in Markdown, read with markdown-it, the CommonMark parser Eleventy itself uses: inline links, reference
 * links, autolinks and bare URLs (linkify), and <a href> in inline or block HTML, never what is in code. A YAML front
 * matter is read for its tags or categories, which become the tags of the post's links (Hugo's TOML front matter is
 * skipped). A link's text is its title; relative links point into the blog and are skipped. Named by file and line.
 */
import MarkdownIt from "markdown-it";
import { parse as parseYaml } from "yaml";
import { extractLinks } from "../html-links.ts";
import { oneLine } from "../markup.ts";
import type { ImportFormat } from "../types.ts";
import { Collector, isObject, text } from "./common.ts";

/** linkify finds bare URLs; html: true keeps inline HTML as tokens, read for <a href> here and never rendered. */
const markdown = new MarkdownIt({ html: true, linkify: true });
// A link's destination is kept as the post wrote it (markdown-it would percent-encode it and punycode its host): the
// capture key is the URL as written, which is also what Hugo's md5 of .Destination sees. mirror.js finds the rendered,
// encoded href as a near duplicate of it.
markdown.normalizeLink = (url: string) => url;

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;
const TOML_FRONT_MATTER = /^\+\+\+[ \t]*\r?\n[\s\S]*?\r?\n\+\+\+[ \t]*(?:\r?\n|$)/;

/** Tags and categories of a post's front matter: a list or a comma-separated string. */
function frontMatterTags(yaml: string): string[] {
  let data: unknown;
  try {
    data = parseYaml(yaml, { schema: "core", maxAliasCount: 0, logLevel: "silent" });
  } catch {
    return [];
  }
  if (!isObject(data)) return [];
  const values = [data.tags, data.categories, data.category].flatMap((value) => (Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : []));
  return values.map((value) => text(typeof value === "string" ? value : String(value))).filter((tag): tag is string => tag !== undefined && tag !== "[object Object]");
}

export const markdownPost: ImportFormat = {
  name: "markdown",
  label: "Markdown post",
  detect: ({ name }) => /\.(md|markdown|mdx)$/i.test(name),
  parse(source, context) {
    const collector = new Collector(context);
    let body = source.text.replace(/^\uFEFF/, "");
    let tags: string[] = [];
    const yaml = FRONT_MATTER.exec(body);
    const matter = yaml ?? TOML_FRONT_MATTER.exec(body);
    if (yaml) tags = frontMatterTags(yaml[1]!);
    // Front matter lines are counted so a link's line is its line in the file.
    const offset = matter ? (matter[0].match(/\n/g) ?? []).length : 0;
    if (matter) body = body.slice(matter[0].length);
    const add = (url: string, title: string, line: number) =>
      collector.add({ url, ...(title && title !== url ? { title } : {}), tags, where: `${source.name}:${line + offset}` });
    for (const block of markdown.parse(body, {})) {
      if (collector.full) break;
      const line = (block.map?.[0] ?? 0) + 1;
      if (block.type === "html_block") {
        for (const link of extractLinks(block.content, source.url)) add(link.url, link.text, line + link.line - 1);
        continue;
      }
      let open: { url: string; text: string; line: number } | undefined;
      // Inline tokens carry no line of their own: count the line breaks inside the paragraph.
      let current = line;
      for (const token of block.children ?? []) {
        if (token.type === "softbreak" || token.type === "hardbreak") {
          current++;
        } else if (token.type === "link_open") {
          const href = token.attrGet("href") ?? "";
          open = /^https?:\/\//i.test(href) ? { url: href, text: "", line: current } : undefined;
        } else if (token.type === "link_close") {
          if (open) add(open.url, oneLine(open.text), open.line);
          open = undefined;
        } else if (token.type === "html_inline") {
          for (const link of extractLinks(token.content, source.url)) add(link.url, link.text, current);
        } else if (open && (token.type === "text" || token.type === "code_inline")) {
          open.text += token.content;
        }
      }
    }
    return collector.result;
  },
};
