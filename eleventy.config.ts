/**
 * `tsx node_modules/.bin/eleventy --config=eleventy.config.ts`: the site from cache/, links.txt and site.config.json,
 * wired by src/site/eleventy.ts. `npm run build` does not read this file: it calls the same wiring with the options it
 * was given, and also writes what Eleventy does not (search, version addresses, mirror.js's lookup files).
 */
import type { UserConfig } from "@11ty/eleventy";
import { loadAnnotations } from "./src/links/annotations.ts";
import { loadSiteConfig } from "./src/site/config.ts";
import { loadArchive } from "./src/site/data.ts";
import { configureSite } from "./src/site/eleventy.ts";

export default async function (eleventyConfig: UserConfig) {
  const site = await loadSiteConfig("site.config.json");
  configureSite(eleventyConfig, { site, archive: await loadArchive("cache", { annotations: await loadAnnotations("links.txt") }) });
  return { dir: { input: "site", output: "_site" }, pathPrefix: site.pathPrefix };
}
