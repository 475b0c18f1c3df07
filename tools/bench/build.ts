/**
 * The build half of `npm run bench` (issue 5, parts d and e): a synthetic cache of N captures with realistic text,
 * built three ways, each in a child process so its peak memory is its own (summed over its process tree, which
 * includes Pagefind's indexing binary):
 *   bare    — bare Eleventy (the same N bodies into N pages with a trivial layout) + bare Pagefind (Node API, one
 *             index over those pages), the reference;
 *   build   — our build (buildSite, what `npm run build` runs) with an empty search cache;
 *   rebuild — our build again after one capture was added, reusing the search cache of the first build.
 * Input: N and a work folder (emptied first). Output: BuildBenchFigures. Side effects: writes into the work folder only.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderCaptureFile } from "../../src/cache/capture-file.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import type { CaptureMeta } from "../../src/cache/types.ts";
import { isMain } from "../../src/cli/run.ts";
import { PAGES, readSource } from "../readability-pages.ts";

export interface BuildBenchFigures {
  captures: number;
  buildMs: number;
  buildPeakRssBytes: number;
  bareMs: number;
  barePeakRssBytes: number;
  ratio: number;
  rebuildMs: number;
  rebuildPeakRssBytes: number;
  /** The built site, as GitHub Pages counts it, over its captures: what one capture costs the 1 GB. */
  siteBytes: number;
  siteBytesPerCapture: number;
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);
/** One capture in this many has an image (a few distinct images, stored in each capture's folder as the archiver does). */
const IMAGE_EVERY = 5;
const DISTINCT_DOMAINS = 300;

// ---------------------------------------------------------------------------------------------------------------
// The synthetic cache

/** mulberry32: a small seeded PRNG, so capture i is the same text in every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", "#39": "'" };
const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

/** Sentences of real prose from the 130 Readability test pages (tags stripped with regexes: jsdom is too slow here). */
export async function loadSentences(): Promise<string[]> {
  const sentences = new Set<string>();
  for (const name of PAGES) {
    const html = readSource(name).toString("utf8");
    const text = html
      .replace(/<(script|style|noscript|svg|template)\b[\s\S]*?<\/\1>/gi, " ")
      .replace(/<!--[\s\S]*?-->/g, " ")
      .replace(/<[^>]+>/g, " ")
      .replace(/&(#?\w+);/g, (whole, name: string) =>
        name.startsWith("#") && /^#\d+$/.test(name) ? String.fromCodePoint(Number(name.slice(1))) : (ENTITIES[name] ?? whole),
      )
      .replace(/\s+/g, " ");
    for (const sentence of text.split(/(?<=[.!?])\s+(?=\p{Lu})/u)) {
      const words = sentence.trim().split(" ");
      const letters = sentence.replace(/[^\p{L}\s]/gu, "").length;
      if (words.length >= 6 && words.length <= 40 && letters / sentence.length > 0.8 && /[.!?]$/.test(sentence)) sentences.add(sentence.trim());
    }
  }
  if (sentences.size < 100) throw new Error(`Found only ${sentences.size} sentences in the Readability test pages (test/fixtures/readability-pages/): are they all there?`);
  return [...sentences];
}

function domainsFrom(sentences: string[]): string[] {
  const words = [...new Set(sentences.flatMap((s) => s.toLowerCase().split(/[^a-z]+/)).filter((w) => w.length >= 4 && w.length <= 9))];
  const next = random(7);
  const pick = () => words[Math.floor(next() * words.length)] ?? "news";
  const tlds = ["com", "org", "net", "io", "dev", "co.uk", "de", "fr", "blog"];
  const domains = new Set<string>();
  while (domains.size < DISTINCT_DOMAINS) domains.add(`${pick()}${pick()}.${tlds[domains.size % tlds.length]}`);
  return [...domains];
}

export interface SyntheticCache {
  sentences: string[];
  domains: string[];
  images: Array<{ name: string; bytes: Buffer; width: number; height: number }>;
}

async function syntheticImages(): Promise<SyntheticCache["images"]> {
  const { default: sharp } = await import("sharp");
  const images: SyntheticCache["images"] = [];
  for (let i = 0; i < 5; i++) {
    const [width, height] = [480 + i * 40, 270 + i * 20];
    const bytes = await sharp({ create: { width, height, channels: 3, background: { r: 40 * i, g: 120, b: 200 - 30 * i } } }).webp({ quality: 70 }).toBuffer();
    images.push({ name: `${createHash("sha256").update(bytes).digest("hex").slice(0, 32)}.webp`, bytes, width, height });
  }
  return images;
}

export async function prepareSyntheticCache(): Promise<SyntheticCache> {
  const sentences = await loadSentences();
  return { sentences, domains: domainsFrom(sentences), images: await syntheticImages() };
}

/** Writes capture number `i` (front matter per CaptureMeta, 300–3,000 words of real sentences) into cacheDir. */
export async function writeSyntheticCapture(cacheDir: string, i: number, { sentences, domains, images }: SyntheticCache): Promise<string> {
  const next = random(i + 1);
  const sentence = () => sentences[Math.floor(next() * sentences.length)] ?? "";
  const domain = domains[Math.floor(next() * domains.length)] ?? "example.com";
  const target = 300 + Math.floor(next() * 2700);
  const image = i % IMAGE_EVERY === 0 ? images[i % images.length] : undefined;
  const title = sentence().split(" ").slice(0, 6 + Math.floor(next() * 6)).join(" ").replace(/[.,;:!?]+$/, "");
  const parts: string[] = [];
  if (image) parts.push(`<figure><img src="${image.name}" width="${image.width}" height="${image.height}" alt="An illustration"><figcaption>${escapeHtml(sentence())}</figcaption></figure>`);
  let words = 0;
  let paragraphs = 0;
  while (words < target) {
    if (paragraphs > 0 && paragraphs % 6 === 0) parts.push(`<h2>${escapeHtml(sentence().split(" ").slice(0, 5).join(" "))}</h2>`);
    const paragraph: string[] = [];
    for (let n = 3 + Math.floor(next() * 5); n > 0; n--) paragraph.push(sentence());
    words += paragraph.join(" ").split(" ").length;
    parts.push(`<p>${escapeHtml(paragraph.join(" "))}</p>`);
    paragraphs++;
  }
  const body = `${parts.join("\n")}\n`;
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "post";
  const url = `https://www.${domain}/${2015 + (i % 10)}/${slug}-${i}`;
  const hash = hashUrl(url);
  const archived = new Date(Date.UTC(2024, 0, 1) + i * 37 * 60_000).toISOString();
  const meta: CaptureMeta = {
    title,
    url,
    hash_url: hash,
    archived_at: archived,
    final_url: url,
    status: "captured",
    kind: "article",
    content_type: "text/html",
    http_status: 200,
    byline: `${sentence().split(" ")[0]} ${sentence().split(" ")[1]}`.replace(/[^\p{L} ]/gu, "") || undefined,
    site_name: domain,
    lang: "en",
    excerpt: sentence(),
    published_at: new Date(Date.UTC(2015 + (i % 10), i % 12, 1 + (i % 28))).toISOString(),
    word_count: words,
    images: image ? 1 : 0,
    images_failed: 0,
    content_sha256: createHash("sha256").update(body).digest("hex"),
    archiver: "bench",
  };
  const folder = path.join(cacheDir, hash);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, "index.html"), renderCaptureFile(meta, body));
  if (image) await writeFile(path.join(folder, image.name), image.bytes);
  return hash;
}

export async function writeSyntheticCache(cacheDir: string, captures: number, synthetic: SyntheticCache): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  let i = 0;
  // A few writes at once: 10,000 folders in a second or two, without opening 10,000 files together.
  const worker = async () => {
    while (i < captures) await writeSyntheticCapture(cacheDir, i++, synthetic);
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring a child process: wall time, and the peak of the summed RSS of its whole process tree

const PAGE_SIZE = 4096;

async function descendants(pid: number): Promise<number[]> {
  const found = [pid];
  for (let i = 0; i < found.length; i++) {
    const parent = found[i] as number;
    let tasks: string[];
    try {
      tasks = await readdir(`/proc/${parent}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      const children = await readFile(`/proc/${parent}/task/${task}/children`, "utf8").catch(() => "");
      for (const child of children.split(" ")) if (child.trim()) found.push(Number(child));
    }
  }
  return found;
}

async function treeRss(pid: number): Promise<number> {
  let total = 0;
  for (const p of await descendants(pid)) {
    const statm = await readFile(`/proc/${p}/statm`, "utf8").catch(() => "");
    total += Number(statm.split(" ")[1] ?? 0) * PAGE_SIZE;
  }
  return total;
}

interface ChildFigures {
  ms: number;
  peakRssBytes: number;
  result: { maxRssBytes: number; detail?: Record<string, unknown> };
}

async function measureChild(mode: string, args: Record<string, unknown>, log: (line: string) => void): Promise<ChildFigures> {
  const started = performance.now();
  // tsx as an import hook, from the project root, under the Node running the bench (Node 24 under npm).
  const child = spawn(process.execPath, ["--import", "tsx", THIS_FILE, mode, JSON.stringify(args)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling && child.pid) {
      peak = Math.max(peak, await treeRss(child.pid));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const ms = Math.round(performance.now() - started);
  sampling = false;
  await sampler;
  const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
  if (code !== 0 || !line) throw new Error(`The ${mode} child failed (exit ${code}): ${stderr.trim().slice(-2000) || stdout.trim().slice(-2000)}`);
  const result = JSON.parse(line.slice("BENCH_RESULT ".length)) as { maxRssBytes: number; detail?: Record<string, unknown> };
  // The sampler sees the whole tree every 50 ms; the child's own high-water mark catches a peak between samples.
  const peakRssBytes = Math.max(peak, result.maxRssBytes);
  log(`  ${mode}: ${(ms / 1000).toFixed(1)} s, peak ${(peakRssBytes / 1024 ** 2).toFixed(0)} MB (node alone ${(result.maxRssBytes / 1024 ** 2).toFixed(0)} MB) ${JSON.stringify(result.detail ?? {})}`);
  return { ms, peakRssBytes, result };
}

// ---------------------------------------------------------------------------------------------------------------
// The benchmark

export async function benchBuild({ captures, workDir, log = () => {} }: { captures: number; workDir: string; log?: (line: string) => void }): Promise<BuildBenchFigures> {
  const work = path.resolve(workDir);
  await rm(work, { recursive: true, force: true });
  const cacheDir = path.join(work, "cache");
  const synthetic = await prepareSyntheticCache();
  const writing = performance.now();
  await writeSyntheticCache(cacheDir, captures, synthetic);
  log(`Build bench: ${captures.toLocaleString("en")} synthetic captures written in ${((performance.now() - writing) / 1000).toFixed(1)} s (${synthetic.sentences.length.toLocaleString("en")} real sentences, ${synthetic.domains.length} domains)`);

  const bare = await measureChild("bare", { cacheDir, outDir: path.join(work, "bare-site") }, log);
  await rm(path.join(work, "bare-site"), { recursive: true, force: true });
  const siteArgs = { cacheDir, outDir: path.join(work, "_site"), searchCacheDir: path.join(work, "search-cache") };
  const build = await measureChild("build", siteArgs, log);
  await writeSyntheticCapture(cacheDir, captures, synthetic);
  const rebuild = await measureChild("build", siteArgs, log);
  return {
    captures,
    buildMs: build.ms,
    buildPeakRssBytes: build.peakRssBytes,
    bareMs: bare.ms,
    barePeakRssBytes: bare.peakRssBytes,
    ratio: build.ms / bare.ms,
    rebuildMs: rebuild.ms,
    rebuildPeakRssBytes: rebuild.peakRssBytes,
    siteBytes: Number(rebuild.result.detail?.siteBytes ?? 0),
    siteBytesPerCapture: Number(rebuild.result.detail?.siteBytes ?? 0) / (captures + 1),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The child processes

/** Bare Eleventy: one template paginated over the capture folders, a trivial layout, the body inserted as-is. */
async function bareBuild({ cacheDir, outDir }: { cacheDir: string; outDir: string }): Promise<Record<string, unknown>> {
  const { Eleventy } = await import("@11ty/eleventy");
  const { parse } = await import("yaml");
  const pagefind = await import("pagefind");
  const input = path.join(path.dirname(outDir), "bare-input");
  await rm(input, { recursive: true, force: true });
  await mkdir(input, { recursive: true });
  await writeFile(
    path.join(input, "capture.njk"),
    `---\npagination:\n  data: hashes\n  size: 1\n  alias: hash\npermalink: "/{{ hash }}/"\n---\n{% set c = hash | capture %}<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{{ c.title }}</title></head>\n<body><h1>{{ c.title }}</h1>\n{{ c.body | safe }}\n</body></html>\n`,
  );
  const hashes = (await readdir(cacheDir)).filter((name) => /^[0-9a-f]{32}$/.test(name));
  const eleventy = new Eleventy(input, outDir, {
    configPath: "",
    quietMode: true,
    config: (config) => {
      // The bench works under .bench/, which .gitignore lists, and Eleventy skips git-ignored input by default.
      config.setUseGitIgnore(false);
      config.setTemplateFormats(["njk"]);
      config.addGlobalData("hashes", hashes);
      config.addFilter("capture", ((hash: string) => {
        const text = readFileSync(path.join(cacheDir, hash, "index.html"), "utf8");
        const end = text.indexOf("\n---\n", 4);
        return { title: (parse(text.slice(4, end)) as { title: string }).title, body: text.slice(end + 5) };
      }) as (...args: never[]) => unknown);
    },
  });
  const started = performance.now();
  await eleventy.write();
  const eleventyMs = performance.now() - started;
  // The capture images, copied the plainest way.
  for (const hash of hashes) {
    for (const name of await readdir(path.join(cacheDir, hash))) {
      if (name.endsWith(".webp")) {
        await mkdir(path.join(outDir, hash), { recursive: true });
        await copyFile(path.join(cacheDir, hash, name), path.join(outDir, hash, name));
      }
    }
  }
  const { index } = await pagefind.createIndex({ forceLanguage: "en" });
  if (!index) throw new Error("Pagefind could not start");
  const { page_count } = await index.addDirectory({ path: outDir });
  // A reference that rendered or indexed fewer pages than there are captures would make every ratio a lie.
  if (page_count !== hashes.length) throw new Error(`bare build indexed ${page_count} pages for ${hashes.length} captures`);
  await index.writeFiles({ outputPath: path.join(outDir, "pagefind") });
  await pagefind.close();
  return { eleventyMs: Math.round(eleventyMs), pagefindMs: Math.round(performance.now() - started - eleventyMs), pages: page_count };
}

async function siteBuild({ cacheDir, outDir, searchCacheDir }: { cacheDir: string; outDir: string; searchCacheDir: string }): Promise<Record<string, unknown>> {
  const { buildSite } = await import("../../src/site/build.ts");
  const { resolveSiteConfig } = await import("../../src/site/config.ts");
  const summary = await buildSite({ cacheDir, outDir, searchCacheDir, site: resolveSiteConfig({ url: "https://bench.example" }) });
  const { problems, ...rest } = summary;
  return { ...rest, problems: problems.length };
}

if (isMain(import.meta.url)) {
  const [mode, json = "{}", workDir] = process.argv.slice(2);
  if (mode === "run") {
    // `tsx tools/bench/build.ts run 10000 /tmp/bench-build`: this part of the bench alone.
    const figures = await benchBuild({ captures: Number(json), workDir: workDir ?? ".bench/build", log: console.log });
    console.log(JSON.stringify(figures, null, 2));
    process.exit(0);
  }
  const args = JSON.parse(json) as { cacheDir: string; outDir: string; searchCacheDir: string };
  const detail = mode === "bare" ? await bareBuild(args) : mode === "build" ? await siteBuild(args) : undefined;
  if (!detail) throw new Error(`unknown bench mode ${mode}`);
  // maxRSS is in kilobytes: this process's own high-water mark (its children are sampled by the parent).
  console.log(`BENCH_RESULT ${JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, detail })}`);
}
