/**
 * Eleventy wiring, and nothing else: input folder, global data from cache/, filters, passthrough of capture files.
 * Captures reach the templates as data only (site/ is the only input folder, so cache/ is never read as templates)
 * and their HTML is inserted with `| safe` from a filter, so archived text is never evaluated as a template.
 * `npm run build` (scripts/build.ts) calls configureSite with the cache and config it was given; the default export
 * lets `tsx node_modules/.bin/eleventy --config=eleventy.config.ts` work too.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { UserConfig } from "@11ty/eleventy";
import { loadSiteConfig, type SiteConfig } from "./scripts/site/config.ts";
import { loadArchive, type Archive } from "./scripts/site/data.ts";
import { siteFilters } from "./scripts/site/filters.ts";

export const SITE_DIR = fileURLToPath(new URL("./site/", import.meta.url));

export interface SiteInput {
  site: SiteConfig;
  archive: Archive;
}

/** Always at least one (empty) page, so an empty archive still gets an index. */
function chunk<T>(items: T[], size: number): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += size) pages.push(items.slice(i, i + size));
  return pages.length > 0 ? pages : [[]];
}

export function configureSite(eleventyConfig: UserConfig, { site, archive }: SiteInput): void {
  eleventyConfig.setIncludesDirectory("_includes");
  eleventyConfig.setTemplateFormats(["njk"]);
  // Titles and bylines come from strangers: every {{ value }} is escaped unless a template says | safe.
  eleventyConfig.setNunjucksEnvironmentOptions({ autoescape: true, throwOnUndefined: false });
  eleventyConfig.setUseGitIgnore(false);

  eleventyConfig.addGlobalData("site", site);
  eleventyConfig.addGlobalData("captures", archive.captures);
  // Pagination sizes are fixed in front matter; cutting the pages here lets site.config.json set the size.
  eleventyConfig.addGlobalData("indexPages", chunk(archive.captures, site.pageSize));
  eleventyConfig.addGlobalData("sites", archive.sites);
  eleventyConfig.addGlobalData("failures", archive.failures);
  eleventyConfig.addGlobalData("problems", archive.problems);

  for (const [name, filter] of Object.entries(siteFilters(site))) eleventyConfig.addFilter(name, filter);

  eleventyConfig.addPassthroughCopy({ [path.join(SITE_DIR, "assets")]: "assets" });
  // One entry per file, never the whole folder: index.html there is the raw capture (front matter and all), and
  // only files the loader allowed (images, the stored pdf or image) may be served from the owner's origin.
  for (const capture of archive.captures) {
    for (const asset of capture.assets) {
      eleventyConfig.addPassthroughCopy({ [path.join(capture.folder, asset)]: `${capture.hash_url}/${asset}` });
    }
  }
}

export default async function (eleventyConfig: UserConfig) {
  const site = await loadSiteConfig("site.config.json");
  configureSite(eleventyConfig, { site, archive: await loadArchive("cache") });
  return { dir: { input: "site", output: "_site" }, pathPrefix: site.pathPrefix };
}
