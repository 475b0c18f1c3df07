/**
 * Template filters. Each returns plain text that Nunjucks then escapes, except captureBody and archiveJson, whose
 * output is marked safe in the templates: the capture's already-sanitized HTML and a JSON file.
 * Nothing here evaluates archived text as a template.
 */
import type { SiteConfig } from "./config.ts";
import { contentSecurityPolicy, type PageKind } from "./csp.ts";
import { readCaptureBody, type Capture } from "./data.ts";
import { formatBytes } from "../util/bytes.ts";
import { escapeHtml } from "../util/html.ts";
import { withoutForbiddenCharacters } from "../util/text.ts";
import { accessibleBody } from "./accessible.ts";

const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** "/ab12…/" under the prefix: every internal link, asset and search result goes through here. */
export function href(site: Pick<SiteConfig, "pathPrefix">, path: string): string {
  return site.pathPrefix + path.replace(/^\/+/, "");
}

export function absoluteUrl(site: Pick<SiteConfig, "pathPrefix" | "url">, path: string): string {
  return site.url + href(site, path);
}

export function isoDate(value: string): string {
  return new Date(value).toISOString();
}

export function readableDate(value: string): string {
  return DATE.format(new Date(value));
}

export function waybackUrl(url: string): string {
  // The Wayback Machine takes the original URL verbatim after /web/ and shows its newest snapshot.
  return `https://web.archive.org/web/${url}`;
}


/** CommonMark: backslash-escape what could start markup in link text; angle-bracket a destination with spaces or parens. */
const markdownText = (text: string): string => text.replace(/[\\`*_[\]<>!#|~]/g, "\\$&").replace(/\s+/g, " ");
const markdownUrl = (url: string): string => (/[\s()<>]/.test(url) ? `<${url.replace(/[<>]/g, encodeURIComponent)}>` : url);

export function citationHtml(site: SiteConfig, capture: Capture): string {
  const mirror = absoluteUrl(site, capture.path);
  return `<a href="${escapeHtml(mirror)}">${escapeHtml(capture.title)}</a> (mirror of <a href="${escapeHtml(capture.url)}">${escapeHtml(capture.domain)}</a>, archived ${readableDate(capture.archived_at)})`;
}

export function citationMarkdown(site: SiteConfig, capture: Capture): string {
  const mirror = absoluteUrl(site, capture.path);
  return `[${markdownText(capture.title)}](${markdownUrl(mirror)}) (mirror of [${markdownText(capture.domain)}](${markdownUrl(capture.url)}), archived ${readableDate(capture.archived_at)})`;
}

/** /archive.json: the public, machine-readable list (DESIGN.md "Machine-readable index"). */
export function archiveJson(site: SiteConfig, captures: Capture[]): string {
  const list = captures.map((c) => ({ url: c.url, hash_url: c.hash_url, title: c.title, archived_at: c.archived_at, path: href(site, c.path) }));
  return `${JSON.stringify({ title: site.title, count: list.length, captures: list }, null, 1)}\n`;
}

/** Filters by name, bound to the site's config; eleventy.config.ts registers them all. */
export function siteFilters(site: SiteConfig): Record<string, (...args: never[]) => unknown> {
  return {
    href: (path: string) => href(site, path),
    absoluteUrl: (path: string) => absoluteUrl(site, path),
    isoDate,
    readableDate,
    waybackUrl,
    fileSize: formatBytes,
    // feed.xml: characters XML 1.0 forbids (a capture written before they were stripped may hold some) are left out.
    xmlText: (value: unknown) => withoutForbiddenCharacters(String(value ?? "")),
    csp: (kind: PageKind) => contentSecurityPolicy(kind),
    captureBody: (capture: Capture) => accessibleBody(readCaptureBody(capture)),
    citationHtml: (capture: Capture) => citationHtml(site, capture),
    citationMarkdown: (capture: Capture) => citationMarkdown(site, capture),
    archiveJson: (captures: Capture[]) => archiveJson(site, captures),
    plural: (count: number, one: string, many: string) => `${count.toLocaleString("en")} ${count === 1 ? one : many}`,
  };
}
