/**
 * `npm run build`: cache/ → _site/ (Eleventy, then Pagefind). Reads site.config.json and the SITE_* environment
 * overrides (src/site/config.ts). Search partitions are kept in .cache/search/ (gitignored) between builds, so a
 * build re-indexes only the partitions whose captures changed. Exit codes: 0 built (captures left out are listed as
 * warnings), 2 configuration error, 1 build error.
 */
import "../src/cli/require-node.ts";
import { isMain } from "../src/cli/is-main.ts";
import { buildSite, type BuildSummary } from "../src/site/build.ts";
import { loadSiteConfig, SiteConfigError, type SiteConfig } from "../src/site/config.ts";

export async function main(
  { cacheDir = "cache", outDir = "_site", searchCacheDir = ".cache/search" }: { cacheDir?: string; outDir?: string; searchCacheDir?: string } = {},
): Promise<{ code: number; summary?: BuildSummary; site?: SiteConfig }> {
  try {
    const site = await loadSiteConfig("site.config.json");
    const summary = await buildSite({ cacheDir, outDir, site, searchCacheDir });
    for (const problem of summary.problems) console.warn(`warning: ${problem.where}: ${problem.reason} (left out of the site)`);
    console.log(
      `Built _site/ in ${(summary.ms / 1000).toFixed(1)} s: ${summary.captures} captures, ${summary.failures} failures, ` +
        `${summary.pagesWritten} pages, ${summary.pagesIndexed} indexed for search ` +
        `(${summary.searchPartitionsIndexed} of ${summary.searchPartitions} partitions indexed, the rest unchanged), under ${site.pathPrefix}`,
    );
    return { code: 0, summary, site };
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return { code: error instanceof SiteConfigError ? 2 : 1 };
  }
}

if (isMain(import.meta.url)) process.exitCode = (await main()).code;
