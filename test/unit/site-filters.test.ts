import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { hashUrl } from "../../src/cache/layout.ts";
import { resolveSiteConfig } from "../../src/site/config.ts";
import { contentSecurityPolicy } from "../../src/site/csp.ts";
import type { Capture } from "../../src/site/data.ts";
import { absoluteUrl, archiveJson, citationHtml, citationMarkdown, href } from "../../src/site/filters.ts";

const site = resolveSiteConfig({ url: "https://alice.github.io", pathPrefix: "/links/" });
const url = "https://example.com/a (b)?q=<x>";
const capture = {
  title: `Quotes " and <tags> & [brackets] *stars*`, url, hash_url: hashUrl(url), archived_at: "2026-03-04T05:06:07.000Z",
  path: `/${hashUrl(url)}/`, domain: "example.com",
} as Capture; // prettier-ignore

describe("site filters", () => {
  it("put every internal path under the prefix, once", () => {
    expect(href(site, "/abc/")).toBe("/links/abc/");
    expect(href(site, "abc/")).toBe("/links/abc/");
    expect(absoluteUrl(site, "/abc/")).toBe("https://alice.github.io/links/abc/");
  });

  it("make an HTML citation whose text and links survive a parser unchanged", () => {
    const html = citationHtml(site, capture);
    const links = Array.from(JSDOM.fragment(html).querySelectorAll("a"));
    expect(links.map((a) => a.getAttribute("href"))).toEqual([`https://alice.github.io/links/${hashUrl(url)}/`, url]);
    expect(links[0]!.textContent).toBe(capture.title);
    expect(JSDOM.fragment(html).textContent).toContain("archived 4 March 2026");
  });

  it("make a Markdown citation with its brackets escaped and a destination with spaces and parens wrapped", () => {
    const md = citationMarkdown(site, capture);
    expect(md).toContain("[Quotes \" and \\<tags\\> & \\[brackets\\] \\*stars\\*]");
    expect(md).toContain("(<https://example.com/a (b)?q=%3Cx%3E>)");
  });

  it("list every capture in archive.json with its prefixed path", () => {
    const json = JSON.parse(archiveJson(site, [capture])) as { count: number; captures: Array<Record<string, string>> };
    expect(json.count).toBe(1);
    expect(json.captures[0]).toEqual({ url, hash_url: hashUrl(url), title: capture.title, archived_at: capture.archived_at, path: `/links/${hashUrl(url)}/` });
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
