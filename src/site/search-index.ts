/**
 * The search index, in partitions the browser merges: Pagefind holds everything it indexes in memory, so one index
 * over a large archive would take gigabytes (npm run bench, (d)). Captures are split by the leading bits of their hash_url into partitions
 * of about `partitionSize`; each partition is its own Pagefind bundle under <site>/pagefind/<id>/, and search.js loads
 * the first and merges the rest with Pagefind's mergeIndex. Each bundle is kept in a cache folder under a key made of
 * exactly what it indexes, so a build re-indexes only the partitions whose captures changed.
 * Input: the built site (mirror pages are read back from it), the partitions, the site's language, a cache folder.
 * Pagefind indexes only each mirror page's <article>, fed from memory (addHTMLFile), never the site's chrome.
 * Output: the bundles in <site>/pagefind/ and counts. Errors: SearchIndexError with Pagefind's own messages.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { copyFile, link, mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import * as pagefind from "pagefind";
import type { Capture } from "./data.ts";
import { SearchIndexError } from "./errors.ts";
import { FILES_AT_ONCE, SEARCH_PARTITION_SIZE } from "./limits.ts";

/** Bump when what is indexed or how changes, so cached partitions are not reused across the change. */
const INDEX_FORMAT = "1";
/**
 * What a merged partition needs (its entry, metadata, index, fragments, and the filters of tagged captures); the
 * first (primary) also needs the runtime.
 */
const DATA_FILES = /^(pagefind-entry\.json|pagefind\.[\w-]+\.pf_meta|index|fragment|filter)$/;
const RUNTIME_FILES = /^(pagefind\.js|pagefind-worker\.js|wasm\.[\w-]+\.pagefind)$/;
/** Pagefind's version is part of every cache key: a bundle from another version is never reused. */
const PAGEFIND_VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.resolve("pagefind")), "utf8")) as { version: string }).version;

export interface SearchPartition {
  /** Folder name under <site>/pagefind/, e.g. "part-03". */
  id: string;
  captures: Capture[];
}

/**
 * A power-of-two number of partitions, each the captures whose hash_url starts with the same bits: adding a capture
 * changes exactly one partition, and the boundaries move only when the archive doubles. Empty partitions are dropped.
 */
export function partitionCaptures(captures: Capture[], partitionSize = SEARCH_PARTITION_SIZE): SearchPartition[] {
  const wanted = Math.max(1, Math.ceil(captures.length / Math.max(1, partitionSize)));
  const bits = Math.min(16, Math.ceil(Math.log2(wanted)));
  const groups = new Map<number, Capture[]>();
  for (const capture of captures) {
    const slot = bits === 0 ? 0 : parseInt(capture.hash_url.slice(0, 4), 16) >>> (16 - bits);
    const group = groups.get(slot) ?? [];
    group.push(capture);
    groups.set(slot, group);
  }
  const width = String((1 << bits) - 1).length;
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([slot, group]) => ({ id: `part-${String(slot).padStart(width, "0")}`, captures: group.sort((a, b) => a.hash_url.localeCompare(b.hash_url)) }));
}

/** Site paths of the bundles, primary first: the search page hands these to search.js. */
export const bundlePaths = (partitions: SearchPartition[]): string[] => partitions.map((p) => `/pagefind/${p.id}/`);

/**
 * What Pagefind indexes of a mirror page: its <article data-pagefind-body> (title and text, the rest marked
 * data-pagefind-ignore), as a page of its own. The capture template puts nothing but escaped text between the
 * article's end and the end of the page, so the last </article> is the template's own even if a capture carried one.
 */
export function searchRecord(page: string, language: string): string | undefined {
  const start = page.indexOf("<article class=\"capture");
  const end = page.lastIndexOf("</article>");
  if (start < 0 || end < start) return undefined;
  return `<!doctype html><html lang="${language}"><body>${page.slice(start, end + "</article>".length)}</body></html>`;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

export interface SearchIndexOptions {
  /** The built site: mirror pages are read from <outDir>/<hash_url>/index.html, bundles written to <outDir>/pagefind/. */
  outDir: string;
  /** The site's language: every capture goes into one language whatever its <html lang> (see forceLanguage below). */
  language: string;
  /** Where bundles are kept between builds (gitignored); without one, every partition is indexed. */
  cacheDir?: string;
}

export interface SearchIndexSummary {
  /** Pages in the index, over all partitions. */
  pages: number;
  partitions: number;
  /** Partitions indexed by Pagefind in this build; the others came from the cache. */
  partitionsIndexed: number;
}

async function pageCount(bundle: string): Promise<number> {
  const entry = JSON.parse(await readFile(path.join(bundle, "pagefind-entry.json"), "utf8")) as { languages: Record<string, { page_count: number }> };
  return Object.values(entry.languages).reduce((sum, l) => sum + l.page_count, 0);
}

/** One partition's bundle, written to `bundle` (a folder that does not exist yet). */
async function indexPartition(records: Array<{ url: string; content: string }>, forceLanguage: string, bundle: string): Promise<void> {
  const { index, errors } = await pagefind.createIndex({ forceLanguage });
  try {
    if (!index) throw new SearchIndexError(`Pagefind could not start: ${errors.join("; ")}`);
    for (const record of records) {
      const added = await index.addHTMLFile(record);
      if (added.errors.length > 0) throw new SearchIndexError(`Pagefind could not index ${record.url}: ${added.errors.join("; ")}`);
    }
    const written = await index.writeFiles({ outputPath: bundle });
    if (written.errors.length > 0) throw new SearchIndexError(`Pagefind could not write its index: ${written.errors.join("; ")}`);
  } finally {
    // The service is a child process holding the whole partition in memory: stopping it after each partition returns
    // that memory at once (it restarts on the next call), and the build exits instead of waiting on it.
    await pagefind.close();
  }
}

/**
 * Puts the files of `from` into `to` as hard links (copies where the file system cannot link, as across devices):
 * a bundle is ~900 small files, and copying them took ~0.75 s a partition, a third of a rebuild at 10,000 captures.
 * Safe because a cached bundle is never written again: a changed partition is a new bundle, renamed into place. A
 * Pages artifact may not contain links, but actions/upload-pages-artifact archives with `--hard-dereference`, so they
 * arrive as plain files. `keep` chooses among the top folder's entries by name; everything below a kept folder is taken.
 */
async function linkTree(from: string, to: string, keep: (name: string) => boolean = () => true): Promise<void> {
  await mkdir(to, { recursive: true });
  const entries = (await readdir(from, { withFileTypes: true })).filter((entry) => keep(entry.name));
  const limit = pLimit(FILES_AT_ONCE);
  await Promise.all(
    entries.map((entry) =>
      limit(async () => {
        const source = path.join(from, entry.name);
        const target = path.join(to, entry.name);
        if (entry.isDirectory()) await linkTree(source, target);
        else await link(source, target).catch(() => copyFile(source, target));
      }),
    ),
  );
}

export interface SearchIndexer {
  /** Indexes these partitions (or takes them from the cache) and puts their bundles into the site (linkTree). */
  add(partitions: SearchPartition[]): Promise<void>;
  /** Drops cached bundles this build did not use; returns the counts. */
  finish(): Promise<SearchIndexSummary>;
}

/**
 * Partitions can be added while the rest of the site is still rendering (buildSite hands them over a batch at a
 * time, so Pagefind's binary indexes on one core while Eleventy renders on the other). The first partition added is
 * the primary: only its bundle carries Pagefind's script, worker and WebAssembly.
 */
export async function createSearchIndexer({ outDir, language, cacheDir }: SearchIndexOptions): Promise<SearchIndexer> {
  // Pagefind otherwise splits the index by language, and the search page (in the site's language) would never find
  // an Arabic or German capture.
  const forceLanguage = language.split("-")[0]?.toLowerCase() ?? "en";
  const target = path.join(outDir, "pagefind");
  const store = cacheDir ? path.resolve(cacheDir) : path.join(outDir, ".pagefind-work");
  await mkdir(store, { recursive: true });
  const used = new Set<string>();
  let pages = 0;
  let indexed = 0;

  async function addPartition(partition: SearchPartition): Promise<void> {
    const primary = used.size === 0;
    const records: Array<{ url: string; content: string }> = [];
    const key = createHash("sha256").update(`${INDEX_FORMAT}\0${PAGEFIND_VERSION}\0${forceLanguage}\0`);
    for (const capture of partition.captures) {
      const file = path.join(outDir, capture.hash_url, "index.html");
      const content = searchRecord(await readFile(file, "utf8"), forceLanguage);
      if (!content) throw new SearchIndexError(`${file} has no <article> to index: was it built from site/capture.njk?`);
      records.push({ url: capture.path, content });
      key.update(`${capture.path}\0${sha256(content)}\n`);
    }
    const name = `${partition.id}-${key.digest("hex").slice(0, 24)}`;
    const bundle = path.join(store, name);
    used.add(name);
    if (!(await pageCount(bundle).then(() => true, () => false))) {
      // Written beside its final name and renamed, so an interrupted build never leaves a half bundle in the cache.
      const work = `${bundle}.tmp`;
      await rm(work, { recursive: true, force: true });
      await indexPartition(records, forceLanguage, work);
      await rm(bundle, { recursive: true, force: true });
      await rename(work, bundle);
      indexed++;
    }
    pages += await pageCount(bundle);
    // Merged partitions are searched with the primary's WebAssembly and worker: only the first carries them. The
    // default UI files are left out: the site has its own small UI.
    await linkTree(bundle, path.join(target, partition.id), (name) => DATA_FILES.test(name) || (primary && RUNTIME_FILES.test(name)));
  }

  return {
    async add(partitions) {
      for (const partition of partitions) await addPartition(partition);
    },
    async finish() {
      if (cacheDir) {
        // Keep only this build's bundles: the cache stays the size of one index.
        for (const entry of await readdir(store)) if (!used.has(entry)) await rm(path.join(store, entry), { recursive: true, force: true });
      } else {
        await rm(store, { recursive: true, force: true });
      }
      return { pages, partitions: used.size, partitionsIndexed: indexed };
    },
  };
}
