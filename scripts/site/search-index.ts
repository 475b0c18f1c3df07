/**
 * Writes the Pagefind index into <site>/pagefind/ through Pagefind's Node API (its binary comes from the platform
 * package). Only mirror pages carry data-pagefind-body, so only article titles and text are indexed, never the chrome
 * or the index pages. Errors: SearchIndexError with Pagefind's own messages.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import * as pagefind from "pagefind";

export class SearchIndexError extends Error {
  override name = "SearchIndexError";
  readonly code = "SITE_SEARCH_INDEX";
}

/**
 * `language` is the site's: every capture goes into ONE index, whatever its <html lang>. Pagefind otherwise splits
 * the index by language and the search page (in the site's language) would never find an Arabic or German capture.
 */
export async function indexSite(outDir: string, language: string, captures: number): Promise<{ pages: number }> {
  const { index, errors } = await pagefind.createIndex({ forceLanguage: language.split("-")[0]?.toLowerCase() ?? "en" });
  try {
    if (!index) throw new SearchIndexError(`Pagefind could not start: ${errors.join("; ")}`);
    // With no mirror page carrying data-pagefind-body, Pagefind would index the chrome of every page instead.
    const added = captures > 0 ? await index.addDirectory({ path: outDir }) : { errors: [], page_count: 0 };
    if (added.errors.length > 0) throw new SearchIndexError(`Pagefind could not index ${outDir}: ${added.errors.join("; ")}`);
    const bundle = path.join(outDir, "pagefind");
    const written = await index.writeFiles({ outputPath: bundle });
    if (written.errors.length > 0) throw new SearchIndexError(`Pagefind could not write its index: ${written.errors.join("; ")}`);
    // addDirectory counts every HTML file it read; the entry file says how many pages made it into the index.
    const entry = JSON.parse(await readFile(path.join(bundle, "pagefind-entry.json"), "utf8")) as { languages: Record<string, { page_count: number }> };
    return { pages: Object.values(entry.languages).reduce((sum, l) => sum + l.page_count, 0) };
  } finally {
    // The service is a child process: close it or the build never exits.
    await pagefind.close();
  }
}
