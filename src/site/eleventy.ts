/**
 * The site's Eleventy wiring: input folder, global data from cache/, filters, passthrough of capture files.
 * Captures reach the templates as data only (site/ is the only input folder, so cache/ is never read as templates)
 * and their HTML is inserted with `| safe` from a filter, so archived text is never evaluated as a template.
 * `npm run build` (build.ts) calls configureSite with the cache and config it was given; eleventy.config.ts at the
 * root calls it for `tsx node_modules/.bin/eleventy --config=eleventy.config.ts`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { UserConfig } from "@11ty/eleventy";
import type { SiteConfig } from "./config.ts";
import type { Archive, Capture } from "./data.ts";
import { siteFilters } from "./filters.ts";
import { FAILURES_PER_PAGE } from "./limits.ts";

export const SITE_DIR = fileURLToPath(new URL("../../site/", import.meta.url));

export interface SiteInput {
  site: SiteConfig;
  archive: Archive;
  /** Captures whose mirror page this run renders (all by default; buildSite renders them in batches). */
  mirrors?: Capture[];
  /** Site paths of the search bundles, primary first (search-index.ts). */
  searchBundles?: string[];
  /** Pass site/assets through. */
  copySiteAssets?: boolean;
  /** Pass the captures' files through Eleventy (false: the caller copies them, as buildSite does at scale). */
  copyCaptureFiles?: boolean;
}


/** Always at least one (empty) page, so an empty archive still gets an index. */
function chunk<T>(items: T[], size: number): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += size) pages.push(items.slice(i, i + size));
  return pages.length > 0 ? pages : [[]];
}

export function configureSite(
  eleventyConfig: UserConfig,
  { site, archive, mirrors = archive.captures, searchBundles = ["/pagefind/"], copySiteAssets = true, copyCaptureFiles = true }: SiteInput,
): void {
  eleventyConfig.setIncludesDirectory("_includes");
  eleventyConfig.setTemplateFormats(["njk"]);
  // Titles and bylines come from strangers: every {{ value }} is escaped unless a template says | safe.
  eleventyConfig.setNunjucksEnvironmentOptions({ autoescape: true, throwOnUndefined: false });
  eleventyConfig.setUseGitIgnore(false);

  eleventyConfig.addGlobalData("site", site);
  eleventyConfig.addGlobalData("captures", archive.captures);
  eleventyConfig.addGlobalData("mirrors", mirrors);
  // Every page of the captures in this run: each current version, its earlier versions and the changes between them.
  eleventyConfig.addGlobalData("mirrorPages", mirrors.flatMap((capture) => [capture, ...capture.versions, ...capture.changes]));
  // Pagination sizes are fixed in front matter; cutting the pages here lets site.config.json set the size.
  eleventyConfig.addGlobalData("indexPages", chunk(archive.captures, site.pageSize));
  eleventyConfig.addGlobalData("sites", archive.sites);
  // One page per site and page number: a site with thousands of captures gets pages of site.pageSize like the index.
  eleventyConfig.addGlobalData(
    "sitePages",
    archive.sites.flatMap((group) => chunk(group.captures, site.pageSize).map((captures, i, all) => ({ group, captures, pageNumber: i + 1, pageCount: all.length }))),
  );
  // "tags" is Eleventy's own key (it makes collections), so the tag list is tagGroups.
  eleventyConfig.addGlobalData("tagGroups", archive.tags);
  eleventyConfig.addGlobalData(
    "tagPages",
    archive.tags.flatMap((group) => chunk(group.captures, site.pageSize).map((captures, i, all) => ({ group, captures, pageNumber: i + 1, pageCount: all.length }))),
  );
  eleventyConfig.addGlobalData("failures", archive.failures);
  eleventyConfig.addGlobalData("goneCaptures", archive.gone);
  eleventyConfig.addGlobalData("gonePages", chunk(archive.gone, FAILURES_PER_PAGE));
  eleventyConfig.addGlobalData("failurePages", chunk(archive.failures, FAILURES_PER_PAGE));
  eleventyConfig.addGlobalData("problems", archive.problems);
  eleventyConfig.addGlobalData("searchBundles", searchBundles);

  for (const [name, filter] of Object.entries(siteFilters(site))) eleventyConfig.addFilter(name, filter);

  if (copySiteAssets) {
    eleventyConfig.addPassthroughCopy({ [path.join(SITE_DIR, "assets")]: "assets" });
    // The drop-in script for blogs (docs/blogging.md): served at the site's root, never included by its own pages.
    eleventyConfig.addPassthroughCopy({ [path.join(SITE_DIR, "mirror.js")]: "mirror.js" });
  }
  // One entry per file, never the whole folder: index.html there is the raw capture (front matter and all), and
  // only files the loader allowed (images, the stored pdf or image) may be served from the owner's origin.
  // buildSite copies them itself: thousands of one-file passthrough entries slow Eleventy down.
  if (!copyCaptureFiles) return;
  for (const capture of archive.captures) {
    for (const asset of capture.assets) {
      eleventyConfig.addPassthroughCopy({ [path.join(capture.folder, asset)]: `${capture.hash_url}/${asset}` });
    }
  }
}
