/**
 * The site, end to end: test/fixtures/cache is built once (Eleventy + Pagefind) into a temp folder under the path
 * prefix /archive/, served on 127.0.0.1 port 0, and driven with Debian's Chromium.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { JSDOM } from "jsdom";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hashUrl, versionStamp } from "../../src/cache/layout.ts";
import { partitionCaptures } from "../../src/site/search-index.ts";
import { launchBrowser } from "../../tools/chromium.ts";
import type { Capture } from "../../src/site/data.ts";
import { BROKEN_URLS, buildFixtureSite, CAPTURE_URLS, FIXTURE_PARTITION_SIZE, hashOf, openRecordedPage, type FixtureSite } from "./fixture-site.ts";
import { seriousViolations } from "./axe.ts";

/** Appears only in the site's chrome (footer), never in an article: search must not find it. */
const CHROME_ONLY_WORD = "Zyxwvutsowner";

let fixture: FixtureSite;
let browser: Browser;

beforeAll(async () => {
  [fixture, browser] = await Promise.all([buildFixtureSite({ author: CHROME_ONLY_WORD }), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
});

/** The search partition a capture is indexed in, as the build cut them. */
const partitionOf = (hash: string): string | undefined =>
  partitionCaptures(allHashes.map((h) => ({ hash_url: h }) as Capture), FIXTURE_PARTITION_SIZE).find((p) => p.captures.some((c) => c.hash_url === hash))?.id;
const allHashes = Object.keys(CAPTURE_URLS).map((key) => hashOf(key as keyof typeof CAPTURE_URLS));
const isLocal = (url: string): boolean => url.startsWith(fixture.server.url.replace(/\/archive\/$/, "/"));

async function htmlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".html")).map((e) => path.join(e.parentPath, e.name));
}

describe("index and listing pages", () => {
  test("the index pages list every valid capture, newest first, and leave the broken ones out", async () => {
    const { page, close } = await openRecordedPage(browser);
    const listed: string[] = [];
    let next: string | null = fixture.url("/");
    while (next) {
      await page.goto(next);
      listed.push(...(await page.$$eval(".capture-item-title a", (links) => links.map((a) => a.getAttribute("href") ?? ""))));
      next = await page.$eval("a[rel=next]", (a) => (a as HTMLAnchorElement).href).catch(() => null);
    }
    await page.goto(fixture.url("/"));
    const count = await page.textContent("[data-testid=capture-count]");
    await close();

    expect(listed).toEqual(allHashes.map((hash) => `/archive/${hash}/`));
    for (const url of BROKEN_URLS) expect(listed.join()).not.toContain(hashUrl(url));
    expect(count).toBe("10 captures");
  });

  test("a broken capture is reported with its folder and the rest of the site still builds", async () => {
    const reported = fixture.summary.problems.map((p) => p.where);
    expect(reported.sort()).toEqual(BROKEN_URLS.map((url) => `cache/${hashUrl(url)}`).sort());
    expect(fixture.summary.captures).toBe(10);

    const { page, close } = await openRecordedPage(browser);
    await page.goto(fixture.url("/failures/"));
    const problems = await page.textContent(".problems");
    const missing = await page.goto(fixture.url(`/${hashUrl(BROKEN_URLS[0] ?? "")}/`));
    await close();
    for (const url of BROKEN_URLS) expect(problems).toContain(`cache/${hashUrl(url)}`);
    expect(missing?.status()).toBe(404);
  });

  test("the failures page lists each failed link with its reason and links a kept capture", async () => {
    const { page, close } = await openRecordedPage(browser);
    await page.goto(fixture.url("/failures/"));
    const rows = await page.$$eval("table.failures tbody tr", (trs) => trs.map((tr) => tr.textContent ?? ""));
    const kept = await page.getAttribute("table.failures a:text('earlier capture kept')", "href");
    await close();
    expect(rows).toHaveLength(2);
    // The record quotes the server; the public page says only the code's own sentence.
    expect(rows.join()).toContain("the server answered HTTP 404 (the page is gone)");
    expect(rows.join()).not.toContain("after 2 redirects");
    expect(rows.join()).toContain("https://gone.example/dead-link");
    expect(kept).toBe(`/archive/${hashOf("wikipedia")}/`);
  });

  test("a per-site page lists every capture from that domain", async () => {
    const { page, close } = await openRecordedPage(browser);
    await page.goto(fixture.url("/sites/arstechnica.com/"));
    const links = await page.$$eval(".capture-item-title a", (as) => as.map((a) => a.getAttribute("href")));
    await close();
    expect(links).toEqual([`/archive/${hashOf("ars")}/`, `/archive/${hashOf("arsAbout")}/`]);
  });
});

describe("mirror pages", () => {
  test("an article page shows its original link, dates, byline and the copies and citation box", async () => {
    const { page, close } = await openRecordedPage(browser);
    const response = await page.goto(fixture.url(`/${hashOf("ars")}/`));
    const facts = {
      status: response?.status(),
      lang: await page.getAttribute("html", "lang"),
      original: await page.getAttribute("a.original-link", "href"),
      originalRel: await page.getAttribute("a.original-link", "rel"),
      archived: await page.getAttribute("time.archived-at", "datetime"),
      times: await page.$$eval("time", (ts) => ts.map((t) => t.getAttribute("datetime"))),
      byline: await page.textContent(".capture-byline"),
      site: await page.textContent(".capture-site"),
      canonical: await page.getAttribute("link[rel=canonical]", "href"),
      robots: await page.getAttribute("meta[name=robots]", "content"),
      wayback: await page.getAttribute(".cite-box a:text('Wayback Machine')", "href"),
      mirror: await page.getAttribute(".cite-box a:text('Mirror')", "href"),
      citations: await page.$$eval(".citation", (els) => els.map((e) => e.textContent)),
      imageWidth: await page.$eval(".capture-body img", (img) => (img as HTMLImageElement).naturalWidth),
    };
    await close();
    const url = CAPTURE_URLS.ars;
    expect(facts).toMatchObject({
      status: 200,
      lang: "en-us",
      original: url,
      originalRel: "noopener noreferrer nofollow",
      archived: "2025-11-20T10:00:00.000Z",
      byline: "Dan Goodin",
      site: "Ars Technica",
      canonical: url,
      robots: "noindex",
      wayback: `https://web.archive.org/web/${url}`,
      mirror: `/archive/${hashOf("ars")}/`,
    });
    expect(facts.times).toContain("2015-05-15T15:30:00.000Z");
    const version = `https://owner.example/archive/${hashOf("ars")}/20251120100000/`;
    expect(facts.citations[0]).toContain(
      `<a href="${version}" data-originalurl="${url}" data-versionurl="${version}" data-versiondate="2025-11-20T10:00:00Z">Just-released Minecraft exploit`,
    );
    expect(facts.citations[1]).toContain(`](${version})`);
    expect(facts.imageWidth).toBe(640);
  });

  test("a page kept whole, where no article was found, says so above it, and an article page does not", async () => {
    const note = async (key: keyof typeof CAPTURE_URLS) => {
      const response = await fetch(fixture.url(`/${hashOf(key)}/`));
      const { document } = new JSDOM(await response.text()).window;
      return document.querySelector(".capture-kind-note")?.textContent ?? null;
    };
    expect(await note("arsAbout")).toBe("This page did not look like an article; it is kept as the page was.");
    expect(await note("ars")).toBeNull();
  });

  test("prints the article alone, black on white, with each outbound link's address written out", async () => {
    const { page, close } = await openRecordedPage(browser);
    await page.goto(fixture.url(`/${hashOf("ars")}/`));
    const shown = (selector: string) => page.$eval(selector, (el) => getComputedStyle(el).display !== "none");
    const before = { chrome: await shown(".chrome"), footer: await shown(".site-footer") };
    await page.emulateMedia({ media: "print", colorScheme: "dark" });
    const printed = {
      chrome: await shown(".chrome"),
      footer: await shown(".site-footer"),
      copies: await shown(".cite-box .copies"),
      body: await shown(".capture-body"),
      colors: await page.$eval(".capture-body", (el) => [getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(el).color]),
      // The first outbound link of the article, and what print adds after it.
      link: await page.$eval(".capture-body a[href^='http']", (a) => [a.getAttribute("href"), getComputedStyle(a, "::after").content]),
    };
    await close();
    expect(before).toEqual({ chrome: true, footer: true });
    expect(printed).toMatchObject({ chrome: false, footer: false, copies: false, body: true, colors: ["rgb(255, 255, 255)", "rgb(0, 0, 0)"] });
    expect(printed.link[1]).toBe(`" <${printed.link[0]}>"`);
  });

  test("a right-to-left capture sets dir on <html>", async () => {
    const { page, close } = await openRecordedPage(browser);
    await page.goto(fixture.url(`/${hashOf("rtl")}/`));
    const dir = await page.getAttribute("html", "dir");
    const chromeDir = await page.getAttribute(".chrome", "dir");
    await close();
    expect(dir).toBe("rtl");
    expect(chromeDir).toBe("ltr");
  });

  test("template syntax and markdown in an archived article show literally, and its title and byline are escaped", async () => {
    const { page, close } = await openRecordedPage(browser);
    await page.goto(fixture.url(`/${hashOf("templates")}/`));
    const body = await page.textContent(".capture-body");
    const h1 = await page.$eval("h1", (h) => ({ text: h.textContent, elements: h.children.length }));
    const byline = await page.textContent(".capture-byline");
    const title = await page.title();
    await close();
    expect(body).toContain("Nunjucks would print {{ 7 * 7 }} as a number");
    expect(body).toContain('{% raw %}this stays{% endraw %}, an include {% include "secret.njk" %} and a comment {# hidden? #}');
    expect(body).toContain("Markdown *stars* and _underscores_");
    expect(body).toContain("{{ page.url }} {{ site | dump }} ${process.env.HOME}");
    expect(h1).toEqual({ text: "Template syntax {{ 7 * 7 }} & <b>tags</b> in a title", elements: 0 });
    expect(byline).toBe("Ada <Lovelace> & {{ author }}");
    expect(title).toBe("Template syntax {{ 7 * 7 }} & <b>tags</b> in a title · Link archive");
  });

  test("pdf, image and text captures get pages that serve their stored file", async () => {
    const { page, close } = await openRecordedPage(browser);
    await page.goto(fixture.url(`/${hashOf("pdf")}/`));
    const pdfHref = await page.getAttribute(".capture-file a.button", "href");
    // Offered for download, not opened inline from the owner's origin.
    const pdfDownload = await page.getAttribute(".capture-file a.button", "download");
    const pdf = await page.request.get(new URL(pdfHref ?? "", fixture.server.url).href);
    const pdfStart = (await pdf.body()).subarray(0, 5).toString();
    await page.goto(fixture.url(`/${hashOf("image")}/`));
    const image = await page.$eval(".capture-image img", (img) => {
      const i = img as HTMLImageElement;
      return { natural: i.naturalWidth, width: i.getAttribute("width"), height: i.getAttribute("height") };
    });
    await page.goto(fixture.url(`/${hashOf("text")}/`));
    const pre = await page.textContent(".capture-body-text pre");
    const raw = await (await page.request.get(fixture.url(`/${hashOf("ars")}/index.html`))).text();
    await close();
    expect(pdfHref).toBe(`/archive/${hashOf("pdf")}/document.pdf`);
    expect(pdfDownload).toBe("");
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect(pdfStart).toBe("%PDF-");
    expect(image).toEqual({ natural: 1200, width: "1200", height: "800" });
    expect(pre).toContain("A plain text capture keeps its line breaks.");
    // The served index.html is the rendered page, never the raw capture file with its front matter.
    expect(raw).not.toContain("hash_url:");
  });
});

describe("tags and notes from links.txt", () => {
  test("the tags page lists every tag with its count, and a tag's page lists its captures newest first", async () => {
    const { page, close } = await openRecordedPage(browser);
    await page.goto(fixture.url("/tags/"));
    const tags = await page.$$eval(".site-list li", (lis) => lis.map((li) => [li.querySelector("a")?.getAttribute("href"), li.textContent?.replace(/\s+/g, " ").trim()]));
    await page.goto(fixture.url("/tags/games/"));
    const games = await page.$$eval(".capture-item-title a", (as) => as.map((a) => a.getAttribute("href")));
    const heading = await page.textContent("h1");
    await page.goto(fixture.url(`/tags/${encodeURIComponent("日本語")}/`));
    const japanese = await page.$$eval(".capture-item-title a", (as) => as.map((a) => a.getAttribute("href")));
    await close();
    expect(tags).toEqual([
      ["/archive/tags/browsers/", "#browsers 1"],
      ["/archive/tags/games/", "#games 2"],
      ["/archive/tags/security/", "#security 2"],
      [`/archive/tags/${encodeURIComponent("日本語")}/`, "#日本語 1"],
    ]);
    expect(heading).toBe("#games");
    expect(games).toEqual([`/archive/${hashOf("ars")}/`, `/archive/${hashOf("factorio")}/`]);
    expect(japanese).toEqual([`/archive/${hashOf("factorio")}/`]);
  });

  test("a capture's note shows as text, never as markup or template, and its tags link to their pages", async () => {
    const { page, close } = await openRecordedPage(browser);
    await page.goto(fixture.url(`/${hashOf("templates")}/`));
    const note = await page.$eval(".capture-note", (dd) => ({ text: dd.textContent, elements: dd.children.length }));
    const tags = await page.$$eval(".tag-list a", (as) => as.map((a) => [a.textContent, a.getAttribute("href")]));
    await page.goto(fixture.url("/"));
    const listed = await page.$$eval(".capture-item-note", (ps) => ps.map((p) => p.textContent?.replace(/\s+/g, " ").trim()));
    await close();
    expect(note).toEqual({ text: "{{ 7 * 7 }} <b>not bold</b> & {% raw %} stays text", elements: 0 });
    expect(tags).toEqual([["#security", "/archive/tags/security/"]]);
    expect(listed).toContain("one packet crashed the servers #security #games");
  });

  test("each tag has a well-formed Atom feed of its captures", async () => {
    const xml = await fetch(fixture.url("/tags/games/feed.xml")).then((r) => r.text());
    const { document } = new JSDOM(xml, { contentType: "application/xml" }).window;
    expect(document.querySelector("feed > title")?.textContent).toBe("#games · Link archive");
    expect(document.querySelector("feed > link[rel=self]")?.getAttribute("href")).toBe("https://owner.example/archive/tags/games/feed.xml");
    expect([...document.querySelectorAll("entry link[rel=related]")].map((l) => l.getAttribute("href"))).toEqual([CAPTURE_URLS.ars, CAPTURE_URLS.factorio]);
    expect([...document.querySelectorAll("entry")][0]?.querySelectorAll("category").length).toBe(2);
  });

  test("search within a tag lists only the captures that carry it, with or without words", async () => {
    const recorded = await openRecordedPage(browser);
    const { page } = recorded;
    await page.goto(fixture.url("/search/?tag=games"));
    await page.waitForFunction(() => document.querySelectorAll("#search-results li").length > 0);
    const tagged = await page.$$eval("#search-results li a", (as) => as.map((a) => a.getAttribute("href")).sort());
    const selected = await page.$eval("#search-tag", (select) => (select as HTMLSelectElement).value);
    await page.fill("#search-input", "Minecraft");
    await page.waitForFunction(() => document.getElementById("search-status")?.textContent?.includes("Minecraft"));
    const words = await page.$$eval("#search-results li a", (as) => as.map((a) => a.getAttribute("href")));
    await page.selectOption("#search-tag", "browsers");
    await page.waitForFunction(() => document.getElementById("search-status")?.textContent?.includes("#browsers"));
    const none = await page.textContent("#search-status");
    await recorded.close();
    expect(selected).toBe("games");
    expect(tagged).toEqual([`/archive/${hashOf("ars")}/`, `/archive/${hashOf("factorio")}/`].sort());
    expect(words).toEqual([`/archive/${hashOf("ars")}/`]);
    expect(none).toContain("No results");
    expect(recorded.console.filter((m) => m.type === "error" || m.type === "warning")).toEqual([]);
    expect(recorded.requests.filter((url) => !isLocal(url))).toEqual([]);
  });
});

describe("version addresses", () => {
  test("a capture's version address serves the same page, its images included, and the page links it", async () => {
    const { page, close } = await openRecordedPage(browser);
    const stamp = "20251120100000";
    await page.goto(fixture.url(`/${hashOf("ars")}/`));
    const linked = await page.getAttribute(".cite-box a.version-link", "href");
    const current = await page.textContent("h1");
    const response = await page.goto(fixture.url(`/${hashOf("ars")}/${stamp}/`));
    const versioned = {
      status: response?.status(),
      title: await page.textContent("h1"),
      imageWidth: await page.$eval(".capture-body img", (img) => (img as HTMLImageElement).naturalWidth),
      stylesheet: await page.$eval("body", (body) => getComputedStyle(body).overflowWrap),
    };
    await close();
    expect(linked).toBe(`/archive/${hashOf("ars")}/${stamp}/`);
    expect(versioned).toEqual({ status: 200, title: current, imageWidth: 640, stylesheet: "break-word" });
  });
});

describe("safety", () => {
  test("every page starts its <head> with the CSP meta tag and sends no referrer", async () => {
    const files = await htmlFiles(fixture.outDir);
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      const { document } = new JSDOM(await readFile(file, "utf8")).window;
      const first = document.head.firstElementChild;
      const where = path.relative(fixture.outDir, file);
      expect(first?.getAttribute("http-equiv"), where).toBe("Content-Security-Policy");
      const csp = first?.getAttribute("content") ?? "";
      for (const directive of ["default-src 'none'", "img-src 'self'", "style-src 'self'", "base-uri 'none'", "form-action 'none'", "object-src 'none'"]) {
        expect(csp, where).toContain(directive);
      }
      expect(csp, where).toContain(where === "search/index.html" ? "script-src 'self' 'wasm-unsafe-eval'" : "script-src 'none'");
      expect(document.querySelector("meta[name=referrer]")?.getAttribute("content"), where).toBe("no-referrer");
    }
  });

  test("script and event handlers planted in a capture do not run, and what they try to load is blocked", async () => {
    const recorded = await openRecordedPage(browser);
    const { page } = recorded;
    // Init scripts come from the test through CDP, not from the page, so the page's CSP does not apply to them.
    await page.addInitScript(() => {
      const w = window as unknown as { __violations: string[] };
      w.__violations = [];
      document.addEventListener("securitypolicyviolation", (e) => w.__violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
    });
    await page.goto(fixture.url(`/${hashOf("hostile")}/`));
    await page.hover("text=Hover me");
    await page.click("#js-link");
    // A click that submits: Chromium refuses the navigation (form-action), so Playwright must not wait for it.
    await page.$eval("#steal", (button) => (button as HTMLButtonElement).click());
    await page.waitForTimeout(300);
    const state = await page.evaluate(() => ({
      pwned: (window as unknown as { pwned?: string }).pwned,
      title: document.title,
      url: location.href,
      relative: (document.getElementById("relative-after-base") as HTMLAnchorElement).href,
      violations: (window as unknown as { __violations: string[] }).__violations,
    }));
    await recorded.close();

    expect(state.pwned).toBeUndefined();
    expect(state.title).toBe("Hostile capture · Link archive");
    expect(state.url).toBe(fixture.url(`/${hashOf("hostile")}/`));
    expect(state.relative).toBe(fixture.url(`/${hashOf("hostile")}/relative-link`));
    const directives = new Set(state.violations.map((v) => v.split(" ")[0]));
    for (const directive of ["script-src-elem", "script-src-attr", "img-src", "style-src-elem", "frame-src", "object-src", "base-uri", "form-action"]) {
      expect(directives, `expected a ${directive} violation in ${state.violations.join(", ")}`).toContain(directive);
    }
    // Chromium reports the planted loads as requests, then refuses each one before it reaches the network.
    const outbound = recorded.requests.filter((url) => !isLocal(url));
    expect(outbound.length).toBeGreaterThan(0);
    expect(recorded.responses.filter((url) => !isLocal(url))).toEqual([]);
    expect(recorded.failed.filter((f) => !isLocal(f.url)).map((f) => f.url).sort()).toEqual([...outbound].sort());
    for (const failure of recorded.failed) expect(failure.error).toMatch(/csp|blocked/i);
    expect(recorded.pageErrors).toEqual([]);
    // The console shows the CSP refusing the planted content, and nothing else.
    const problems = recorded.console.filter((m) => m.type === "error" || m.type === "warning");
    expect(problems.length).toBeGreaterThanOrEqual(directives.size);
    for (const message of problems) expect(message.text).toMatch(/Content Security Policy/);
  });
});

describe("search", () => {
  test("search finds an article by a word of its text and links the result under the path prefix", async () => {
    const recorded = await openRecordedPage(browser);
    const { page } = recorded;
    await page.goto(fixture.url("/search/?q=quetzalcoatlus"));
    await page.waitForSelector("#search-results li a");
    // Every partition's entry file was loaded: the index is merged in the browser (FIXTURE_PARTITION_SIZE).
    const entries = recorded.requests.filter((url) => url.includes("/pagefind-entry.json")).map((url) => new URL(url).pathname.replace(/pagefind-entry\.json$/, ""));
    const results = await page.$$eval("#search-results li a", (as) => as.map((a) => ({ href: a.getAttribute("href"), text: a.textContent })));

    await page.fill("#search-input", "Minecraft");
    await page.waitForFunction(() => document.querySelector("#search-results li a")?.textContent?.includes("Minecraft"));
    const realArticle = await page.getAttribute("#search-results li a", "href");

    await page.fill("#search-input", CHROME_ONLY_WORD);
    await page.waitForFunction((word) => document.getElementById("search-status")?.textContent?.includes(word), CHROME_ONLY_WORD);
    const chromeHits = await page.$$("#search-results li");
    const status = await page.textContent("#search-status");

    await page.fill("#search-input", "quetzalcoatlus");
    await page.waitForSelector("#search-results li a");
    await page.click("#search-results li a");
    await page.waitForURL(fixture.url(`/${hashOf("templates")}/`));
    await recorded.close();

    expect(fixture.summary.searchPartitions).toBe(4);
    expect(new Set(entries)).toEqual(new Set(["/archive/pagefind/part-0/", "/archive/pagefind/part-1/", "/archive/pagefind/part-2/", "/archive/pagefind/part-3/"]));
    // Only the capture with the word: partitions without it fall back to a prefix ("Q" in the Factorio post), and
    // search.js drops those results once a partition found the word itself.
    expect(results).toEqual([{ href: `/archive/${hashOf("templates")}/`, text: "Template syntax {{ 7 * 7 }} & <b>tags</b> in a title" }]);
    // The Minecraft article is in the third partition, a merged one: found all the same, with its own title.
    expect(partitionOf(hashOf("ars"))).toBe("part-2");
    expect(partitionOf(hashOf("templates"))).toBe("part-0");
    expect(realArticle).toBe(`/archive/${hashOf("ars")}/`);
    expect(chromeHits).toHaveLength(0);
    expect(status).toContain("No results");
    expect(recorded.console.filter((m) => m.type === "error" || m.type === "warning")).toEqual([]);
    expect(recorded.pageErrors).toEqual([]);
    expect(recorded.requests.filter((url) => !isLocal(url))).toEqual([]);
  });
});

describe("machine-readable files", () => {
  test("feed.xml and archive.json parse and list every capture", async () => {
    const [json, xml] = await Promise.all([
      fetch(fixture.url("/archive.json")).then((r) => r.json() as Promise<{ captures: Array<Record<string, string> & { tags?: string[]; versions?: unknown }> }>),
      fetch(fixture.url("/feed.xml")).then((r) => r.text()),
    ]);
    expect(json.captures.map((c) => c.hash_url)).toEqual(allHashes);
    for (const c of json.captures) {
      // The first five fields are a public contract; fields are only ever added.
      expect(Object.keys(c).filter((key) => key !== "note").sort()).toEqual(["archived_at", "hash_url", "path", "tags", "timemap", "title", "url", "version_path", "versions"]);
      expect(hashUrl(c.url ?? "")).toBe(c.hash_url);
      expect(c.path).toBe(`/archive/${c.hash_url}/`);
      expect(c.version_path).toBe(`/archive/${c.hash_url}/${versionStamp(c.archived_at ?? "")}/`);
      // No fixture capture has earlier versions or a checked original: one version, no status.
      expect(c.versions).toEqual([{ archived_at: c.archived_at, path: c.version_path }]);
      expect(c.timemap).toBe(`/archive/${c.hash_url}/timemap.link`);
    }
    expect(json.captures.find((c) => c.url === CAPTURE_URLS.ars)).toMatchObject({ tags: ["security", "games"], note: "one packet crashed the servers" });
    expect(json.captures.find((c) => c.url === CAPTURE_URLS.rtl)).toMatchObject({ tags: [] });
    // jsdom's XML parser throws on a document that is not well-formed.
    const { document } = new JSDOM(xml, { contentType: "application/xml" }).window;
    expect(document.documentElement.namespaceURI).toBe("http://www.w3.org/2005/Atom");
    const entries = [...document.querySelectorAll("entry")];
    expect(entries.map((e) => e.querySelector("id")?.textContent)).toEqual(allHashes.map((h) => `https://owner.example/archive/${h}/`));
    expect(entries.map((e) => e.querySelector("link[rel=related]")?.getAttribute("href"))).toEqual(Object.values(CAPTURE_URLS));
    expect(entries.find((e) => e.querySelector("link[rel=related]")?.getAttribute("href") === CAPTURE_URLS.templates)?.querySelector("title")?.textContent).toBe(
      "Template syntax {{ 7 * 7 }} & <b>tags</b> in a title",
    );
  });
});

describe("reading", () => {
  const pages = () => [
    "/",
    "/page/2/",
    "/sites/",
    "/sites/arstechnica.com/",
    "/failures/",
    "/search/",
    "/tags/",
    "/tags/games/",
    `/tags/${encodeURIComponent("日本語")}/`,
    `/${hashOf("ars")}/20251120100000/`,
    ...allHashes.filter((h) => h !== hashOf("hostile")).map((h) => `/${h}/`),
    "/no-such-page/",
  ];

  test("normal pages load with no console errors and no request leaving localhost", async () => {
    const recorded = await openRecordedPage(browser);
    const statuses: number[] = [];
    for (const sitePath of pages()) {
      const response = await recorded.page.goto(fixture.url(sitePath), { waitUntil: "load" });
      statuses.push(response?.status() ?? 0);
    }
    await recorded.close();
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(404);
    // A 404 page logs "Failed to load resource" for itself: that one is expected, nothing else.
    const unexpected = recorded.console.filter((m) => (m.type === "error" || m.type === "warning") && !m.text.includes("404 (Not Found)"));
    expect(unexpected).toEqual([]);
    expect(recorded.pageErrors).toEqual([]);
    expect(recorded.requests.length).toBeGreaterThan(pages().length);
    expect(recorded.requests.filter((url) => !isLocal(url))).toEqual([]);
  });

  test("no page scrolls sideways at 375 px, however wide its tables and code", async () => {
    const recorded = await openRecordedPage(browser, { viewport: { width: 375, height: 800 } });
    const overflowing: string[] = [];
    for (const sitePath of pages()) {
      await recorded.page.goto(fixture.url(sitePath));
      const { scroll, client } = await recorded.page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      if (scroll > client) overflowing.push(`${sitePath} (${scroll} > ${client})`);
    }
    await recorded.close();
    expect(overflowing).toEqual([]);
  });

  test("the index, an article, search, failures and tag pages have no serious or critical axe-core violations, light and dark", async () => {
    const found: string[] = [];
    for (const colorScheme of ["light", "dark"] as const) {
      // Only the axe run bypasses the CSP: axe is injected as a script, which the site's CSP rightly refuses.
      const recorded = await openRecordedPage(browser, { bypassCSP: true, colorScheme });
      for (const sitePath of ["/", `/${hashOf("ars")}/`, "/search/?q=minecraft", "/search/?tag=games", "/failures/", "/tags/", "/tags/games/"]) {
        await recorded.page.goto(fixture.url(sitePath));
        if (sitePath.startsWith("/search/")) await recorded.page.waitForSelector("#search-results li");
        const violations = await seriousViolations(recorded.page);
        found.push(...violations.map((v) => `${colorScheme} ${sitePath}: ${v}`));
      }
      await recorded.close();
    }
    expect(found).toEqual([]);
  });
});
