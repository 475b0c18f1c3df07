/**
 * `npm run demo`: a tour that needs no internet. A local node:http server plays the web — seven real articles bundled
 * in demo/pages/, this project's demo/tour.html with two images sharp draws at start, and one dead link — and the real
 * archiver and site build run against it, in a throwaway folder under the system temp dir. The site is then served
 * until Ctrl-C (which deletes the folder); `--once` builds, prints the folder and exits instead (tests use it).
 * Never reads or writes the repository's links.txt, cache/ or _site/, and never opens a connection off this machine.
 * Exit codes: 0 the site was built (the dead link failing is part of the tour); 1 the build failed; 2 usage error.
 */
import { rmSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { helpText, resolveOptions, UsageError, type CommandSpec } from "../util/options.ts";
import { processIo, type CommandIo } from "./run.ts";
import { resolveConfig } from "../archive/config.ts";
import { BlockedAddressError } from "../archive/errors.ts";
import { createFetcherFor } from "../archive/fetch/index.ts";
import { hashUrl } from "../cache/layout.ts";
import { createReporter } from "../archive/progress.ts";
import { archiveLinks } from "../archive/run.ts";
import type { Fetcher } from "../archive/types.ts";
import { buildSite } from "../site/build.ts";
import { loadSiteConfig } from "../site/config.ts";
import { serveSite, type StaticServer } from "../site/serve.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PAGES_DIR = path.join(ROOT, "demo", "pages");
const TOUR_PAGE = path.join(ROOT, "demo", "tour.html");


export interface DemoOptions {
  /** Build, print the folder and return instead of serving until a signal. */
  once: boolean;
  /** Port for the site; 0 picks a free one. */
  port: number;
  /** Where the narration and the archiver's progress go (a terminal gets a progress bar). */
  out?: Pick<Writable, "write"> & { isTTY?: boolean; columns?: number };
}

/** The stand-in internet: what it serves, keyed by path. */
interface DemoWeb {
  origin: string;
  /** The links of the tour, in the order they go into links.txt. */
  links: string[];
  tourUrl: string;
  close(): Promise<void>;
}

/** Two images the tour page shows, drawn now so the repository holds no binary files for them. */
async function drawImages(): Promise<Map<string, { type: string; body: Buffer }>> {
  const sunrise = `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="480">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#1d3b6f"/><stop offset="1" stop-color="#f4a259"/></linearGradient></defs>
    <rect width="960" height="480" fill="url(#sky)"/>
    <circle cx="480" cy="330" r="110" fill="#ffd166"/>
    <path d="M0 380 Q 200 260 420 380 T 960 360 V480 H0 Z" fill="#2a9d8f"/>
    <path d="M0 430 Q 300 330 620 430 T 960 420 V480 H0 Z" fill="#264653"/>
  </svg>`;
  const width = 800;
  const height = 300;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = x / (width - 1);
      const i = (y * width + x) * 3;
      pixels[i] = Math.round(40 + 200 * t);
      pixels[i + 1] = Math.round(110 + 40 * Math.sin((y / height) * Math.PI));
      pixels[i + 2] = Math.round(220 - 180 * t);
    }
  }
  return new Map([
    ["/images/sunrise.png", { type: "image/png", body: await sharp(Buffer.from(sunrise)).png().toBuffer() }],
    ["/images/gradient.jpg", { type: "image/jpeg", body: await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer() }],
  ]);
}

async function startDemoWeb(): Promise<DemoWeb> {
  const routes = new Map<string, { type: string; body: Buffer }>();
  routes.set("/tour/", { type: "text/html; charset=utf-8", body: await readFile(TOUR_PAGE) });
  const names = (await readdir(PAGES_DIR)).filter((file) => file.endsWith(".html")).map((file) => file.slice(0, -5)).sort();
  for (const name of names) {
    // Readability's suite stores every page as UTF-8, so that is what the stand-in server says it is.
    routes.set(`/pages/${name}/`, { type: "text/html; charset=utf-8", body: await readFile(path.join(PAGES_DIR, `${name}.html`)) });
  }
  for (const [route, image] of await drawImages()) routes.set(route, image);

  const server = http.createServer((req, res) => {
    const route = routes.get(new URL(req.url ?? "/", "http://localhost").pathname);
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("This page is gone: link rot, as the tour's dead link shows.\n");
      return;
    }
    res.writeHead(200, { "content-type": route.type, "content-length": route.body.length });
    res.end(req.method === "HEAD" ? undefined : route.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tourUrl = `${origin}/tour/`;
  return {
    origin,
    tourUrl,
    links: [tourUrl, ...names.map((name) => `${origin}/pages/${name}/`), `${origin}/gone/`],
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * The archiver's own fetcher, kept on the stand-in server: the bundled pages' images point at the real sites, and a
 * tour that promises no internet must not reach them. No name resolves, and any other address is refused as blocked.
 */
function offlineFetcher(inner: Fetcher, origin: string): Fetcher {
  return {
    fetch(url, request) {
      if (new URL(url).origin !== origin) {
        return Promise.reject(new BlockedAddressError(`the tour stays offline: ${url} is not on its local server`));
      }
      return inner.fetch(url, request);
    },
    close: () => inner.close(),
  };
}

/** Runs the tour; resolves once the site is built (with --once) or once the served site is stopped. */
export async function runDemo({ once, port, out = process.stdout }: DemoOptions): Promise<number> {
  const say = (text = "") => void out.write(`${text}\n`);
  const dir = await mkdtemp(path.join(os.tmpdir(), "link-archive-demo-"));
  // Ctrl-C before the site is up: the half-made folder goes too (the serving phase below handles its own stop).
  const abandon = () => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", abandon);
  process.once("SIGTERM", abandon);
  const linksFile = path.join(dir, "links.txt");
  const cacheDir = path.join(dir, "cache");
  const outDir = path.join(dir, "_site");
  // The site is served from the start (its files are read per request), so a taken port is known before any work
  // and the site's own address is known when it is built. The repository's settings, without SITE_* overrides.
  const site = { ...(await loadSiteConfig(path.join(ROOT, "site.config.json"), {})) };
  let server: StaticServer | undefined;
  try {
    server = once ? undefined : await serveSite({ root: outDir, pathPrefix: site.pathPrefix, port });
  } catch (error) {
    say(`error: could not serve the tour's site on port ${port}: ${(error as Error).message}. Choose another with --port N.`);
    await rm(dir, { recursive: true, force: true });
    return 1;
  }
  if (server) site.url = new URL(server.url).origin;
  const web = await startDemoWeb();
  say("The tour: a server on this machine plays the internet, and the real archiver and site build run against it.");
  say(`  pages served at ${web.origin}/  (the tour page, ${web.links.length - 2} real articles and one dead link)`);
  say(`  working folder  ${dir}  (links.txt, cache/, _site/; your own links.txt, cache/ and _site/ are not touched)`);
  say();

  await writeFile(
    linksFile,
    // The tour page's line carries a note and a tag, as a line of your own may: the site shows both, and /tags/tour/.
    ["# The tour's links file: one URL a line, as in your own links.txt.", `${web.links[0]}  # what the archiver keeps and what it drops #tour`, ...web.links.slice(1), ""].join("\n"),
  );
  const isTTY = out.isTTY === true;
  // Flags only, no environment: the tour is the same whatever ARCHIVE_* the shell has set.
  const { config } = resolveConfig(
    ["--links", linksFile, "--cache", cacheDir, "--allow-private-network", "--retries", "0", "--progress", isTTY ? "bar" : "lines"],
    {},
    dir,
    isTTY,
  );
  const fetcher = offlineFetcher(
    createFetcherFor(config, { offline: true }),
    web.origin,
  );
  try {
    await archiveLinks(config, { fetcher, reporter: createReporter(config.progress, out) });
  } catch (error) {
    await server?.close();
    throw error;
  } finally {
    await fetcher.close();
    // From here on the site is built and served from the captures alone: the "internet" is gone.
    await web.close();
  }

  say();
  try {
    const summary = await buildSite({ cacheDir, linksFile, outDir, site });
    for (const problem of summary.problems) say(`warning: ${problem.where}: ${problem.reason} (left out of the site)`);
    say(`Built the site in ${(summary.ms / 1000).toFixed(1)} s: ${summary.captures} captures, ${summary.failures} failed link${summary.failures === 1 ? "" : "s"}, ${summary.pagesIndexed} pages indexed for search.`);
  } catch (error) {
    say(`error: ${(error as Error).message}`);
    await server?.close();
    return 1;
  }

  process.off("SIGINT", abandon);
  process.off("SIGTERM", abandon);
  const mirror = `${hashUrl(web.tourUrl)}/`;
  if (!server) {
    say(`The tour's site is in ${outDir}`);
    say(`  the tour page's capture: ${path.join(cacheDir, hashUrl(web.tourUrl), "index.html")}`);
    say(`  its mirror page: ${path.join(outDir, hashUrl(web.tourUrl), "index.html")}  (/<md5 of ${web.tourUrl}>/)`);
    say(`The folder is kept; delete it when you are done:  rm -r ${dir}`);
    return 0;
  }
  say();
  say(`The tour's site: ${server.url}`);
  say(`  start with the tour page's mirror: ${server.url}${mirror}  (/<md5 of ${web.tourUrl}>/)`);
  say("Press Ctrl-C to stop; the working folder is deleted then.");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  await rm(dir, { recursive: true, force: true });
  say(`\nStopped; deleted ${dir}.`);
  return 0;
}

export const DEMO_COMMAND: CommandSpec = {
  name: "demo",
  summary:
    "A tour that needs no internet: a local server plays the web, the archiver captures its pages into a throwaway\n" +
    "folder, and the site built from them is served on 127.0.0.1. Your links.txt, cache/ and _site/ are not touched.",
  options: [
    { flag: "once", kind: "boolean", default: false, help: "build the site, print where it is and exit (the folder is kept) instead of serving it" },
    { flag: "port", kind: "integer", value: "N", default: 0, defaultText: "any free port", min: 0, max: 65_535, help: "serve the site on this port" },
  ],
  footer: ["Exit codes: 0 the site was built (the dead link failing is part of the tour); 1 the build failed; 2 usage error."],
};

export async function demoCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let values;
  try {
    ({ values } = resolveOptions(DEMO_COMMAND, argv, io.env));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`demo: ${error.message}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${helpText(DEMO_COMMAND)}\n`);
    return 0;
  }
  return runDemo({ once: values.once === true, port: values.port as number, out: io.stdout });
}
