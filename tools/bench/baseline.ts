/**
 * The benchmark's baseline (issue 5, part a), run as a child process: the textbook way to get readable, sanitized
 * HTML out of pages — `new JSDOM(html)`, `new Readability(document).parse()`, `sanitizeHtml(content)` with
 * sanitize-html's defaults — over the same page bytes the archiver is served, one page after the other, one process,
 * no network. It hands the event loop a turn between pages, as any async caller does, so finished documents can be
 * collected. Argument: a file listing the page files, one a line. Reports BaselineFigures.
 */
import { readFileSync } from "node:fs";
import { Readability } from "@mozilla/readability";
import { JSDOM, VirtualConsole } from "jsdom";
import sanitizeHtml from "sanitize-html";
import { processFigures, report, type ProcessFigures } from "./child.ts";

export interface BaselineFigures extends ProcessFigures {
  pages: number;
  /** Pages where Readability found an article. */
  articles: number;
  /** The loop over the pages, from the first parse to the last sanitize. */
  wallMs: number;
  msPerPage: number;
}

const files = readFileSync(process.argv[2]!, "utf8").split("\n").filter(Boolean);
// Read up front: the baseline measures parsing, not the disk.
const pages = files.map((file) => readFileSync(file, "utf8"));
const virtualConsole = new VirtualConsole(); // silent: jsdom reports every stylesheet it cannot parse

const cpu = process.cpuUsage();
const started = performance.now();
let articles = 0;
for (const html of pages) {
  const dom = new JSDOM(html, { virtualConsole });
  const article = new Readability(dom.window.document).parse();
  if (article?.content) {
    sanitizeHtml(article.content);
    articles += 1;
  }
  await new Promise((resolve) => setImmediate(resolve));
}
const wallMs = performance.now() - started;
const figures: BaselineFigures = { pages: pages.length, articles, wallMs, msPerPage: wallMs / pages.length, ...processFigures(cpu) };
report(figures);
