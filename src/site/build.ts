/**
 * cache/ → _site/: load and check the captures, render with Eleventy, copy the captures' files, index with Pagefind.
 * Input: the cache folder, the links file (only its notes and tags are read; a missing file is no tags), the output
 * folder and a resolved SiteConfig (passed in, so tests build a fixture cache into a temp folder), and a folder where
 * search partitions are kept between builds. Output: the written site (each mirror page also at its version's
 * permanent address, and the lookup files of mirror.js) and a summary with every capture left out and why. Side
 * effects: the output folder is emptied first, so pages of deleted captures do not linger; the search cache keeps
 * only this build's partitions. Never touches the network.
 */
import { copyFile, link, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { Eleventy } from "@11ty/eleventy";
import pLimit from "p-limit";
import { configureSite, SITE_DIR } from "./eleventy.ts";
import type { SiteConfig } from "./config.ts";
import { loadAnnotations } from "../links/annotations.ts";
import { loadArchive, type ArchiveProblem, type Capture } from "./data.ts";
import { writeMirrorLookup } from "./mirror-lookup.ts";
import { writeTimemaps } from "./timemap.ts";
import { bundlePaths, createSearchIndexer, partitionCaptures, type SearchPartition } from "./search-index.ts";
import { MIRROR_BATCH_SIZE, SEARCH_PARTITION_SIZE } from "./limits.ts";
import { SiteBuildError } from "./errors.ts";
import { folderBytes } from "../util/disk.ts";

let gc: (() => void) | undefined;
/**
 * A full garbage collection between Eleventy runs. Each run leaves its rendered pages behind as garbage in V8's old
 * space, which V8 collects lazily while the heap may still grow; collecting after each run keeps the peak near one
 * run's pages. --expose-gc is turned on here, the first time a build needs it (as Jest does for --logHeapUsage), not
 * when this module is imported.
 */
function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString("--expose-gc");
    gc = vm.runInNewContext("gc") as () => void;
  }
  gc();
}

function mirrorBatches(partitions: SearchPartition[]): SearchPartition[][] {
  const batches: SearchPartition[][] = [];
  let size = Infinity;
  for (const partition of partitions) {
    if (size + partition.captures.length > MIRROR_BATCH_SIZE) {
      batches.push([]);
      size = 0;
    }
    batches.at(-1)?.push(partition);
    size += partition.captures.length;
  }
  return batches;
}

export interface BuildOptions {
  cacheDir: string;
  /** links.txt: the notes and tags of each URL. A file that does not exist means no tags; none given, the same. */
  linksFile?: string;
  outDir: string;
  site: SiteConfig;
  /** Skip Pagefind (a faster build when search is not needed). */
  search?: boolean;
  /** Keeps each search partition between builds, so only partitions whose captures changed are indexed again. */
  searchCacheDir?: string;
  /** Captures per search partition, about (tests make it tiny so search must merge partitions). */
  searchPartitionSize?: number;
  /** Captures verify failed, by key, with why: left out and reported (npm run build verifies first). */
  refused?: ReadonlyMap<string, string>;
}

export interface BuildSummary {
  captures: number;
  failures: number;
  problems: ArchiveProblem[];
  pagesWritten: number;
  pagesIndexed: number;
  /** Search partitions in the site, and how many of them Pagefind indexed in this build (the rest were cached). */
  searchPartitions: number;
  searchPartitionsIndexed: number;
  /** What the built site weighs, as GitHub Pages counts it (its limit is 1 GB). */
  siteBytes: number;
  ms: number;
}

/**
 * Each mirror page again at its version's permanent address, /<hash_url>/<YYYYMMDDhhmmss>/ (DESIGN.md "Mirror
 * address"), so a citation of this version resolves today. The page is the same file: its images are addressed from
 * the site root (filters.ts rootImages) and every other link through the prefix, so nothing in it depends on the
 * folder it is served from. Earlier versions have pages of their own, rendered from their own files (capture.njk).
 */
async function publishVersionAddresses(captures: Capture[], out: string): Promise<void> {
  const limit = pLimit(8);
  await Promise.all(
    captures.map((capture) =>
      limit(async () => {
        const folder = path.join(out, capture.hash_url, capture.version);
        try {
          await mkdir(folder, { recursive: true });
          // A hard link where the file system allows (the Pages artifact dereferences it, as for search bundles).
          const page = path.join(out, capture.hash_url, "index.html");
          await link(page, path.join(folder, "index.html")).catch(() => copyFile(page, path.join(folder, "index.html")));
        } catch (cause) {
          throw new SiteBuildError(`Could not publish ${capture.versionPath}: ${(cause as Error).message}`, { cause });
        }
      }),
    ),
  );
}

/**
 * The captures' images and stored files, copied here rather than as thousands of one-file Eleventy passthrough
 * entries. Only files the loader allowed (capture.assets) are copied: index.html there is the raw capture.
 */
async function copyCaptureFiles(captures: Capture[], out: string): Promise<void> {
  const files = captures.flatMap((capture) => capture.assets.map((asset) => [path.join(capture.folder, asset), path.join(out, capture.hash_url, asset)] as const));
  const limit = pLimit(8);
  await Promise.all(
    files.map(([from, to]) =>
      limit(async () => {
        try {
          await copyFile(from, to);
        } catch (cause) {
          throw new SiteBuildError(`Could not copy ${from} to ${to}: ${(cause as Error).message}`, { cause });
        }
      }),
    ),
  );
}

export async function buildSite({ cacheDir, linksFile, outDir, site, search = true, searchCacheDir, searchPartitionSize = SEARCH_PARTITION_SIZE, refused }: BuildOptions): Promise<BuildSummary> {
  const started = performance.now();
  const out = path.resolve(outDir);
  // Emptying the output folder is only safe for a folder of its own.
  if (out === path.parse(out).root || out === process.cwd() || out === path.resolve(cacheDir) || out === SITE_DIR.replace(/\/$/, "")) {
    throw new SiteBuildError(`Refusing to use ${out} as the output folder: it would be emptied. Choose a folder like _site/.`);
  }
  let annotations;
  try {
    annotations = linksFile ? await loadAnnotations(linksFile) : undefined;
  } catch (cause) {
    throw new SiteBuildError((cause as Error).message, { cause });
  }
  const archive = await loadArchive(cacheDir, { annotations, refused });
  await rm(out, { recursive: true, force: true });
  // Known before rendering: the search page lists the bundles search.js merges.
  const partitions = partitionCaptures(archive.captures, searchPartitionSize);
  const searchBundles = bundlePaths(partitions);

  // Eleventy keeps every page it rendered in memory until its run ends, so
  // the listing pages are one run and the mirror pages further runs of a few thousand each, made of whole search
  // partitions. While Eleventy renders a batch on one core, Pagefind's binary indexes the previous one on the other.
  const render = async (input: string, mirrors: Capture[]): Promise<number> => {
    // configPath "" loads no config file: the wiring comes from configureSite with the options given here.
    const eleventy = new Eleventy(input, out, {
      configPath: "",
      quietMode: true,
      pathPrefix: site.pathPrefix,
      config: (eleventyConfig) =>
        configureSite(eleventyConfig, { site, archive, mirrors, searchBundles, copySiteAssets: input === SITE_DIR, copyCaptureFiles: false }),
    });
    try {
      return (await eleventy.write()).flat().length;
    } catch (cause) {
      throw new SiteBuildError(`Eleventy could not build ${out} from ${cacheDir}: ${(cause as Error).message}`, { cause });
    }
  };
  let written = await render(SITE_DIR, []);
  collectGarbage();
  await writeMirrorLookup(archive.captures, out);
  const indexer = search ? await createSearchIndexer({ outDir: out, language: site.language, cacheDir: searchCacheDir }) : undefined;
  let indexing: Promise<void> = Promise.resolve();
  for (const batch of mirrorBatches(partitions)) {
    const mirrors = batch.flatMap((partition) => partition.captures);
    written += await render(path.join(SITE_DIR, "capture.njk"), mirrors);
    collectGarbage();
    await copyCaptureFiles(mirrors, out);
    await publishVersionAddresses(mirrors, out);
    await writeTimemaps(site, mirrors, out);
    await indexing;
    indexing = indexer ? indexer.add(batch) : Promise.resolve();
    // Awaited below (or in the next round), where its error is thrown; this only keeps Node from calling it unhandled.
    indexing.catch(() => {});
  }
  await indexing;
  const indexed = indexer ? await indexer.finish() : { pages: 0, partitions: 0, partitionsIndexed: 0 };
  return {
    captures: archive.captures.length,
    failures: archive.failures.length,
    problems: archive.problems,
    pagesWritten: written,
    pagesIndexed: indexed.pages,
    searchPartitions: indexed.partitions,
    searchPartitionsIndexed: indexed.partitionsIndexed,
    siteBytes: await folderBytes(out),
    ms: Math.round(performance.now() - started),
  };
}
