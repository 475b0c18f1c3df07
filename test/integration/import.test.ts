/**
 * `npm run import` as a user runs it: real files, a real links.txt, feeds and sitemaps served by a node:http server on
 * 127.0.0.1 and fetched through the archiver's guarded fetcher.
 */
import { mkdtemp, readFile, writeFile, mkdir, copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLinks } from "../../src/archive/links.ts";
import { html, startServer, type TestServer } from "../helpers/server.ts";
import { runScript } from "../helpers/spawn.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/import/", import.meta.url));
const fixture = (name: string) => path.join(FIXTURES, name);
const importLinks = (args: string[]) => runScript("scripts/import.ts", args);

async function workspace(links?: Buffer | string): Promise<{ dir: string; links: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "import-test-"));
  const file = path.join(dir, "links.txt");
  if (links !== undefined) await writeFile(file, links);
  return { dir, links: file };
}

let server: TestServer;
const page = (links: string) =>
  html(`<!doctype html><html><body><header><a href="/">Home</a></header><main><article>${links}</article>
<aside><a href="https://blogroll.example.com/">A friend's blog</a></aside></main></body></html>`);

beforeAll(async () => {
  server = await startServer({
    "/feed.xml": (_req, res) => {
      res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8" });
      res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Local blog</title><link>${server.origin}/</link>
<item><title>A post</title><link>${server.origin}/posts/a</link><category>notes</category>
<description>&lt;p&gt;See &lt;a href="https://cited.example.com/one"&gt;one&lt;/a&gt; and &lt;a href="/posts/b"&gt;my other post&lt;/a&gt;.&lt;/p&gt;</description></item>
</channel></rss>`);
    },
    "/sitemap_index.xml": (_req, res) => {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${server.origin}/sitemap-posts.xml.gz</loc></sitemap></sitemapindex>`);
    },
    "/sitemap-posts.xml.gz": (_req, res) => {
      res.writeHead(200, { "content-type": "application/x-gzip" });
      const locs = ["/p/1", "/p/2", "/p/3", "/p/missing"].map((p) => `<url><loc>${server.origin}${p}</loc><lastmod>2024-01-01</lastmod></url>`).join("");
      res.end(gzipSync(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${locs}</urlset>`));
    },
    "/p/1": page(`<p><a href="https://cited.example.com/sitemap-one">first citation</a></p>`),
    "/p/2": page(`<p><a href="https://cited.example.com/sitemap-two">second</a> and <a href="/p/1">an earlier post</a></p>`),
    "/p/3": page(`<p>No links here.</p>`),
    // Answers nothing, ever: only the import's time limit ends the wait.
    "/slow-feed.xml": () => new Promise<void>(() => {}),
  });
});
afterAll(async () => {
  await server?.close();
});

describe("npm run import", () => {
  it("appends new lines under a comment naming the source, changing no byte of what links.txt held", async () => {
    const before = Buffer.from("\uFEFF# my links\r\nhttps://data.example.com/csv-pitfalls  # already here #mine\r\nhttps://example.com/untitled/", "utf8");
    const ws = await workspace(before);
    const run = await importLinks(["--links", ws.links, fixture("pocket.csv"), fixture("raindrop.csv")]);
    const after = await readFile(ws.links);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    const added = after.subarray(before.length).toString("utf8");
    expect(added.startsWith("\r\n# 5 imported from ")).toBe(true);
    expect(added.split("\r\n").slice(2, -1)).toEqual([
      "https://de.example.com/äpfel  # Über Äpfel",
      "https://notitle.example.com/x  #misc",
      "https://multi.example.com/line  # A title on two lines",
      'https://example.com/article?utm_source=raindrop&keep=1#part  # Saved, "quoted" title #research #go #reading',
      "https://doc.example.org/rust-by-example/  # Rust by Example #tutorials #rust #programming",
    ]);
    expect(added.endsWith("\r\n")).toBe(true);
    // The archiver reads every new line, and keys it by the URL alone.
    const { links, problems } = parseLinks(after.toString("utf8"));
    expect(problems).toEqual([]);
    expect(links).toHaveLength(2 + 5);
    expect(run.stdout).toContain("Added 5 lines to links.txt; skipped 1 link already listed, 1 near duplicate.");
    expect(run.stdout).toMatch(/near duplicate: .*raindrop\.csv:5 https:\/\/example\.com\/untitled resembles links\.txt:3 https:\/\/example\.com\/untitled\//);
    expect(run.stderr).toContain(`${fixture("pocket.csv")}:5: has no url`);
    expect(run.code).toBe(1);
  });

  it("prints what it would add on a dry run and writes nothing; then adds it once, and nothing the second time", async () => {
    const ws = await workspace("https://one.example.com/a\n");
    const dry = await importLinks(["--links", ws.links, "--dry-run", fixture("subscriptions.opml")]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Would add 3 lines to links.txt");
    expect(dry.stdout).toContain("https://keep.example.com/page  # A page worth keeping #reading #later");
    expect(await readFile(ws.links, "utf8")).toBe("https://one.example.com/a\n");
    const first = await importLinks(["--links", ws.links, fixture("subscriptions.opml")]);
    expect(first.code).toBe(0);
    const second = await importLinks(["--links", ws.links, fixture("subscriptions.opml")]);
    expect(second.stdout).toContain("Nothing new for links.txt; skipped 3 links already listed.");
    expect((await readFile(ws.links, "utf8")).split("\n").filter((line) => line.startsWith("https://"))).toHaveLength(4);
  });

  it("fetches a feed by URL only through the guarded fetcher: refused on a private address, read with --allow-private-network", async () => {
    const ws = await workspace();
    const refused = await importLinks(["--links", ws.links, server.url("/feed.xml")]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(server.url("/feed.xml"));
    expect(refused.stderr).toMatch(/private|loopback|allow-private-network/i);
    const allowed = await importLinks(["--links", ws.links, "--allow-private-network", server.url("/feed.xml")]);
    expect(allowed.code, allowed.stderr).toBe(0);
    const lines = (await readFile(ws.links, "utf8")).split("\n");
    expect(lines.filter((line) => line.startsWith("http"))).toEqual(["https://cited.example.com/one  # one #notes"]);
    expect(allowed.stdout).toContain("1 link to the blog itself");
  });

  it("harvests a sitemap index and its gzipped sitemap page by page, dropping the theme's links and naming the page it could not fetch", async () => {
    const ws = await workspace();
    const run = await importLinks(["--links", ws.links, "--allow-private-network", server.url("/sitemap_index.xml")]);
    const lines = (await readFile(ws.links, "utf8")).split("\n").filter((line) => line.startsWith("http"));
    expect(lines).toEqual(["https://cited.example.com/sitemap-one  # first citation", "https://cited.example.com/sitemap-two  # second"]);
    expect(run.stdout).toContain("2 sitemaps, 4 pages");
    expect(run.stderr).toContain(`page ${server.url("/p/missing")} could not be read`);
    expect(run.stderr).toContain("404");
    expect(run.code).toBe(1);
  });

  it("reads a folder of posts, skipping the blog's own links given with --site", async () => {
    const ws = await workspace();
    const posts = path.join(ws.dir, "content");
    await mkdir(path.join(posts, "2024"), { recursive: true });
    await copyFile(fixture("posts/2024/hello-world.md"), path.join(posts, "2024", "hello-world.md"));
    await copyFile(fixture("posts/old-post.html"), path.join(posts, "old-post.html"));
    await writeFile(path.join(posts, "notes.txt"), "https://not-a-post.example.com/\n");
    const run = await importLinks(["--links", ws.links, "--site", "https://ada.example.blog/", posts]);
    expect(run.code, run.stderr).toBe(0);
    const text = await readFile(ws.links, "utf8");
    expect(text).toContain("https://robustlinks.example.org/spec/  # the Robust Links spec #meta #web-archiving\n");
    expect(text).toContain("https://old-article.example.com/2010/story.html  # a story\n");
    expect(text).not.toMatch(/ada\.example\.blog|code\.example\.com|not-a-post|twitter\.example/);
    expect(run.stdout).toContain("folder of posts, 2 posts, 9 links");
    expect(run.stdout).toContain("2 links to the blog itself");
  });

  it("names a source it cannot read or recognise, and still imports the others", async () => {
    const ws = await workspace();
    const big = path.join(ws.dir, "huge.csv");
    await writeFile(big, `title,url,time_added,tags,status\n${"x,https://x.example/,1,,unread\n".repeat(200)}`);
    const unknown = path.join(ws.dir, "mystery.dat");
    await writeFile(unknown, "name;address\nfoo;bar\n");
    const broken = path.join(ws.dir, "broken.json");
    await writeFile(broken, '[{"href": "https://x.example/", ');
    const run = await importLinks(["--links", ws.links, "--max-bytes", "2048", big, unknown, broken, path.join(ws.dir, "missing.csv"), fixture("pinboard.json")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${big}: is ${(await readFile(big)).length} bytes, over the limit of 2048`);
    expect(run.stderr).toContain(`${unknown}: is in no format the importer knows; name one with --format`);
    expect(run.stderr).toMatch(new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: looks like JSON but is not valid JSON`));
    expect(run.stderr).toContain(`${path.join(ws.dir, "missing.csv")}: does not exist`);
    expect((await readFile(ws.links, "utf8")).match(/^https:\/\//gm)).toHaveLength(2);
  });

  it("stops at --max-entries and says how to read more", async () => {
    const ws = await workspace();
    const run = await importLinks(["--links", ws.links, "--max-entries", "2", fixture("pinboard.json"), fixture("wallabag.json")]);
    expect(run.stderr).toContain("more than 2 entries: the first 2 were read, the rest were not (raise --max-entries)");
    expect((await readFile(ws.links, "utf8")).match(/^https:\/\//gm)).toHaveLength(2);
  });

  it("gives up on a source when the time limit runs out, says so, and still imports what it read", async () => {
    const ws = await workspace();
    const started = Date.now();
    const run = await importLinks(["--links", ws.links, "--allow-private-network", "--time-limit", "2", fixture("subscriptions.opml"), server.url("/slow-feed.xml")]);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(server.url("/slow-feed.xml"));
    expect(run.stderr).toContain("the time limit of 2 s ran out");
    expect((await readFile(ws.links, "utf8")).match(/^https:\/\//gm)).toHaveLength(3);
  });

  it("exits 2 on a usage error, naming what to do", async () => {
    const none = await importLinks([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Name at least one source");
    const format = await importLinks(["--format", "delicious", fixture("pinboard.json")]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format is "delicious", but --format must be pinboard, wallabag, omnivore');
  });
});
