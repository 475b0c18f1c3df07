/**
 * `npx tsx tools/screenshots.ts`: docs/screenshots/*.png for the README — the index and an article page, light and
 * dark, from the fixture cache (so they never show someone's real archive). Builds into a temp folder, serves it on
 * 127.0.0.1 and drives Debian's Chromium (CHROMIUM_PATH overrides).
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "./chromium.ts";
import { buildSite } from "../src/site/build.ts";
import { resolveSiteConfig } from "../src/site/config.ts";
import { hashUrl } from "../src/cache/layout.ts";
import { serveSite } from "../src/site/serve.ts";

const OUT = "docs/screenshots";
const ARTICLE = hashUrl("https://arstechnica.com/security/2015/05/just-released-minecraft-exploit-makes-it-easy-to-crash-game-servers/");

const tmp = await mkdtemp(path.join(os.tmpdir(), "screenshots-"));
const site = resolveSiteConfig({ title: "Link archive", author: "the archive's owner", url: "https://owner.example" });
await buildSite({ cacheDir: "test/fixtures/cache", outDir: path.join(tmp, "_site"), site });
const server = await serveSite({ root: path.join(tmp, "_site"), pathPrefix: site.pathPrefix });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS, headless: true });
try {
  await mkdir(OUT, { recursive: true });
  for (const colorScheme of ["light", "dark"] as const) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 820 }, colorScheme, deviceScaleFactor: 1 });
    const page = await context.newPage();
    for (const [name, sitePath] of [["index", ""], ["article", `${ARTICLE}/`]] as const) {
      await page.goto(server.url + sitePath);
      // Tall enough for the article's first paragraphs below its header and image.
      await page.screenshot({ path: `${OUT}/${name}-${colorScheme}.png`, fullPage: true, clip: { x: 0, y: 0, width: 1100, height: name === "article" ? 1500 : 1100 } });
      console.log(`${OUT}/${name}-${colorScheme}.png`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
  await rm(tmp, { recursive: true, force: true });
}
