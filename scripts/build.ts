/**
 * `npm run build`: cache/ → _site/ (Eleventy, then Pagefind). Reads site.config.json and the SITE_* environment
 * overrides (scripts/site/config.ts). Exit codes: 0 built (captures left out are listed as warnings), 2 configuration
 * error, 1 build error.
 */
import { buildSite } from "./site/build.ts";
import { loadSiteConfig, SiteConfigError } from "./site/config.ts";

try {
  const site = await loadSiteConfig("site.config.json");
  const summary = await buildSite({ cacheDir: "cache", outDir: "_site", site });
  for (const problem of summary.problems) console.warn(`warning: ${problem.where}: ${problem.reason} (left out of the site)`);
  console.log(
    `Built _site/ in ${(summary.ms / 1000).toFixed(1)} s: ${summary.captures} captures, ${summary.failures} failures, ` +
      `${summary.pagesWritten} pages, ${summary.pagesIndexed} indexed for search, under ${site.pathPrefix}`,
  );
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = error instanceof SiteConfigError ? 2 : 1;
}
