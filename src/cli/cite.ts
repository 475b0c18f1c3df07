/**
 * `npm run cite -- URL…`: what a blogger pastes when citing a URL. For each URL (exactly as written in links.txt:
 * the key is its md5), the mirror address, whether it is captured (read from the cache through src/cache), the
 * pinned version's address, and a Markdown and an HTML link (Robust Links attributes), from src/site/citation.ts like
 * the capture page's own citation box. A URL not captured yet gets its future mirror address, its links.txt line if
 * it has one, and the line it resembles if a near duplicate is listed (src/links/near.ts). The site's address and
 * path prefix come from the site settings (flags, SITE_URL / SITE_PATH_PREFIX, site.config.json).
 * Exit codes: 0 every URL is captured; 1 some are not captured yet (each is still printed); 2 usage error.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { urlProblem } from "../archive/links.ts";
import { hashUrl } from "../cache/layout.ts";
import { readCaptureMeta } from "../cache/store.ts";
import { readLinkLine } from "../links/line.ts";
import { nearKey } from "../links/near.ts";
import { addressesOf, citationHtml, citationMarkdown, markdownUrl, mirrorUrl } from "../site/citation.ts";
import { SITE_SETTINGS, siteConfigOf, type SiteConfig } from "../site/config.ts";
import { readConfigFile } from "../util/config-file.ts";
import { escapeHtml } from "../util/html.ts";
import { helpText, resolveOptions, UsageError, type CommandSpec } from "../util/options.ts";
import { processIo, type CommandIo } from "./run.ts";

const siteSetting = (flag: string) => SITE_SETTINGS.find((o) => o.flag === flag)!;

export const CITE_COMMAND: CommandSpec = {
  name: "cite",
  summary: "Prints the mirror address of each URL, whether it is captured, and a Markdown and an HTML link to its pinned version.",
  envPrefix: "SITE",
  envExample: ["url", "https://alice.github.io"],
  configFile: "site.config.json",
  positionals: { value: "URL…", help: "URLs exactly as written in links.txt (the mirror address is the md5 of that text)" },
  options: [
    { flag: "cache", kind: "string", value: "DIR", default: "cache", env: false, help: "where captures are stored" },
    { flag: "links", kind: "string", value: "FILE", default: "links.txt", env: false, help: "the links file: its line numbers and near duplicates are named" },
    { flag: "json", kind: "boolean", default: false, env: false, help: "print JSON, one object a URL" },
    siteSetting("url"),
    siteSetting("path-prefix"),
  ],
  footer: ["Exit codes: 0 every URL is captured; 1 some are not captured yet (each is still printed); 2 usage error."],
};

/** What cite says about one URL; --json prints these. */
export interface Citation {
  url: string;
  hash_url: string;
  captured: boolean;
  mirror: string;
  title?: string;
  archived_at?: string;
  /** The pinned version's address and date-time (captured URLs only). */
  version?: string;
  version_date?: string;
  markdown: string;
  html: string;
  /** The URL's line in the links file, when it has one. */
  line?: number;
  /** A line of the links file whose URL is a near duplicate of this one (another spelling of the same page). */
  resembles?: { line: number; url: string; captured: boolean };
}

interface ListedLine {
  line: number;
  url: string;
}

function listedLines(text: string): ListedLine[] {
  const lines: ListedLine[] = [];
  text
    .replace(/^\uFEFF/, "")
    .split(/\r\n|\n|\r/)
    .forEach((raw, index) => {
      const read = readLinkLine(raw);
      if (read.kind === "link") lines.push({ line: index + 1, url: read.url });
    });
  return lines;
}

/** The citation of each URL, from the cache and the links file's text ("" when there is none). */
export async function citeUrls(urls: readonly string[], cacheDir: string, linksText: string, site: Pick<SiteConfig, "url" | "pathPrefix">): Promise<Citation[]> {
  const listed = listedLines(linksText);
  const citations: Citation[] = [];
  for (const url of urls) {
    const hash = hashUrl(url);
    const mirror = mirrorUrl(site, hash);
    const line = listed.find((l) => l.url === url)?.line;
    const meta = await readCaptureMeta(cacheDir, hash);
    if (meta) {
      const capture = { url, hash_url: hash, title: meta.title.trim() || url, archived_at: meta.archived_at };
      const { version, versionDate } = addressesOf(site, capture);
      citations.push({
        url,
        hash_url: hash,
        captured: true,
        mirror,
        title: capture.title,
        archived_at: meta.archived_at,
        version,
        version_date: versionDate,
        markdown: citationMarkdown(site, capture),
        html: citationHtml(site, capture),
        ...(line === undefined ? {} : { line }),
      });
      continue;
    }
    const key = nearKey(url);
    const near = key === undefined ? undefined : listed.find((l) => l.url !== url && nearKey(l.url) === key);
    citations.push({
      url,
      hash_url: hash,
      captured: false,
      mirror,
      markdown: `[${url.replace(/[\\[\]]/g, "\\$&")}](${markdownUrl(mirror)})`,
      html: `<a href="${escapeHtml(mirror)}" data-originalurl="${escapeHtml(url)}">${escapeHtml(url)}</a>`,
      ...(line === undefined ? {} : { line }),
      ...(near ? { resembles: { line: near.line, url: near.url, captured: (await readCaptureMeta(cacheDir, hashUrl(near.url))) !== undefined } } : {}),
    });
  }
  return citations;
}

export function formatCitation(c: Citation, linksName: string): string {
  const row = (label: string, value: string) => `  ${label.padEnd(10)}${value}`;
  const lines = [c.url];
  if (c.captured) {
    lines.push(row("captured", `${c.archived_at}: "${c.title}"${c.line === undefined ? "" : ` (${linksName}:${c.line})`}`));
    lines.push(row("mirror", c.mirror), row("version", c.version!));
  } else {
    const where = c.line === undefined ? `not in ${linksName}: add it, then run npm run archive` : `${linksName}:${c.line}; run npm run archive`;
    lines.push(row("captured", `not yet (${where})`), row("mirror", `${c.mirror} (once captured)`));
  }
  lines.push(row("markdown", c.markdown), row("html", c.html));
  if (c.resembles) {
    lines.push(
      row("resembles", `${linksName}:${c.resembles.line} ${c.resembles.url}${c.resembles.captured ? " (captured)" : ""}: the same page written another way; cite it as written there to use its capture`),
    );
  }
  return lines.join("\n");
}

export async function citeCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let values;
  let urls: string[];
  try {
    const file = readConfigFile(path.join(io.cwd, "site.config.json")).site;
    // The file holds every site setting; cite needs only the address and the prefix.
    const known = Object.fromEntries(Object.entries(file).filter(([key]) => key === "url" || key === "pathPrefix"));
    let positionals: string[];
    ({ values, positionals } = resolveOptions(CITE_COMMAND, argv, io.env, known));
    urls = positionals.map((url) => url.trim());
    if (values.help !== true) {
      if (urls.length === 0) throw new UsageError("Give at least one URL, written exactly as in links.txt: npm run cite -- https://example.com/post");
      for (const url of urls) {
        const problem = urlProblem(url);
        if (problem) throw new UsageError(`"${url.length > 200 ? `${url.slice(0, 200)}…` : url}" ${problem}`);
      }
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`cite: ${error.message}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${helpText(CITE_COMMAND)}\n`);
    return 0;
  }
  const site = siteConfigOf({ ...Object.fromEntries(SITE_SETTINGS.map((o) => [o.flag, o.default])), url: values.url, "path-prefix": values["path-prefix"] });
  const linksFile = path.resolve(io.cwd, values.links as string);
  let linksText = "";
  try {
    linksText = await readFile(linksFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      io.stderr.write(`cite: could not read ${linksFile}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const citations = await citeUrls(urls, path.resolve(io.cwd, values.cache as string), linksText, site);
  if (values.json) io.stdout.write(`${JSON.stringify(citations, null, 2)}\n`);
  else io.stdout.write(`${citations.map((c) => formatCitation(c, path.basename(linksFile))).join("\n\n")}\n`);
  return citations.every((c) => c.captured) ? 0 : 1;
}
