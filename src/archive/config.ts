/**
 * The only place that reads argv and the environment. Flags win over ARCHIVE_* environment variables, which win
 * over defaults; a bad value is a UsageError (exit 2) whose message names the flag and every way to set it.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";
import type { ArchiveConfig, ImageFormat, ProgressMode } from "./types.ts";

type Kind = "boolean" | "integer" | "string" | "shard" | "format" | "progress";

interface OptionSpec {
  flag: string;
  kind: Kind;
  /** Shown in --help; the default is appended. */
  help: string;
  value?: string;
  default?: string | number | boolean;
  min?: number;
  max?: number;
}

const MiB = 1024 * 1024;

/** Every flag of `npm run archive`, in --help order. The README's options table is checked against --help. */
export const OPTIONS: readonly OptionSpec[] = [
  { flag: "links", kind: "string", value: "FILE", default: "links.txt", help: "the list of URLs, one a line" },
  { flag: "cache", kind: "string", value: "DIR", default: "cache", help: "where captures are stored" },
  { flag: "refresh", kind: "boolean", default: false, help: "capture again links that are already cached (a failed or empty refresh keeps the old copy)" },
  { flag: "concurrency", kind: "integer", value: "N", default: 4, min: 1, max: 64, help: "links archived at once" },
  { flag: "workers", kind: "integer", value: "N", min: 0, max: 64, help: "threads that parse pages, 0 for none (default: one per CPU core)" },
  { flag: "per-host", kind: "integer", value: "N", default: 2, min: 1, max: 16, help: "requests to one host at once" },
  { flag: "shard", kind: "shard", value: "I/N", help: "archive only the links whose hash falls in shard I of N (1-based)" },
  { flag: "allow-private-network", kind: "boolean", default: false, help: "allow loopback, private and link-local addresses (refused by default)" },
  { flag: "timeout", kind: "integer", value: "MS", default: 60_000, min: 100, help: "whole fetch of one page, redirects and retries included" },
  { flag: "connect-timeout", kind: "integer", value: "MS", default: 10_000, min: 50, help: "TCP/TLS connect" },
  { flag: "headers-timeout", kind: "integer", value: "MS", default: 20_000, min: 50, help: "wait for response headers" },
  { flag: "idle-timeout", kind: "integer", value: "MS", default: 15_000, min: 50, help: "longest silence while reading a body" },
  { flag: "max-bytes", kind: "integer", value: "BYTES", default: 20 * MiB, min: 1024, help: "largest page, counted after decompression" },
  { flag: "max-redirects", kind: "integer", value: "N", default: 10, min: 0, max: 50, help: "redirects followed per fetch" },
  { flag: "retries", kind: "integer", value: "N", default: 2, min: 0, max: 10, help: "retries after network errors, 429 and 503" },
  { flag: "image-format", kind: "format", value: "webp|avif", default: "webp", help: "format images are re-encoded to" },
  { flag: "image-max-width", kind: "integer", value: "PX", default: 1600, min: 16, max: 10_000, help: "images wider than this are scaled down" },
  { flag: "image-max-bytes", kind: "integer", value: "BYTES", default: 15 * MiB, min: 1024, help: "largest image downloaded" },
  { flag: "image-max-pixels", kind: "integer", value: "N", default: 40_000_000, min: 1, help: "largest image decoded (width × height)" },
  { flag: "image-timeout", kind: "integer", value: "MS", default: 30_000, min: 100, help: "download and re-encode of one image" },
  { flag: "progress", kind: "progress", value: "bar|lines|quiet", help: "progress display (default: bar on a terminal, lines otherwise)" },
  { flag: "summary", kind: "string", value: "FILE", help: "also write the run's summary as JSON to FILE" },
  { flag: "help", kind: "boolean", default: false, help: "show this help" },
];

export function envName(flag: string): string {
  return `ARCHIVE_${flag.toUpperCase().replace(/-/g, "_")}`;
}

export function helpText(): string {
  const rows = OPTIONS.map((o) => {
    const left = `  --${o.flag}${o.value ? ` ${o.value}` : ""}`;
    const def = o.default !== undefined && o.kind !== "boolean" ? ` (default: ${o.default})` : "";
    return `${left.padEnd(32)}${o.help}${def}`;
  });
  return [
    "Usage: npm run archive -- [options]",
    "",
    "Captures every new URL of the links file into <cache>/<md5 of the URL>/index.html.",
    "",
    "Options (each can also be set as an environment variable, e.g. --per-host 3 as ARCHIVE_PER_HOST=3):",
    ...rows,
    "",
    "Exit codes: 0 every link captured or already cached; 1 some links or lines failed (each is named); 2 usage error.",
  ].join("\n");
}

export interface ResolvedCli {
  config: ArchiveConfig;
  help: boolean;
  summaryFile: string | undefined;
}

function userAgent(env: NodeJS.ProcessEnv): string {
  let version = "0";
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    version = pkg.version ?? version;
  } catch {
    // The version is a courtesy; never fail a run over it.
  }
  // On GitHub Actions the UA names the archive's own repository, so a site owner knows whom to ask.
  const home = env.GITHUB_REPOSITORY ? `https://github.com/${env.GITHUB_REPOSITORY}` : "https://github.com/link-archive/link-archive";
  return env.ARCHIVE_USER_AGENT ?? `link-archive/${version} (personal web archive; +${home})`;
}

export function resolveConfig(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), isTTY = false): ResolvedCli {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        OPTIONS.map((o) => [o.flag, { type: o.kind === "boolean" ? ("boolean" as const) : ("string" as const) }]),
      ),
      allowPositionals: false,
      strict: true,
    });
  } catch (cause) {
    throw new UsageError(`${(cause as Error).message}. Run \`npm run archive -- --help\` to see every option.`, { cause });
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const raw = (o: OptionSpec): { value: string | number | boolean | undefined; source: string } => {
    if (values[o.flag] !== undefined) return { value: values[o.flag], source: `--${o.flag}` };
    const fromEnv = env[envName(o.flag)];
    if (fromEnv !== undefined && fromEnv !== "") return { value: o.kind === "boolean" ? /^(1|true|yes)$/i.test(fromEnv) : fromEnv, source: envName(o.flag) };
    return { value: o.default, source: "default" };
  };
  const get = new Map(OPTIONS.map((o) => [o.flag, o]));
  const spec = (flag: string): OptionSpec => get.get(flag)!;
  const bool = (flag: string): boolean => raw(spec(flag)).value === true;
  const str = (flag: string): string | undefined => {
    const v = raw(spec(flag)).value;
    return v === undefined ? undefined : String(v);
  };
  const int = (flag: string): number => {
    const o = spec(flag);
    const { value, source } = raw(o);
    const n = typeof value === "number" ? value : Number(value);
    const bounds = `${o.min !== undefined ? ` at least ${o.min}` : ""}${o.max !== undefined ? ` and at most ${o.max}` : ""}`;
    if (!Number.isInteger(n) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
      throw new UsageError(`${source} is "${value}", but --${o.flag} must be a whole number${bounds}. Set it with --${o.flag} ${o.value} or ${envName(o.flag)}.`);
    }
    return n;
  };

  const format = str("image-format");
  if (format !== "webp" && format !== "avif") {
    throw new UsageError(`--image-format must be webp or avif, not "${format}". Set it with --image-format or ${envName("image-format")}.`);
  }
  const progressValue = str("progress") ?? (isTTY ? "bar" : "lines");
  if (!["bar", "lines", "quiet"].includes(progressValue)) {
    throw new UsageError(`--progress must be bar, lines or quiet, not "${progressValue}".`);
  }
  let shard: ArchiveConfig["shard"];
  const shardValue = str("shard");
  if (shardValue !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(shardValue);
    const index = m ? Number(m[1]) : NaN;
    const count = m ? Number(m[2]) : NaN;
    if (!m || count < 1 || count > 256 || index < 1 || index > count) {
      throw new UsageError(`--shard is "${shardValue}", but it must be I/N with 1 ≤ I ≤ N ≤ 256, e.g. --shard 2/4 for the second of four shards.`);
    }
    shard = { index, count };
  }

  const timeout = int("timeout");
  const config: ArchiveConfig = {
    linksFile: path.resolve(cwd, str("links")!),
    cacheDir: path.resolve(cwd, str("cache")!),
    refresh: bool("refresh"),
    concurrency: int("concurrency"),
    // One parsing thread per core the process may use: parsing is the run's CPU-bound work (issue 5).
    workers: raw(spec("workers")).value === undefined ? os.availableParallelism() : int("workers"),
    perHostConcurrency: int("per-host"),
    allowPrivateNetwork: bool("allow-private-network"),
    userAgent: userAgent(env),
    fetch: {
      connectTimeoutMs: int("connect-timeout"),
      headersTimeoutMs: int("headers-timeout"),
      bodyIdleTimeoutMs: int("idle-timeout"),
      totalTimeoutMs: timeout,
      maxBytes: int("max-bytes"),
      maxRedirects: int("max-redirects"),
      retries: int("retries"),
      retryBaseDelayMs: 1000,
      maxRetryDelayMs: 30_000,
    },
    images: {
      maxBytes: int("image-max-bytes"),
      maxInputPixels: int("image-max-pixels"),
      maxWidth: int("image-max-width"),
      timeoutMs: int("image-timeout"),
      format: format as ImageFormat,
      quality: format === "avif" ? 50 : 75,
      concurrency: 2,
    },
    shard,
    progress: progressValue as ProgressMode,
  };
  const summary = str("summary");
  return { config, help: bool("help"), summaryFile: summary === undefined ? undefined : path.resolve(cwd, summary) };
}
