/**
 * cache/ → _site/: load and check the captures, render with Eleventy, index with Pagefind.
 * Input: the cache folder, the output folder and a resolved SiteConfig (passed in, so tests build a fixture cache
 * into a temp folder). Output: the written site and a summary with every capture left out and why.
 * Side effects: the output folder is emptied first, so pages of deleted captures do not linger. Never touches the network.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { Eleventy } from "@11ty/eleventy";
import { configureSite, SITE_DIR } from "../../eleventy.config.ts";
import type { SiteConfig } from "./config.ts";
import { loadArchive, type ArchiveProblem } from "./data.ts";
import { indexSite } from "./search-index.ts";

export interface BuildOptions {
  cacheDir: string;
  outDir: string;
  site: SiteConfig;
  /** Skip Pagefind (a faster build when search is not needed). */
  search?: boolean;
}

export interface BuildSummary {
  captures: number;
  failures: number;
  problems: ArchiveProblem[];
  pagesWritten: number;
  pagesIndexed: number;
  ms: number;
}

export class SiteBuildError extends Error {
  override name = "SiteBuildError";
  readonly code = "SITE_BUILD_FAILED";
}

export async function buildSite({ cacheDir, outDir, site, search = true }: BuildOptions): Promise<BuildSummary> {
  const started = performance.now();
  const out = path.resolve(outDir);
  // Emptying the output folder is only safe for a folder of its own.
  if (out === path.parse(out).root || out === process.cwd() || out === path.resolve(cacheDir) || out === SITE_DIR.replace(/\/$/, "")) {
    throw new SiteBuildError(`Refusing to use ${out} as the output folder: it would be emptied. Choose a folder like _site/.`);
  }
  const archive = await loadArchive(cacheDir);
  await rm(out, { recursive: true, force: true });

  // configPath "" loads no config file: the wiring comes from configureSite with the options given here.
  const eleventy = new Eleventy(SITE_DIR, out, {
    configPath: "",
    quietMode: true,
    pathPrefix: site.pathPrefix,
    config: (eleventyConfig) => configureSite(eleventyConfig, { site, archive }),
  });
  let written: unknown[];
  try {
    written = (await eleventy.write()).flat();
  } catch (cause) {
    throw new SiteBuildError(`Eleventy could not build ${out} from ${cacheDir}: ${(cause as Error).message}`, { cause });
  }
  const { pages } = search ? await indexSite(out, site.language, archive.captures.length) : { pages: 0 };
  return {
    captures: archive.captures.length,
    failures: archive.failures.length,
    problems: archive.problems,
    pagesWritten: written.length,
    pagesIndexed: pages,
    ms: Math.round(performance.now() - started),
  };
}
