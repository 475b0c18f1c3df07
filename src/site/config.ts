/**
 * The site's settings: their table (util/options.ts), resolved from flags, SITE_* environment variables (CI sets the
 * address and path prefix), the top level of site.config.json, and defaults, in that order. Output: a checked
 * SiteConfig. Errors: SiteConfigError naming the setting, the bad value and every way to set it.
 */
import { readConfigFile } from "../util/config-file.ts";
import { resolveOptions, UsageError, type CommandSpec, type OptionSpec, type ResolvedOptions } from "../util/options.ts";
import { SiteConfigError } from "./errors.ts";

export interface SiteConfig {
  /** Shown in the header, the <title> of every page and the feed. */
  title: string;
  description: string;
  /** Feed author and page footer. */
  author: string;
  /** Where the site is hosted, without the path prefix and without a trailing slash: absolute links in the feed and citations. */
  url: string;
  /** Path the site lives under, "/" or "/repo/": always begins and ends with "/". */
  pathPrefix: string;
  /** Language of the site's own text (headers, labels) as a BCP 47 tag. */
  language: string;
  /** Mirror pages say noindex so the original author keeps their search presence. */
  noindexMirrors: boolean;
  /** Captures per index page: the index stays small however large the archive grows. */
  pageSize: number;
  /** Newest captures in /feed.xml. */
  feedSize: number;
}

const PATH_PREFIX = /^[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/** "archive" → "/archive/", "" → "/": every link is prefix + a path without its leading slash. */
export function normalizePathPrefix(prefix: string): string {
  const inner = prefix.trim().replace(/^\/+|\/+$/g, "");
  if (inner === "") return "/";
  if (!PATH_PREFIX.test(inner) || inner.split("/").some((s) => s === "" || s === "." || s === "..")) {
    throw new SiteConfigError(`pathPrefix "${prefix}" is not a plain URL path; write it like "/my-repo/"`);
  }
  return `/${inner}/`;
}

const nonEmpty = (value: string) => (value.trim() === "" ? "must not be empty" : undefined);

function httpUrlProblem(value: string): string | undefined {
  try {
    const { protocol } = new URL(value.trim());
    return protocol === "http:" || protocol === "https:" ? undefined : "must use http or https";
  } catch {
    return 'must be an absolute http(s) URL like "https://user.github.io"';
  }
}

function pathPrefixProblem(value: string): string | undefined {
  try {
    normalizePathPrefix(value);
    return undefined;
  } catch {
    return 'is not a plain URL path; write it like "/my-repo/"';
  }
}

const languageProblem = (value: string) => (/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(value.trim()) ? undefined : 'must be a language tag like "en"');

/** The site's settings, as options of every command that builds or serves the site. */
export const SITE_SETTINGS: readonly OptionSpec[] = [
  { flag: "title", kind: "string", value: "TEXT", default: "Link archive", file: "title", check: nonEmpty, help: "the site's name: header, page titles, feed" },
  { flag: "description", kind: "string", value: "TEXT", default: "Mirror copies of the articles I read, cite and want to keep.", file: "description", check: nonEmpty, help: "one line under the title" },
  { flag: "author", kind: "string", value: "NAME", default: "Archive owner", file: "author", check: nonEmpty, help: "the feed's author and the footer" },
  { flag: "url", kind: "string", value: "URL", default: "http://localhost:8080", file: "url", check: httpUrlProblem, help: "where the site is hosted, without the path prefix" },
  { flag: "path-prefix", kind: "string", value: "PATH", default: "/", file: "pathPrefix", check: pathPrefixProblem, help: "the path the site lives under, /repo/ for a project site" },
  { flag: "language", kind: "string", value: "TAG", default: "en", file: "language", check: languageProblem, help: "language of the site's own text" },
  { flag: "noindex-mirrors", kind: "boolean", default: true, env: "SITE_NOINDEX", file: "noindexMirrors", help: "mirror pages ask search engines not to index them (--no-noindex-mirrors to allow)" },
  { flag: "page-size", kind: "integer", value: "N", default: 50, min: 1, max: 10_000, file: "pageSize", help: "captures on each index page" },
  { flag: "feed-size", kind: "integer", value: "N", default: 50, min: 1, max: 10_000, file: "feedSize", help: "newest captures in feed.xml" },
];

export const DEFAULT_SITE_CONFIG: SiteConfig = siteConfigOf(resolveOptions({ name: "build", envPrefix: "SITE", options: SITE_SETTINGS, summary: "" }, []).values);

/** A SiteConfig from resolved values of SITE_SETTINGS. */
export function siteConfigOf(values: ResolvedOptions["values"]): SiteConfig {
  return {
    title: String(values.title).trim(),
    description: String(values.description).trim(),
    author: String(values.author).trim(),
    url: String(values.url).trim().replace(/\/+$/, ""),
    pathPrefix: normalizePathPrefix(String(values["path-prefix"])),
    language: String(values.language).trim(),
    noindexMirrors: values["noindex-mirrors"] === true,
    pageSize: values["page-size"] as number,
    feedSize: values["feed-size"] as number,
  };
}

/** The site settings from the top level of a config file and the environment (no flags), for tools and tests. */
export function resolveSiteConfig(fileValues: Record<string, unknown>, env: NodeJS.ProcessEnv = {}, source = "site config"): SiteConfig {
  const spec: CommandSpec = { name: "build", envPrefix: "SITE", configFile: source, options: SITE_SETTINGS, summary: "" };
  try {
    return siteConfigOf(resolveOptions(spec, [], env, fileValues).values);
  } catch (error) {
    if (error instanceof UsageError) throw new SiteConfigError(error.message, { cause: error });
    throw error;
  }
}

/** Reads the config file (missing file = defaults) and applies the environment. */
export async function loadSiteConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<SiteConfig> {
  let site: Record<string, unknown>;
  try {
    site = readConfigFile(file).site;
  } catch (error) {
    throw new SiteConfigError((error as Error).message, { cause: error });
  }
  return resolveSiteConfig(site, env, file);
}
