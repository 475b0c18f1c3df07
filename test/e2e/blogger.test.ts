/**
 * The blogger's round trip, end to end with the real parts: a Pocket export and a folder of Markdown posts are
 * imported into links.txt (npm run import), archived from a node:http server playing the web (one article is then
 * found gone by a refresh), built into a site (tags from links.txt) served on 127.0.0.1, and cited (npm run cite).
 * Then a blog page on another origin, with a strict CSP, loads mirror.js from the archive in Chromium: the right links
 * get mirror links to the cited addresses, the console stays empty, and no request goes anywhere but the blog and
 * the archive. The build-time snippets of docs/ (Eleventy for real with the project's Eleventy, Jekyll's Liquid with
 * liquidjs, Hugo when it is installed) give the same addresses.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Eleventy } from "@11ty/eleventy";
import { Liquid } from "liquidjs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { archiveLinks } from "../../src/archive/run.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { buildSite } from "../../src/site/build.ts";
import { resolveSiteConfig } from "../../src/site/config.ts";
import { lookupShard } from "../../src/site/mirror-lookup.ts";
import { serveSite, type StaticServer } from "../../src/site/serve.ts";
import { launchBrowser } from "../../tools/chromium.ts";
import { makeWorkspace, type Workspace } from "../helpers/archive.ts";
import { html, startServer, type TestServer } from "../helpers/server.ts";
import { runScript } from "../helpers/spawn.ts";
import { openRecordedPage } from "./fixture-site.ts";
import { seriousViolations } from "./axe.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SNIPPETS = path.join(ROOT, "docs/snippets");

const article = (title: string) =>
  html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><article><h1>${title}</h1>
${`<p>${title} is the subject of this long paragraph, which goes on for long enough, with commas, clauses, and sentences, that Readability keeps it as the article.</p>`.repeat(4)}
</article></body></html>`);

interface Cited {
  url: string;
  captured: boolean;
  version?: string;
  mirror: string;
  title?: string;
}

let web: TestServer;
let blog: TestServer;
let archive: StaticServer;
let browser: Browser;
let ws: Workspace;
let outDir: string;
let tmp: string;
let importRun: Awaited<ReturnType<typeof runScript>>;
let cited: Map<string, Cited>;
let gone = false;

/** The article URLs as the sources write them (127.0.0.1 plays the web: one host, several pages). */
const urls = () => ({
  one: web.url("/articles/one"),
  two: web.url("/articles/two"),
  three: web.url("/articles/three"),
  never: web.url("/articles/never-archived"),
});

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "blogger-e2e-"));
  web = await startServer({
    "/articles/one": article("Article one"),
    "/articles/two": article("Article two"),
    "/articles/three": (req, res) => {
      if (gone) {
        res.writeHead(404, { "content-type": "text/html" });
        res.end("<p>gone</p>");
        return;
      }
      return article("Article three")(req, res);
    },
  });
  ws = await makeWorkspace();
  const u = urls();

  // Links in: a Pocket export and the blog's own posts.
  const pocket = path.join(tmp, "part_000000.csv");
  await writeFile(pocket, `\uFEFFtitle,url,time_added,cursor,tags,status\r\n"Article one, the first",${u.one},1728576752,1,reading|Web Dev,unread\r\n`);
  const posts = path.join(tmp, "posts");
  await mkdir(posts);
  await writeFile(
    path.join(posts, "citing.md"),
    `---\ntitle: Citing things\ntags: [essays]\n---\n\nI cite [the second article](${u.two}), [the third](${u.three}) and [my own about page](https://blog.example/about).\n`,
  );
  await writeFile(ws.linksFile, "# my links\n");
  importRun = await runScript("scripts/import.ts", ["--links", ws.linksFile, "--site", "https://blog.example/", pocket, posts]);

  // Archive, then find the third article gone: a refresh of just that link fails with 404 and keeps the capture.
  await archiveLinks(ws.config());
  gone = true;
  const refreshLinks = path.join(ws.dir, "refresh.txt");
  await writeFile(refreshLinks, `${u.three}\n`);
  await archiveLinks(ws.config(["--links", refreshLinks, "--refresh"]));

  // Build under /archive/ and serve it where its settings say it lives.
  outDir = path.join(tmp, "_site");
  archive = await serveSite({ root: outDir, pathPrefix: "/archive/" });
  const origin = archive.url.replace(/\/archive\/$/, "");
  await buildSite({ cacheDir: ws.cacheDir, linksFile: ws.linksFile, outDir, site: resolveSiteConfig({ url: origin, pathPrefix: "/archive/" }), searchCacheDir: path.join(tmp, "search") });

  const citeRun = await runScript("scripts/cite.ts", ["--json", "--cache", ws.cacheDir, "--links", ws.linksFile, "--url", origin, "--path-prefix", "/archive/", u.one, u.two, u.three, u.never]);
  cited = new Map((JSON.parse(citeRun.stdout) as Cited[]).map((c) => [c.url, c]));

  const blogPage = (mode: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${origin}; connect-src ${origin}">
<title>A post that cites</title></head><body><main><article><h1>A post that cites</h1>
<p>As written: <a id="exact" href="${u.one}">the first article</a>.</p>
<p>Another spelling: <a id="near" href="${u.two.replace("http://", "https://")}/?utm_source=blog&amp;fbclid=x#comments">the second article</a>.</p>
<p>Since gone: <a id="gone" href="${u.three}">the third article</a>.</p>
<p>Never archived: <a id="never" href="${u.never}">a fourth</a>. Opted out: <a id="opted-out" class="no-mirror" href="${u.one}">again</a>.</p>
<aside class="no-mirror"><p><a id="inside-opt-out" href="${u.two}">in an opted-out aside</a></p></aside>
<p>My own: <a id="internal" href="/about">about</a>.</p>
</article></main>
<script type="module" src="${archive.url}mirror.js"${mode}></script>
</body></html>`;
  blog = await startServer({
    "/post.html": html(blogPage("")),
    "/gone.html": html(blogPage(' data-mode="gone" data-label="archived copy"')),
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([web?.close(), blog?.close(), archive?.close()]);
  if (tmp) await rm(tmp, { recursive: true, force: true });
  if (ws) await rm(ws.dir, { recursive: true, force: true });
});

describe("the blogger's round trip", () => {
  test("import puts the export's and the posts' links in links.txt with their tags, and not the blog's own", async () => {
    const u = urls();
    const lines = (await readFile(ws.linksFile, "utf8")).split("\n").filter((line) => line.startsWith("http"));
    expect(importRun.code, importRun.stderr).toBe(0);
    expect(lines).toEqual([`${u.one}  # Article one, the first #reading #web-dev`, `${u.two}  # the second article #essays`, `${u.three}  # the third #essays`]);
  });

  test("cite gives each captured URL the address of its pinned version, and that address serves the capture", async () => {
    const u = urls();
    expect([...cited.values()].map((c) => [c.url, c.captured])).toEqual([
      [u.one, true],
      [u.two, true],
      [u.three, true],
      [u.never, false],
    ]);
    for (const key of ["one", "two", "three"] as const) {
      const c = cited.get(u[key])!;
      expect(c.version).toMatch(new RegExp(`^${archive.url}${hashUrl(u[key])}/\\d{14}/$`));
      const page = await fetch(c.version!).then((r) => r.text());
      expect(page).toContain(`<h1 data-pagefind-meta="title">Article ${key}</h1>`);
      expect(page.indexOf('<meta http-equiv="Content-Security-Policy"')).toBeGreaterThan(0);
    }
  });

  test("the build tags captures from links.txt and marks the original that a refresh found gone", async () => {
    const u = urls();
    const index = (await fetch(`${archive.url}archive.json`).then((r) => r.json())) as { captures: Array<{ url: string; tags: string[]; status?: string }> };
    const byUrl = new Map(index.captures.map((c) => [c.url, c]));
    expect(byUrl.get(u.one)).toMatchObject({ tags: ["reading", "web-dev"] });
    expect(byUrl.get(u.one)).not.toHaveProperty("status");
    expect(byUrl.get(u.three)).toMatchObject({ tags: ["essays"], status: "gone" });
    const tagPage = await fetch(`${archive.url}tags/essays/`).then((r) => r.text());
    expect(tagPage).toContain(`/archive/${hashUrl(u.two)}/`);
    expect(tagPage).toContain(`/archive/${hashUrl(u.three)}/`);
  });

  test("a blog page with mirror.js shows mirror links beside captured links only, to the cited addresses, with an empty console and no request leaving the two origins", async () => {
    const u = urls();
    const recorded = await openRecordedPage(browser);
    const { page } = recorded;
    await page.goto(blog.url("/post.html"));
    await page.waitForSelector("#gone + .archive-mirror a");
    await page.waitForTimeout(200);
    const links = await page.$$eval("article a[id]", (as) =>
      as.map((a) => {
        const added = a.nextElementSibling?.classList.contains("archive-mirror") ? a.nextElementSibling.querySelector("a") : null;
        return {
          id: a.id,
          mirror: added ? { href: added.getAttribute("href"), text: added.textContent, ...added.dataset } : null,
        };
      }),
    );
    const wrappers = await page.$$eval(".archive-mirror", (spans) => spans.map((s) => s.textContent));
    await recorded.close();

    const expected = (key: "one" | "two" | "three") => {
      const c = cited.get(u[key])!;
      return { href: c.version, text: "mirror", originalurl: u[key], versionurl: c.version, versiondate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) };
    };
    expect(links).toEqual([
      { id: "exact", mirror: expected("one") },
      { id: "near", mirror: expected("two") },
      { id: "gone", mirror: expected("three") },
      { id: "never", mirror: null },
      { id: "opted-out", mirror: null },
      { id: "inside-opt-out", mirror: null },
      { id: "internal", mirror: null },
    ]);
    expect(wrappers).toEqual([" (mirror)", " (mirror)", " (mirror)"]);
    expect(recorded.console).toEqual([]);
    expect(recorded.pageErrors).toEqual([]);
    const origins = new Set(recorded.requests.map((url) => new URL(url).origin));
    expect(origins).toEqual(new Set([blog.origin, new URL(archive.url).origin]));
    // The page downloaded mirror.js and the lookup shards of its four outbound links (opted-out ones are not looked up),
    // never the whole archive.
    const archived = recorded.requests.filter((url) => url.startsWith(archive.url)).map((url) => url.slice(archive.url.length));
    expect(archived[0]).toBe("mirror.js");
    expect(new Set(archived.slice(1))).toEqual(new Set([u.one, u.two, u.three, u.never].map((url) => `mirror/${lookupShard(url)}.json`)));
  });

  test("in the gone mode only a link whose original is gone gets a mirror link, with the blogger's label", async () => {
    const recorded = await openRecordedPage(browser);
    const { page } = recorded;
    await page.goto(blog.url("/gone.html"));
    await page.waitForSelector("#gone + .archive-mirror a");
    await page.waitForTimeout(200);
    const mirrored = await page.$$eval(".archive-mirror", (spans) => spans.map((s) => [s.previousElementSibling?.id, s.textContent]));
    await recorded.close();
    expect(mirrored).toEqual([["gone", " (archived copy)"]]);
    expect(recorded.console).toEqual([]);
  });

  test("the blog page with its mirror links has no serious or critical axe-core violations", async () => {
    const recorded = await openRecordedPage(browser, { bypassCSP: true });
    await recorded.page.goto(blog.url("/post.html"));
    await recorded.page.waitForSelector("#gone + .archive-mirror a");
    const violations = await seriousViolations(recorded.page);
    await recorded.close();
    expect(violations).toEqual([]);
  });

  test("the lookup files are served to any origin, as GitHub Pages serves them", async () => {
    const response = await fetch(`${archive.url}mirror/00.json`, { headers: { origin: blog.origin } });
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(await response.json()).toMatchObject({ format: 1 });
  });
});

describe("build-time snippets for blog engines (docs/snippets)", () => {
  /** The archive.json the built site publishes, as a blog's build would download it. */
  async function downloadIndex(dir: string): Promise<string> {
    const file = path.join(dir, "archive.json");
    await writeFile(file, await fetch(`${archive.url}archive.json`).then((r) => r.text()));
    return file;
  }

  test("the Eleventy filter, run by this project's Eleventy, links captured URLs to their cited versions and others not at all", async () => {
    const u = urls();
    const dir = await mkdtemp(path.join(tmp, "eleventy-"));
    const index = await downloadIndex(dir);
    await mkdir(path.join(dir, "src"));
    await writeFile(
      path.join(dir, "src", "index.njk"),
      `{% for url in urls %}<p><a href="{{ url }}">link</a>{{ url | mirrorLink | safe }}</p>\n{% endfor %}<p id="computed">{{ urls[3] | mirrorUrl }}</p>`,
    );
    const { default: mirrorLinks } = (await import(pathToFileURL(path.join(SNIPPETS, "eleventy/mirror-links.js")).href)) as {
      default: (config: unknown, options: { archive: string; index?: string }) => void;
    };
    const build = async (options: { archive: string; index?: string }, out: string) => {
      const eleventy = new Eleventy(path.join(dir, "src"), path.join(dir, out), {
        configPath: "",
        quietMode: true,
        config: (config) => {
          config.addGlobalData("urls", [u.one, u.two, u.three, u.never]);
          config.addPlugin(mirrorLinks, options);
        },
      });
      await eleventy.write();
      return readFile(path.join(dir, out, "index.html"), "utf8");
    };
    const withIndex = await build({ archive: archive.url, index }, "with-index");
    const hrefs = [...withIndex.matchAll(/<span class="archive-mirror">\(<a href="([^"]+)" data-originalurl="([^"]+)" data-versionurl="([^"]+)"/g)].map((m) => [m[1], m[2], m[3]]);
    expect(hrefs).toEqual((["one", "two", "three"] as const).map((key) => [cited.get(u[key])!.version, u[key], cited.get(u[key])!.version]));
    // Without an index the address is computed from the md5 alone, captured or not.
    const computed = await build({ archive: archive.url }, "computed");
    expect(computed).toContain(`<p id="computed">${cited.get(u.never)!.mirror}</p>`);
  });

  test("the Jekyll include, rendered by a Liquid engine over the downloaded archive.json, gives the cited addresses", async () => {
    const u = urls();
    const dir = await mkdtemp(path.join(tmp, "jekyll-"));
    const index = JSON.parse(await readFile(await downloadIndex(dir), "utf8")) as { captures: Array<{ url: string; archived_at: string }> };
    const liquid = new Liquid({ root: path.join(SNIPPETS, "jekyll/_includes"), extname: ".html", jekyllInclude: true, dynamicPartials: false });
    const render = (url: string) =>
      liquid.parseAndRender(`{% include mirror-link.html url=url %}`, { url, site: { data: { archive: index }, archive_origin: new URL(archive.url).origin } });
    for (const key of ["one", "two", "three"] as const) {
      const version = cited.get(u[key])!.version!;
      const date = index.captures.find((c) => c.url === u[key])!.archived_at;
      expect(await render(u[key])).toBe(
        ` <span class="archive-mirror">(<a href="${version}" data-originalurl="${u[key]}" data-versionurl="${version}" data-versiondate="${date}">mirror</a>)</span>`,
      );
    }
    expect(await render(u.never)).toBe("");
  });

  test("the Hugo link render hook, run by Hugo when it is installed, gives the cited addresses", async (context) => {
    const hugo = await promisify(execFile)("hugo", ["version"]).then(
      () => true,
      () => false,
    );
    if (!hugo) return context.skip("hugo is not installed (apt-get install hugo runs this test)");
    const u = urls();
    const dir = await mkdtemp(path.join(tmp, "hugo-"));
    const origin = new URL(archive.url).origin;
    await mkdir(path.join(dir, "data"), { recursive: true });
    await downloadIndex(path.join(dir, "data"));
    await mkdir(path.join(dir, "layouts/_default/_markup"), { recursive: true });
    await copyFile(path.join(SNIPPETS, "hugo/layouts/_default/_markup/render-link.html"), path.join(dir, "layouts/_default/_markup/render-link.html"));
    await writeFile(path.join(dir, "layouts/_default/single.html"), "{{ .Content }}");
    await writeFile(path.join(dir, "layouts/index.html"), "");
    await writeFile(path.join(dir, "config.toml"), `baseURL = "https://blog.example/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n[params]\narchive = "${archive.url}"\narchiveOrigin = "${origin}"\n`);
    await mkdir(path.join(dir, "content/posts"), { recursive: true });
    await writeFile(path.join(dir, "content/posts/citing.md"), `---\ntitle: Citing\n---\n\n[one](${u.one}) [never](${u.never}) [mine](https://blog.example/about)\n`);
    await promisify(execFile)("hugo", ["--quiet", "-s", dir, "-d", path.join(dir, "public")]);
    const page = await readFile(path.join(dir, "public/posts/citing/index.html"), "utf8");
    const hrefs = [...page.matchAll(/class="archive-mirror">\(<a href="([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual([cited.get(u.one)!.version]);
  });
});
