/**
 * How a capture is cited: its addresses under the site's URL (the mirror /<hash_url>/ and the pinned version
 * /<hash_url>/<YYYYMMDDhhmmss>/), and a citation in HTML and Markdown. The HTML carries Robust Links attributes
 * (https://robustlinks.mementoweb.org/spec/, the IIPC convention for citing an archived copy): data-originalurl
 * the original, data-versionurl the pinned copy, data-versiondate when it was taken. The capture page's citation box
 * and `npm run cite` both print these, so what a blogger pastes is what the site shows. Pure.
 */
import { versionStamp } from "../cache/layout.ts";
import { escapeHtml } from "../util/html.ts";
import type { SiteConfig } from "./config.ts";

/** What a citation needs of a capture (a CaptureMeta has it all). */
export interface Citable {
  url: string;
  hash_url: string;
  title: string;
  archived_at: string;
}

export interface Addresses {
  /** Absolute URL of /<hash_url>/: the current version, whichever it is. */
  mirror: string;
  /** Absolute URL of /<hash_url>/<YYYYMMDDhhmmss>/: this version, for good. */
  version: string;
  /** The version's date-time, ISO 8601 to the second: data-versiondate. */
  versionDate: string;
}

/** "/ab12…/" under the prefix: every internal link, asset and search result goes through here. */
export function href(site: Pick<SiteConfig, "pathPrefix">, path: string): string {
  return site.pathPrefix + path.replace(/^\/+/, "");
}

export function absoluteUrl(site: Pick<SiteConfig, "pathPrefix" | "url">, path: string): string {
  return site.url + href(site, path);
}

/** The mirror address of a URL's hash, captured or not (the address is computable from the URL alone). */
export function mirrorUrl(site: Pick<SiteConfig, "pathPrefix" | "url">, hash: string): string {
  return absoluteUrl(site, `/${hash}/`);
}

export function addressesOf(site: Pick<SiteConfig, "pathPrefix" | "url">, capture: Pick<Citable, "hash_url" | "archived_at">): Addresses {
  const stamp = versionStamp(capture.archived_at);
  const date = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}Z`;
  return { mirror: mirrorUrl(site, capture.hash_url), version: absoluteUrl(site, `/${capture.hash_url}/${stamp}/`), versionDate: date };
}

const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

export function readableDate(value: string): string {
  return DATE.format(new Date(value));
}

/** The host a citation names as the original's site. */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return url;
  }
}

/** CommonMark: backslash-escape what could start markup in link text; angle-bracket a destination with spaces or parens. */
export const markdownText = (text: string): string => text.replace(/[\\`*_[\]<>!#|~]/g, "\\$&").replace(/\s+/g, " ");
export const markdownUrl = (url: string): string => (/[\s()<>]/.test(url) ? `<${url.replace(/[<>]/g, encodeURIComponent)}>` : url);

/** `<a href="<version>" data-originalurl=… data-versionurl=… data-versiondate=…>title</a>`: a Robust Link to the copy. */
export function robustLinkHtml(site: Pick<SiteConfig, "pathPrefix" | "url">, capture: Citable, text = capture.title): string {
  const { version, versionDate } = addressesOf(site, capture);
  return `<a href="${escapeHtml(version)}" data-originalurl="${escapeHtml(capture.url)}" data-versionurl="${escapeHtml(version)}" data-versiondate="${versionDate}">${escapeHtml(text)}</a>`;
}

export function citationHtml(site: Pick<SiteConfig, "pathPrefix" | "url">, capture: Citable): string {
  return `${robustLinkHtml(site, capture)} (mirror of <a href="${escapeHtml(capture.url)}">${escapeHtml(hostOf(capture.url))}</a>, archived ${readableDate(capture.archived_at)})`;
}

export function citationMarkdown(site: Pick<SiteConfig, "pathPrefix" | "url">, capture: Citable): string {
  const { version } = addressesOf(site, capture);
  return `[${markdownText(capture.title)}](${markdownUrl(version)}) (mirror of [${markdownText(hostOf(capture.url))}](${markdownUrl(capture.url)}), archived ${readableDate(capture.archived_at)})`;
}
