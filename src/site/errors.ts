/** Every error the site build raises, each with a stable code; a message names the file or setting and the fix. */

/** A setting of site.config.json, a SITE_* variable or a flag is wrong: the commands exit 2. */
export class SiteConfigError extends Error {
  override name = "SiteConfigError";
  readonly code = "SITE_CONFIG_INVALID";
}

/** Eleventy, a file copy or the output folder failed: the build exits 1. */
export class SiteBuildError extends Error {
  override name = "SiteBuildError";
  readonly code = "SITE_BUILD_FAILED";
}

/** Pagefind could not start, index a page or write its index. */
export class SearchIndexError extends Error {
  override name = "SearchIndexError";
  readonly code = "SITE_SEARCH_INDEX";
}
