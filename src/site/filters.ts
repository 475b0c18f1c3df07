/**
 * Template filters. Each returns plain text that Nunjucks then escapes, except captureBody and archiveJson, whose
 * output is marked safe in the templates: the capture's already-sanitized HTML and a JSON file.
 * Nothing here evaluates archived text as a template.
 */
import type { SiteConfig } from "./config.ts";
import { absoluteUrl, citationHtml, citationMarkdown, href, readableDate } from "./citation.ts";
import { contentSecurityPolicy, type PageKind } from "./csp.ts";
import { readCaptureBody, type Capture, type ChangePage } from "./data.ts";
import { renderChanges } from "./changes.ts";
import { formatBytes } from "../util/bytes.ts";
import { escapeHtml } from "../util/html.ts";
import { withoutForbiddenCharacters } from "../util/text.ts";
import { accessibleBody } from "./accessible.ts";

export { absoluteUrl, citationHtml, citationMarkdown, href, readableDate };

export function isoDate(value: string): string {
  return new Date(value).toISOString();
}

export function waybackUrl(url: string): string {
  // The Wayback Machine takes the original URL verbatim after /web/ and shows its newest snapshot.
  return `https://web.archive.org/web/${url}`;
}


/**
 * /archive.json: the public, machine-readable list (DESIGN.md "Machine-readable index"). Fields are only ever added:
 * url, hash_url, title, archived_at and path were the first; version_path is the pinned version's address (what
 * `npm run cite` and mirror.js link to), tags and note come from links.txt; status is what the link watch knows of the
 * original (alive, changed, moved, gone or unreachable; absent: unknown, never checked), with status_since and, for
 * moved, moved_to; versions lists every version, oldest first, the current one last; timemap is its Memento TimeMap;
 * source and source_url say a capture was taken from the Internet Archive's copy.
 */
export function archiveJson(site: SiteConfig, captures: Capture[]): string {
  const list = captures.map((c) => ({
    url: c.url,
    hash_url: c.hash_url,
    title: c.title,
    archived_at: c.archived_at,
    path: href(site, c.path),
    version_path: href(site, c.versionPath),
    tags: c.tags,
    ...(c.note ? { note: c.note } : {}),
    ...(c.originalStatus !== "unknown" ? { status: c.originalStatus, ...(c.statusSince ? { status_since: c.statusSince } : {}) } : {}),
    ...(c.movedTo ? { moved_to: c.movedTo } : {}),
    versions: [...(c.versions ?? []).map((v) => ({ archived_at: v.archived_at, path: href(site, v.versionPath) })), { archived_at: c.archived_at, path: href(site, c.versionPath) }],
    timemap: href(site, c.timemapPath ?? `/${c.hash_url}/timemap.link`),
    ...(c.source ? { source: c.source, source_url: c.source_url } : {}),
  }));
  return `${JSON.stringify({ title: site.title, count: list.length, captures: list }, null, 1)}\n`;
}

/** A tag's page, "/tags/<tag>/": tags are letters, digits, "-" and "_" (src/links/line.ts); others are encoded. */
export function tagPath(tag: string): string {
  return `/tags/${encodeURIComponent(tag)}/`;
}

/**
 * A capture's HTML with its stored images addressed from the site root (`/<prefix>/<hash>/<name>.webp`) instead of
 * relative to the page: the same page is then also correct at its version address, one folder deeper. The sanitizer
 * keeps an <img> only when its src is a file name the image stage wrote (IMAGE_FILE), so only those are rewritten.
 */
export function rootImages(site: Pick<SiteConfig, "pathPrefix">, capture: Pick<Capture, "hash_url">, html: string): string {
  return html.replace(/(<img\b[^>]*?\ssrc=")([0-9a-f]{32}\.(?:webp|avif))"/g, (_, start: string, name: string) => `${start}${href(site, `/${capture.hash_url}/${name}`)}"`);
}

/** The original's status in a few words for a page or a list: "original gone since 3 May 2026"; "" when not known. */
export function statusText(capture: Pick<Capture, "originalStatus" | "statusSince" | "lastSeenAlive">): string {
  const since = capture.statusSince ? readableDate(capture.statusSince) : "";
  switch (capture.originalStatus) {
    case "alive":
      return capture.lastSeenAlive ? `original online, last checked ${readableDate(capture.lastSeenAlive)}` : "original online";
    case "changed":
      return `original changed since ${since}: it no longer says what this copy says`;
    case "moved":
      return `original moved on ${since}`;
    case "gone":
      return `original gone since ${since}`;
    case "unreachable":
      return `original unreachable since ${since}`;
    default:
      return "";
  }
}

/** The "what changed" page's body (changes.ts), from the two versions' stored files. */
export function changeBody(change: ChangePage): string {
  const read = (file: string) => readCaptureBody({ folder: change.folder, bodyFile: file });
  const { added, removed, html } = renderChanges(read(change.from.bodyFile), read(change.to.bodyFile));
  const words = (n: number) => `${n.toLocaleString("en")} word${n === 1 ? "" : "s"}`;
  return `<p class="diff-summary" data-testid="diff-summary">${words(added)} added, ${words(removed)} removed.</p>\n<div class="diff-body">${html}</div>`;
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
    captureBody: (capture: Capture) => accessibleBody(rootImages(site, capture, readCaptureBody(capture))),
    statusText: (capture: Capture) => statusText(capture),
    changeBody: (change: ChangePage) => changeBody(change),
    citationHtml: (capture: Capture) => citationHtml(site, capture),
    citationMarkdown: (capture: Capture) => citationMarkdown(site, capture),
    archiveJson: (captures: Capture[]) => archiveJson(site, captures),
    tagPath: (tag: string) => tagPath(tag),
    plural: (count: number, one: string, many: string) => `${count.toLocaleString("en")} ${count === 1 ? one : many}`,
  };
}
