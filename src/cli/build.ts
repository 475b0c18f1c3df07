/**
 * `npm run build`: cache/ → _site/ (Eleventy, then Pagefind). Reads only the cache and never the network. Its options
 * are the site's settings (site/config.ts) and where to read and write; SITE_* variables set them too (the Pages
 * workflow sets the address and path prefix). Exit codes: 0 built (captures left out are listed as warnings), 1 the
 * build failed, 2 usage or configuration error.
 */
import path from "node:path";
import { buildSite, type BuildSummary } from "../site/build.ts";
import { siteSizeReport } from "../site/size.ts";
import { verifyArchive } from "../verify/archive.ts";
import { SITE_SETTINGS, siteConfigOf, type SiteConfig } from "../site/config.ts";
import { readConfigFile } from "../util/config-file.ts";
import { helpText, resolveOptions, UsageError, type CommandSpec } from "../util/options.ts";
import { processIo, type CommandIo } from "./run.ts";

export const BUILD_COMMAND: CommandSpec = {
  name: "build",
  summary: "Builds the site from the captures in <cache> into <out>: Eleventy, then Pagefind. Never touches the network.",
  envPrefix: "SITE",
  envExample: ["title", "Links"],
  configFile: "site.config.json",
  options: [
    { flag: "cache", kind: "string", value: "DIR", default: "cache", help: "the captures to publish" },
    { flag: "links", kind: "string", value: "FILE", default: "links.txt", help: "the notes and #tags of each URL (a missing file: no tags)" },
    { flag: "out", kind: "string", value: "DIR", default: "_site", help: "where the site is written (emptied first)" },
    { flag: "search-cache", kind: "string", value: "DIR", default: ".cache/search", help: "search partitions kept between builds, re-indexed only when they change" },
    { flag: "search", kind: "boolean", default: true, help: "index the site for search (--no-search skips Pagefind)" },
    { flag: "verify-memo", kind: "string", value: "FILE", default: ".cache/verify.json", help: "captures verify passed, kept between builds so only changed ones are checked again" },
    ...SITE_SETTINGS,
  ],
  footer: ["Exit codes: 0 built (captures left out are listed as warnings); 1 the build failed; 2 usage or configuration error."],
};

export interface BuildRequest {
  cacheDir: string;
  linksFile: string;
  outDir: string;
  searchCacheDir: string;
  verifyMemo: string;
  search: boolean;
  site: SiteConfig;
}

export function resolveBuildOptions(argv: string[], io: CommandIo = processIo()): BuildRequest & { help: boolean } {
  const { values } = resolveOptions(BUILD_COMMAND, argv, io.env, readConfigFile(path.join(io.cwd, "site.config.json")).site);
  const at = (flag: string) => path.resolve(io.cwd, values[flag] as string);
  return {
    cacheDir: at("cache"),
    linksFile: at("links"),
    outDir: at("out"),
    searchCacheDir: at("search-cache"),
    verifyMemo: at("verify-memo"),
    search: values.search === true,
    site: siteConfigOf(values),
    help: values.help === true,
  };
}

/** Builds and reports; the summary for callers that go on (npm start). */
export async function build(request: BuildRequest, io: CommandIo = processIo()): Promise<{ code: number; summary?: BuildSummary }> {
  try {
    // Every capture is checked against the contract before it is published; one that fails is left out, named.
    const verdict = await verifyArchive(request.cacheDir, { decode: true, memoFile: request.verifyMemo });
    const refused = new Map(verdict.failed.map(({ key, problems }) => [key, `verify: ${problems.join("; ")}`]));
    const summary = await buildSite({ ...request, refused });
    for (const problem of summary.problems) io.stderr.write(`warning: ${problem.where}: ${problem.reason} (left out of the site)\n`);
    const size = siteSizeReport(summary.siteBytes);
    io.stdout.write(
      `Built ${path.relative(io.cwd, request.outDir) || request.outDir}/ in ${(summary.ms / 1000).toFixed(1)} s: ${summary.captures} captures, ${summary.failures} failures, ` +
        `${summary.pagesWritten} pages, ${summary.pagesIndexed} indexed for search ` +
        `(${summary.searchPartitionsIndexed} of ${summary.searchPartitions} partitions indexed, the rest unchanged), under ${request.site.pathPrefix}\n` +
        `${size.line}\n`,
    );
    if (size.warning) io.stderr.write(`warning: ${size.warning}\n`);
    return { code: 0, summary };
  } catch (error) {
    io.stderr.write(`build: ${(error as Error).message}\n`);
    return { code: 1 };
  }
}

export async function buildCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let request: ReturnType<typeof resolveBuildOptions>;
  try {
    request = resolveBuildOptions(argv, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`build: ${error.message}\n`);
    return 2;
  }
  if (request.help) {
    io.stdout.write(`${helpText(BUILD_COMMAND)}\n`);
    return 0;
  }
  return (await build(request, io)).code;
}
