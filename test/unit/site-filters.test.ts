import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { hashUrl } from "../../src/cache/layout.ts";
import { resolveSiteConfig } from "../../src/site/config.ts";
import { contentSecurityPolicy } from "../../src/site/csp.ts";
import type { Capture } from "../../src/site/data.ts";
import { absoluteUrl, archiveJson, citationHtml, citationMarkdown, href, rootImages, tagPath } from "../../src/site/filters.ts";

const site = resolveSiteConfig({ url: "https://alice.github.io", pathPrefix: "/links/" });
const url = "https://example.com/a (b)?q=<x>";
const capture = {
  title: `Quotes " and <tags> & [brackets] *stars*`, url, hash_url: hashUrl(url), archived_at: "2026-03-04T05:06:07.000Z",
  path: `/${hashUrl(url)}/`, domain: "example.com", version: "20260304050607", versionPath: `/${hashUrl(url)}/20260304050607/`, tags: [],
} as unknown as Capture; // prettier-ignore
const version = `https://alice.github.io/links/${hashUrl(url)}/20260304050607/`;

describe("site filters", () => {
  it("put every internal path under the prefix, once", () => {
    expect(href(site, "/abc/")).toBe("/links/abc/");
    expect(href(site, "abc/")).toBe("/links/abc/");
    expect(absoluteUrl(site, "/abc/")).toBe("https://alice.github.io/links/abc/");
  });

  it("make an HTML citation of the pinned version, with Robust Links attributes, whose text and links survive a parser unchanged", () => {
    const html = citationHtml(site, capture);
    const links = Array.from(JSDOM.fragment(html).querySelectorAll("a"));
    expect(links.map((a) => a.getAttribute("href"))).toEqual([version, url]);
    expect(links[0]!.textContent).toBe(capture.title);
    expect({ ...links[0]!.dataset }).toEqual({ originalurl: url, versionurl: version, versiondate: "2026-03-04T05:06:07Z" });
    expect(JSDOM.fragment(html).textContent).toContain("archived 4 March 2026");
  });

  it("make a Markdown citation with its brackets escaped and a destination with spaces and parens wrapped", () => {
    const md = citationMarkdown(site, capture);
    expect(md).toContain(`[Quotes " and \\<tags\\> & \\[brackets\\] \\*stars\\*](${version})`);
    expect(md).toContain("(<https://example.com/a (b)?q=%3Cx%3E>)");
  });

  it("list every capture in archive.json with its prefixed path, its version's address and its tags, never fewer fields", () => {
    const tagged = { ...capture, tags: ["a", "b"], note: "why I kept it", originalStatus: "gone" } as Capture;
    const json = JSON.parse(archiveJson(site, [capture, tagged])) as { count: number; captures: Array<Record<string, unknown>> };
    expect(json.count).toBe(2);
    const first = { url, hash_url: hashUrl(url), title: capture.title, archived_at: capture.archived_at, path: `/links/${hashUrl(url)}/` };
    expect(json.captures[0]).toEqual({
      ...first,
      version_path: `/links/${hashUrl(url)}/20260304050607/`,
      tags: [],
      versions: [{ archived_at: capture.archived_at, path: `/links/${hashUrl(url)}/20260304050607/` }],
      timemap: `/links/${hashUrl(url)}/timemap.link`,
    });
    expect(json.captures[1]).toMatchObject({ ...first, tags: ["a", "b"], note: "why I kept it", status: "gone" });
  });

  it("address a capture's stored images from the site root, and nothing else", () => {
    const name = `${"ab".repeat(16)}.webp`;
    const body = `<p><img src="${name}" alt="x"> <img alt="y" src="${name}"><img src="https://evil.example/${name}"> <a href="${name}">a link</a> src="${name}"</p>`;
    expect(rootImages(site, capture, body)).toBe(
      `<p><img src="/links/${capture.hash_url}/${name}" alt="x"> <img alt="y" src="/links/${capture.hash_url}/${name}"><img src="https://evil.example/${name}"> <a href="${name}">a link</a> src="${name}"</p>`,
    );
  });

  it("give each tag a page address, encoding letters outside ASCII", () => {
    expect(tagPath("games")).toBe("/tags/games/");
    expect(tagPath("日本語")).toBe("/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/");
  });
});

describe("the Content-Security-Policy", () => {
  it("lets no page run script but the search page, and that one only its own", () => {
    const page = contentSecurityPolicy("page");
    expect(page).toContain("default-src 'none'");
    expect(page).toContain("script-src 'none'");
    for (const directive of ["base-uri 'none'", "form-action 'none'", "object-src 'none'"]) expect(page).toContain(directive);
    const search = contentSecurityPolicy("search");
    expect(search).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(search).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*|https?:/);
  });
});
