/**
 * `npm run import -- SOURCE…`: appends the URLs of exports, feeds, sitemaps and posts to links.txt (src/import/).
 * Sources given as URLs, and the pages of a sitemap, are fetched through the archiver's guarded fetcher, with the
 * archive's settings from site.config.json ("archive": user-agent, timeouts) and this command's
 * --allow-private-network. Exit codes: 0 imported (or nothing new); 1 some sources or entries could not be read (each
 * is named; the rest were imported); 2 usage error, or a links file that cannot be read or written.
 */
import path from "node:path";
import { resolveConfig } from "../archive/config.ts";
import { createFetcherFor } from "../archive/fetch/index.ts";
import { LinksFileError } from "../import/append.ts";
import { FORMAT_NAMES } from "../import/formats/index.ts";
import { MAX_ENTRIES, MAX_PAGES, MAX_SOURCE_BYTES, TIME_LIMIT_SECONDS } from "../import/limits.ts";
import { importLinks, type ImportSummary } from "../import/run.ts";
import type { FormatName } from "../import/types.ts";
import { readConfigFile } from "../util/config-file.ts";
import { helpText, resolveOptions, UsageError, type CommandSpec } from "../util/options.ts";
import { processIo, type CommandIo } from "./run.ts";

function sitesProblem(value: string): string | undefined {
  for (const site of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    try {
      const { protocol } = new URL(site);
      if (protocol !== "http:" && protocol !== "https:") return `names "${site}", which is not an http(s) address`;
    } catch {
      return `names "${site}", which is not an absolute URL like https://blog.example.com`;
    }
  }
  return undefined;
}

export const IMPORT_COMMAND: CommandSpec = {
  name: "import",
  summary:
    "Appends to links.txt the new URLs of bookmark and read-later exports, of a blog's feed, sitemap or posts (its outbound links), or of a list.\n" +
    "Formats are detected from the content: bookmarks (a browser's HTML export), pocket, instapaper, raindrop (CSV), pinboard, wallabag,\n" +
    "linkwarden, karakeep, omnivore (JSON), opml, feed (RSS/Atom), sitemap, html, markdown (posts), urls (one a line).",
  envPrefix: "IMPORT",
  envExample: ["max-pages", "100"],
  positionals: { value: "SOURCE…", help: "export files, feeds or sitemaps (files or http(s) URLs), folders of Markdown/HTML posts" },
  options: [
    { flag: "links", kind: "string", value: "FILE", default: "links.txt", help: "the links file lines are appended to (created if missing)" },
    { flag: "format", kind: "string", value: "NAME", choices: FORMAT_NAMES, help: "read every source as this format instead of detecting it" },
    { flag: "dry-run", kind: "boolean", default: false, help: "print the lines that would be added, and change nothing" },
    { flag: "site", kind: "string", value: "URL[,URL]", check: sitesProblem, help: "the blog's own address: links to it are not imported (a feed or sitemap names its own)" },
    { flag: "allow-private-network", kind: "boolean", default: false, help: "allow fetching from loopback, private and link-local addresses (refused by default)" },
    { flag: "max-bytes", kind: "integer", value: "BYTES", default: MAX_SOURCE_BYTES, min: 1024, help: "largest file or response read, after decompression" },
    { flag: "max-entries", kind: "integer", value: "N", default: MAX_ENTRIES, min: 1, help: "entries read over all sources" },
    { flag: "max-pages", kind: "integer", value: "N", default: MAX_PAGES, min: 0, help: "pages a sitemap import fetches" },
    { flag: "time-limit", kind: "integer", value: "SECONDS", default: TIME_LIMIT_SECONDS, min: 1, help: "the whole import, fetches included" },
  ],
  footer: [
    "URLs are added exactly as the source wrote them. One already in links.txt is skipped; a near duplicate of a listed one (another",
    "scheme, www., a trailing slash, a fragment, utm_*/fbclid/gclid) is skipped and the line it resembles named.",
    "Exit codes: 0 imported (or nothing new); 1 some sources or entries could not be read (each is named, the rest imported); 2 usage error.",
  ],
};

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en")} ${count === 1 ? one : many}`;
}

export function formatImportReport(summary: ImportSummary, linksName: string): string {
  const out: string[] = [];
  for (const source of summary.sources) {
    if (source.error) continue;
    out.push(`${source.name}: ${[source.format, source.read, plural(source.entries, "link")].filter(Boolean).join(", ")}`);
  }
  const { plan } = summary;
  const added = plan.lines.length;
  const skipped = [
    plan.alreadyListed ? `${plural(plan.alreadyListed, "link")} already listed` : "",
    plan.repeated ? `${plural(plan.repeated, "repeat")}` : "",
    plan.nearDuplicates.length ? `${plural(plan.nearDuplicates.length, "near duplicate")}` : "",
    plan.own ? `${plural(plan.own, "link")} to the blog itself` : "",
    plan.notWeb ? `${plural(plan.notWeb, "entry", "entries")} not a web page (javascript:, mailto:, …)` : "",
  ].filter(Boolean);
  const verb = summary.dryRun ? `Would add ${plural(added, "line")} to ${linksName}` : added ? `Added ${plural(added, "line")} to ${linksName}` : `Nothing new for ${linksName}`;
  out.push("", `${verb}${skipped.length ? `; skipped ${skipped.join(", ")}` : ""}.`);
  for (const near of plan.nearDuplicates.slice(0, 50)) {
    out.push(`  near duplicate: ${near.entry.where} ${near.entry.url} resembles ${near.resembles} ${near.url} (not added)`);
  }
  if (plan.nearDuplicates.length > 50) out.push(`  … and ${plural(plan.nearDuplicates.length - 50, "more near duplicate")}`);
  if (summary.dryRun && summary.written.length) out.push("", ...summary.written);
  return `${out.join("\n")}\n`;
}

export async function importCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let values;
  let sources: string[];
  try {
    let positionals: string[];
    ({ values, positionals } = resolveOptions(IMPORT_COMMAND, argv, io.env));
    sources = positionals;
    if (!values.help && sources.length === 0) {
      throw new UsageError("Name at least one source: npm run import -- bookmarks.html (or a feed's URL, a folder of posts, …). Run `npm run import -- --help` for the formats.");
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`import: ${error.message}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${helpText(IMPORT_COMMAND)}\n`);
    return 0;
  }
  let fetcherConfig;
  try {
    // The archive's own settings (user agent, timeouts) from site.config.json; the private-network rule is this command's.
    fetcherConfig = resolveConfig(["--progress", "quiet"], io.env, io.cwd, false, readConfigFile(path.join(io.cwd, "site.config.json")).archive).config;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`import: ${error.message}\n`);
    return 2;
  }
  const fetcher = createFetcherFor({ ...fetcherConfig, allowPrivateNetwork: values["allow-private-network"] === true });
  const linksFile = path.resolve(io.cwd, values.links as string);
  let summary: ImportSummary;
  try {
    summary = await importLinks({
      sources,
      cwd: io.cwd,
      linksFile,
      ...(values.format ? { format: values.format as FormatName } : {}),
      dryRun: values["dry-run"] === true,
      siteUrls: String(values.site ?? "").split(",").map((s) => s.trim()).filter(Boolean),
      maxBytes: values["max-bytes"] as number,
      maxEntries: values["max-entries"] as number,
      maxPages: values["max-pages"] as number,
      timeLimitMs: (values["time-limit"] as number) * 1000,
      fetcher,
    });
  } catch (error) {
    if (!(error instanceof LinksFileError)) throw error;
    io.stderr.write(`import: ${error.message}\n`);
    return error.message.includes("changed while") ? 1 : 2;
  } finally {
    await fetcher.close();
  }
  io.stdout.write(formatImportReport(summary, path.basename(linksFile)));
  for (const problem of summary.problems) io.stderr.write(`${problem.where}: ${problem.reason}\n`);
  return summary.problems.length > 0 ? 1 : 0;
}
