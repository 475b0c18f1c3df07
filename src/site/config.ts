/**
 * The site's settings: site.config.json at the repo root, with environment overrides for CI.
 * Input: the file's path and an env object. Output: a resolved, checked SiteConfig. Errors: SiteConfigError naming the
 * file or variable and what to write instead. Only this module (and the CLI entries) read the environment.
 */
import { readFile } from "node:fs/promises";

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

export const DEFAULT_SITE_CONFIG: SiteConfig = {
  title: "Link archive",
  description: "Mirror copies of the articles I read, cite and want to keep.",
  author: "Archive owner",
  url: "http://localhost:8080",
  pathPrefix: "/",
  language: "en",
  noindexMirrors: true,
  pageSize: 50,
  feedSize: 50,
};

export class SiteConfigError extends Error {
  override name = "SiteConfigError";
  readonly code = "SITE_CONFIG_INVALID";
}

/** Environment variables that override the file, for CI (a project site learns its prefix from the repo name). */
export const SITE_ENV = {
  SITE_URL: "url",
  SITE_PATH_PREFIX: "pathPrefix",
  SITE_TITLE: "title",
  SITE_NOINDEX: "noindexMirrors",
} as const satisfies Record<string, keyof SiteConfig>;

/** "archive" → "/archive/", "" → "/": every link is prefix + a path without its leading slash. */
export function normalizePathPrefix(prefix: string): string {
  const inner = prefix.trim().replace(/^\/+|\/+$/g, "");
  if (inner === "") return "/";
  if (!/^[A-Za-z0-9._~!$&'()*+,;=:@%\/-]+$/.test(inner) || inner.split("/").some((s) => s === "" || s === "." || s === "..")) {
    throw new SiteConfigError(`pathPrefix "${prefix}" is not a plain URL path; write it like "/my-repo/"`);
  }
  return `/${inner}/`;
}

export function resolveSiteConfig(fileValues: Partial<Record<keyof SiteConfig, unknown>>, env: NodeJS.ProcessEnv = {}, source = "site config"): SiteConfig {
  const merged: Record<string, unknown> = { ...DEFAULT_SITE_CONFIG, ...fileValues };
  for (const [variable, key] of Object.entries(SITE_ENV)) {
    const value = env[variable];
    if (value === undefined || value === "") continue;
    merged[key] = key === "noindexMirrors" ? !/^(0|false|no|off)$/i.test(value) : value;
  }
  const known = new Set(Object.keys(DEFAULT_SITE_CONFIG));
  for (const key of Object.keys(merged)) {
    if (!known.has(key)) throw new SiteConfigError(`${source}: unknown setting "${key}"; known settings: ${[...known].join(", ")}`);
  }
  const str = (key: keyof SiteConfig): string => {
    const v = merged[key];
    if (typeof v !== "string" || v.trim() === "") throw new SiteConfigError(`${source}: "${key}" must be a non-empty string`);
    return v.trim();
  };
  const int = (key: keyof SiteConfig): number => {
    const v = merged[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new SiteConfigError(`${source}: "${key}" must be a positive integer`);
    return v;
  };
  const url = str("url").replace(/\/+$/, "");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SiteConfigError(`${source}: "url" must be an absolute http(s) URL like "https://user.github.io" (or set SITE_URL)`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new SiteConfigError(`${source}: "url" must use http or https (or set SITE_URL)`);
  }
  if (typeof merged.noindexMirrors !== "boolean") throw new SiteConfigError(`${source}: "noindexMirrors" must be true or false`);
  const language = str("language");
  if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(language)) throw new SiteConfigError(`${source}: "language" must be a language tag like "en"`);
  return {
    title: str("title"),
    description: str("description"),
    author: str("author"),
    url,
    pathPrefix: normalizePathPrefix(String(merged.pathPrefix ?? "/")),
    language,
    noindexMirrors: merged.noindexMirrors,
    pageSize: int("pageSize"),
    feedSize: int("feedSize"),
  };
}

/** Reads the config file (missing file = defaults) and applies the environment. */
export async function loadSiteConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<SiteConfig> {
  let values: Partial<Record<keyof SiteConfig, unknown>> = {};
  try {
    values = JSON.parse(await readFile(file, "utf8")) as typeof values;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new SiteConfigError(`Could not read ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new SiteConfigError(`${file} must hold one JSON object`);
  }
  return resolveSiteConfig(values, env, file);
}
