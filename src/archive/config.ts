/**
 * The options of `npm run archive`, in one table (util/options.ts): flags win over ARCHIVE_* environment variables,
 * which win over the "archive" section of site.config.json, which wins over the defaults. Output: the resolved
 * ArchiveConfig every stage receives. A bad value is a UsageError (exit 2) whose message names the flag and every way
 * to set it. Tunables that are not worth a flag live in limits.ts.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseShard, SHARD_FORMAT } from "../cache/layout.ts";
import { helpText as commandHelp, resolveOptions, UsageError, type CommandSpec, type OptionSpec } from "../util/options.ts";
import { CAPTURE_FOLDER_MAX_BYTES, IMAGE_QUALITY, IMAGES_AT_ONCE, RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS, SAVE_AT_ONCE, SAVE_POLL_MS, SAVE_WAIT_MS } from "./limits.ts";
import type { ArchiveConfig, ImageFormat, ProgressMode } from "./types.ts";

const MiB = 1024 * 1024;

const shardProblem = (value: string) => (parseShard(value) ? undefined : SHARD_FORMAT);
const httpUrlProblem = (value: string) => {
  try {
    return /^https?:$/.test(new URL(value).protocol) ? undefined : "must be an http(s) URL";
  } catch {
    return "must be an absolute http(s) URL";
  }
};

/** The Internet Archive's real endpoints; tests point these at a local fake. */
export const WAYBACK_DEFAULTS = {
  availabilityUrl: "https://archive.org/wayback/available",
  replayUrl: "https://web.archive.org/web",
  saveUrl: "https://web.archive.org/save",
} as const;

/** Every flag of `npm run archive`, in --help order. The README's copy of --help is checked against it. */
export const OPTIONS: readonly OptionSpec[] = [
  { flag: "links", kind: "string", value: "FILE", default: "links.txt", help: "the list of URLs, one a line" },
  { flag: "cache", kind: "string", value: "DIR", default: "cache", help: "where captures are stored" },
  { flag: "refresh", kind: "boolean", default: false, help: "capture again links that are already cached (a failed or empty refresh keeps the old copy)" },
  { flag: "concurrency", kind: "integer", value: "N", default: 4, min: 1, max: 64, help: "links archived at once" },
  { flag: "workers", kind: "integer", value: "N", min: 1, max: 64, defaultText: "one per CPU core", help: "threads that parse pages (a page parsing too long is stopped by ending its thread)" },
  { flag: "per-host", kind: "integer", value: "N", default: 2, min: 1, max: 16, help: "requests to one host at once" },
  { flag: "shard", kind: "string", value: "I/N", check: shardProblem, help: "archive only the links whose hash falls in shard I of N (1-based)" },
  { flag: "allow-private-network", kind: "boolean", default: false, help: "allow loopback, private and link-local addresses (refused by default)" },
  { flag: "timeout", kind: "integer", value: "MS", default: 60_000, min: 100, help: "whole fetch of one page, redirects and retries included" },
  { flag: "connect-timeout", kind: "integer", value: "MS", default: 10_000, min: 50, help: "TCP/TLS connect" },
  { flag: "headers-timeout", kind: "integer", value: "MS", default: 20_000, min: 50, help: "wait for response headers" },
  { flag: "idle-timeout", kind: "integer", value: "MS", default: 15_000, min: 50, help: "longest silence while reading a body" },
  { flag: "max-bytes", kind: "integer", value: "BYTES", default: 20 * MiB, min: 1024, help: "largest page, counted after decompression" },
  { flag: "max-redirects", kind: "integer", value: "N", default: 10, min: 0, max: 50, help: "redirects followed per fetch" },
  { flag: "retries", kind: "integer", value: "N", default: 2, min: 0, max: 10, help: "retries after network errors, 429 and 503" },
  { flag: "image-format", kind: "string", value: "webp|avif", default: "webp", choices: ["webp", "avif"], help: "format images are re-encoded to" },
  { flag: "image-max-width", kind: "integer", value: "PX", default: 1600, min: 16, max: 10_000, help: "images wider than this are scaled down" },
  { flag: "image-max-bytes", kind: "integer", value: "BYTES", default: 15 * MiB, min: 1024, help: "largest image downloaded" },
  { flag: "image-max-pixels", kind: "integer", value: "N", default: 40_000_000, min: 1, help: "largest image decoded (width × height)" },
  { flag: "image-timeout", kind: "integer", value: "MS", default: 30_000, min: 100, help: "download and re-encode of one image" },
  { flag: "capture-timeout", kind: "integer", value: "MS", default: 180_000, min: 1000, help: "one capture as a whole: its fetches, its parse and its images" },
  { flag: "capture-max-images", kind: "integer", value: "N", default: 300, min: 0, max: 10_000, help: "images one capture stores at most; the rest keep their alt text" },
  { flag: "capture-max-bytes", kind: "integer", value: "BYTES", default: 50 * MiB, min: 1024 * 1024, max: CAPTURE_FOLDER_MAX_BYTES, help: "bytes one capture folder may hold (GitHub refuses files over 100 MiB)" },
  { flag: "run-timeout", kind: "integer", value: "MS", default: 0, min: 0, defaultText: "0, none", help: "end the run by then; links not captured yet are left for the next run" },
  { flag: "wayback-fallback", kind: "boolean", default: true, help: "a link already gone at its first capture (404, 410, a name that no longer resolves) is captured from the Internet Archive's closest snapshot (--no-wayback-fallback: not)" },
  { flag: "wayback-api", kind: "string", value: "URL", default: WAYBACK_DEFAULTS.availabilityUrl, check: httpUrlProblem, help: "the Wayback Machine's availability API" },
  { flag: "wayback-replay", kind: "string", value: "URL", default: WAYBACK_DEFAULTS.replayUrl, check: httpUrlProblem, help: "where the Wayback Machine serves snapshots" },
  { flag: "wayback-save", kind: "boolean", defaultText: "on when IA_ACCESS_KEY and IA_SECRET_KEY are set", help: "ask Save Page Now to archive each newly captured original too, and record its snapshot" },
  { flag: "wayback-save-url", kind: "string", value: "URL", default: WAYBACK_DEFAULTS.saveUrl, check: httpUrlProblem, help: "Save Page Now's endpoint" },
  { flag: "user-agent", kind: "string", value: "TEXT", defaultText: "link-archive/<version> (personal web archive; +https://github.com/$GITHUB_REPOSITORY)", help: "the User-Agent sent with every request" },
  { flag: "progress", kind: "string", value: "bar|lines|quiet", choices: ["bar", "lines", "quiet"], defaultText: "bar on a terminal, lines otherwise", help: "progress display" },
  { flag: "summary", kind: "string", value: "FILE", help: "also write the run's summary as JSON to FILE" },
  { flag: "step-summary", kind: "string", value: "FILE", env: "GITHUB_STEP_SUMMARY", help: "also append the summary as Markdown to FILE (GitHub Actions sets it)" },
  { flag: "help", kind: "boolean", default: false, env: false, help: "show this help" },
].map((o): OptionSpec => (o.flag === "help" || o.flag === "step-summary" ? (o as OptionSpec) : { ...(o as OptionSpec), file: o.flag }));

export const ARCHIVE_COMMAND: CommandSpec = {
  name: "archive",
  summary: "Captures every new URL of the links file into <cache>/<md5 of the URL>/index.html.",
  envPrefix: "ARCHIVE",
  envExample: ["per-host", "3"],
  configFile: 'site.config.json ("archive")',
  options: OPTIONS,
  footer: ["Exit codes: 0 every link captured or already cached; 1 some links or lines failed (each is named); 2 usage error."],
};

export function helpText(): string {
  return commandHelp(ARCHIVE_COMMAND);
}

export interface ResolvedCli {
  config: ArchiveConfig;
  help: boolean;
  summaryFile: string | undefined;
  stepSummaryFile: string | undefined;
}

/** The version is a courtesy in the User-Agent; a run never fails over it. */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0";
  } catch {
    return "0";
  }
}

/** On GitHub Actions the default User-Agent names the archive's own repository, so a site owner knows whom to ask. */
function defaultUserAgent(env: NodeJS.ProcessEnv): string {
  const home = env.GITHUB_REPOSITORY ? `https://github.com/${env.GITHUB_REPOSITORY}` : "https://github.com/link-archive/link-archive";
  return `link-archive/${packageVersion()} (personal web archive; +${home})`;
}

/** Save Page Now's keys come from the environment only (repository secrets in CI), never a flag or the config file. */
function waybackConfig(values: Record<string, unknown>, env: NodeJS.ProcessEnv): ArchiveConfig["wayback"] {
  const accessKey = env.IA_ACCESS_KEY?.trim() ?? "";
  const secretKey = env.IA_SECRET_KEY?.trim() ?? "";
  const haveKeys = accessKey !== "" && secretKey !== "";
  const wanted = values["wayback-save"] === undefined ? haveKeys : values["wayback-save"] === true;
  if (wanted && !haveKeys) {
    throw new UsageError("--wayback-save needs the Internet Archive's S3-style keys in IA_ACCESS_KEY and IA_SECRET_KEY (https://archive.org/account/s3.php); set both, or leave --wayback-save off.");
  }
  const endpoints = { availabilityUrl: values["wayback-api"] as string, replayUrl: values["wayback-replay"] as string };
  return {
    fallback: values["wayback-fallback"] === true,
    ...endpoints,
    save: wanted ? { ...endpoints, saveUrl: values["wayback-save-url"] as string, accessKey, secretKey, concurrency: SAVE_AT_ONCE, pollMs: SAVE_POLL_MS, waitMs: SAVE_WAIT_MS } : undefined,
  };
}

/**
 * Resolves the archive's options. `file` is the "archive" section of site.config.json (already read); relative
 * paths resolve against `cwd`.
 */
export function resolveConfig(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  isTTY = false,
  file: Record<string, unknown> = {},
): ResolvedCli {
  const { values } = resolveOptions(ARCHIVE_COMMAND, argv, env, file);
  const config = archiveConfigOf(values, env, cwd, isTTY);
  const str = (flag: string) => values[flag] as string | undefined;
  const resolvePath = (value: string | undefined) => (value === undefined ? undefined : path.resolve(cwd, value));
  return { config, help: values.help === true, summaryFile: resolvePath(str("summary")), stepSummaryFile: resolvePath(str("step-summary")) };
}

/** The ArchiveConfig of resolved option values (resolveOptions over OPTIONS, or over a table that reuses some of them). */
export function archiveConfigOf(values: Record<string, unknown>, env: NodeJS.ProcessEnv, cwd: string, isTTY: boolean): ArchiveConfig {
  // A command with fewer options (npm run check) leaves the rest at the archive's defaults.
  const value = (flag: string) => (flag in values ? values[flag] : OPTIONS.find((o) => o.flag === flag)?.default);
  const int = (flag: string) => value(flag) as number;
  const str = (flag: string) => value(flag) as string | undefined;
  const shardValue = str("shard");
  const shard = shardValue === undefined ? undefined : parseShard(shardValue);
  const format = str("image-format") as ImageFormat;
  const userAgent = str("user-agent") ?? defaultUserAgent(env);
  const config: ArchiveConfig = {
    linksFile: path.resolve(cwd, str("links")!),
    cacheDir: path.resolve(cwd, str("cache")!),
    refresh: value("refresh") === true,
    concurrency: int("concurrency"),
    // One parsing thread per core the process may use: parsing is the run's CPU-bound work.
    workers: value("workers") === undefined ? os.availableParallelism() : int("workers"),
    perHostConcurrency: int("per-host"),
    allowPrivateNetwork: value("allow-private-network") === true,
    userAgent,
    // The product's name and version, whatever User-Agent is sent: it goes into every capture's front matter.
    archiver: `link-archive/${packageVersion()}`,
    fetch: {
      connectTimeoutMs: int("connect-timeout"),
      headersTimeoutMs: int("headers-timeout"),
      bodyIdleTimeoutMs: int("idle-timeout"),
      totalTimeoutMs: int("timeout"),
      maxBytes: int("max-bytes"),
      maxRedirects: int("max-redirects"),
      retries: int("retries"),
      retryBaseDelayMs: RETRY_BASE_DELAY_MS,
      maxRetryDelayMs: RETRY_MAX_DELAY_MS,
    },
    images: {
      maxBytes: int("image-max-bytes"),
      maxInputPixels: int("image-max-pixels"),
      maxWidth: int("image-max-width"),
      timeoutMs: int("image-timeout"),
      format,
      quality: IMAGE_QUALITY[format],
      concurrency: IMAGES_AT_ONCE,
    },
    capture: { timeoutMs: int("capture-timeout"), maxImages: int("capture-max-images"), maxBytes: int("capture-max-bytes") },
    runTimeoutMs: int("run-timeout"),
    shard,
    progress: (str("progress") ?? (isTTY ? "bar" : "lines")) as ProgressMode,
    wayback: waybackConfig(Object.fromEntries(["wayback-fallback", "wayback-api", "wayback-replay", "wayback-save", "wayback-save-url"].map((flag) => [flag, value(flag)])), env),
  };
  return config;
}
