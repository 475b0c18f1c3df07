/**
 * One way to declare a command's options, as Pagefind does: a table, from which come the parser, the precedence
 * (flags > environment > config file > default), the checks with messages that name every way to set a value, and
 * `--help`. Only this module (through each command's table) reads argv and the environment; everything else receives
 * the resolved values. Errors: UsageError (the commands exit 2), naming the flag, the bad value and the fix.
 */
import { parseArgs } from "node:util";

export class UsageError extends Error {
  override name = "UsageError";
  readonly code = "USAGE";
}

export type OptionValue = string | number | boolean;

export interface OptionSpec {
  /** The flag without dashes: "per-host". */
  flag: string;
  kind: "boolean" | "integer" | "string";
  /** Shown in --help; the default is appended. */
  help: string;
  /** Placeholder in --help: "N", "FILE", "webp|avif". */
  value?: string;
  default?: OptionValue;
  /** What --help shows as the default when it is computed (e.g. "one per CPU core"). */
  defaultText?: string;
  min?: number;
  max?: number;
  /** The only values a string may take. */
  choices?: readonly string[];
  /**
   * The environment variable: by default the command's prefix and the flag (ARCHIVE_PER_HOST); a name of its own for
   * a variable others already set (GITHUB_STEP_SUMMARY), or false for none.
   */
  env?: string | false;
  /** The key in the config file's section, when the file may set it (default: none). */
  file?: string;
  /** A string's own check: the reason it is wrong, or undefined. */
  check?: (value: string) => string | undefined;
}

export interface CommandSpec {
  /** `npm run <name>`. */
  name: string;
  /** How the command is run, when it is not `npm run <name>` (the CI helpers: "npx tsx scripts/ci/commit-back.ts"). */
  invocation?: string;
  summary: string;
  /** Prefix of the environment variables (ARCHIVE → ARCHIVE_PER_HOST); none when absent. */
  envPrefix?: string;
  options: readonly OptionSpec[];
  /** Positional arguments, e.g. "URL…", and what they are. */
  positionals?: { value: string; help: string };
  /** Where the config-file layer comes from, for --help and messages ("site.config.json"). */
  configFile?: string;
  /** Closing lines of --help: exit codes, notes. */
  footer?: string[];
  /** A flag and value that --help uses to show how flags map to environment variables: ["per-host", "3"]. */
  envExample?: [string, string];
}

export interface ResolvedOptions {
  values: Record<string, OptionValue | undefined>;
  /** Where each value came from: "--flag", an environment variable's name, the config file, "default". */
  sources: Record<string, string>;
  positionals: string[];
}

const HELP: OptionSpec = { flag: "help", kind: "boolean", default: false, help: "show this help", env: false };

export function optionsOf(spec: CommandSpec): readonly OptionSpec[] {
  return spec.options.some((o) => o.flag === "help") ? spec.options : [...spec.options, HELP];
}

export function envName(spec: CommandSpec, option: OptionSpec): string | undefined {
  if (option.env === false) return undefined;
  return option.env ?? derivedEnvName(spec, option);
}

function waysToSet(spec: CommandSpec, option: OptionSpec): string {
  const ways = [`--${option.flag}${option.value ? ` ${option.value}` : ""}`];
  const env = envName(spec, option);
  if (env) ways.push(env);
  if (option.file && spec.configFile) ways.push(`"${option.file}" in ${spec.configFile}`);
  return ways.length === 1 ? ways[0]! : `${ways.slice(0, -1).join(", ")} or ${ways.at(-1)}`;
}

/**
 * Resolves argv against the table. `file` is the config file's section for this command (already read as JSON);
 * unknown keys in it are an error, like unknown flags.
 */
export function resolveOptions(
  spec: CommandSpec,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
  file: Record<string, unknown> = {},
): ResolvedOptions {
  const options = optionsOf(spec);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(options.map((o) => [o.flag, { type: o.kind === "boolean" ? ("boolean" as const) : ("string" as const) }])),
      allowPositionals: spec.positionals !== undefined,
      allowNegative: true,
      strict: true,
    });
  } catch (cause) {
    throw new UsageError(`${(cause as Error).message}. Run \`${spec.invocation ?? `npm run ${spec.name} --`} --help\` to see every option.`, { cause });
  }
  const fileKeys = new Map(options.filter((o) => o.file).map((o) => [o.file!, o]));
  for (const key of Object.keys(file)) {
    if (!fileKeys.has(key)) {
      throw new UsageError(`${spec.configFile ?? "The config file"}: unknown setting "${key}"; known settings: ${[...fileKeys.keys()].join(", ")}`);
    }
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  const values: ResolvedOptions["values"] = {};
  const sources: ResolvedOptions["sources"] = {};
  for (const option of options) {
    const variable = envName(spec, option);
    let raw: unknown;
    let source: string;
    if (flags[option.flag] !== undefined) {
      raw = flags[option.flag];
      source = `--${option.flag}`;
    } else if (variable && env[variable] !== undefined && env[variable] !== "") {
      raw = env[variable];
      source = variable;
    } else if (option.file && file[option.file] !== undefined) {
      raw = file[option.file];
      source = `"${option.file}" in ${spec.configFile ?? "the config file"}`;
    } else {
      values[option.flag] = option.default;
      sources[option.flag] = "default";
      continue;
    }
    values[option.flag] = checkValue(spec, option, raw, source);
    sources[option.flag] = source;
  }
  return { values, sources, positionals: parsed.positionals };
}

function checkValue(spec: CommandSpec, option: OptionSpec, raw: unknown, source: string): OptionValue {
  const fix = `Set it with ${waysToSet(spec, option)}.`;
  const shown = typeof raw === "string" ? `"${raw.length > 80 ? `${raw.slice(0, 80)}…` : raw}"` : JSON.stringify(raw);
  if (option.kind === "boolean") {
    if (typeof raw === "boolean") return raw;
    if (typeof raw === "string" && /^(1|true|yes|on)$/i.test(raw.trim())) return true;
    if (typeof raw === "string" && /^(0|false|no|off)$/i.test(raw.trim())) return false;
    throw new UsageError(`${source} is ${shown}, but --${option.flag} is true or false. ${fix}`);
  }
  if (option.kind === "integer") {
    const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
    const bounds = `${option.min !== undefined ? ` at least ${option.min}` : ""}${option.max !== undefined ? ` and at most ${option.max}` : ""}`;
    if (!Number.isSafeInteger(n) || (option.min !== undefined && n < option.min) || (option.max !== undefined && n > option.max)) {
      throw new UsageError(`${source} is ${shown}, but --${option.flag} must be a whole number${bounds}. ${fix}`);
    }
    return n;
  }
  if (typeof raw !== "string") throw new UsageError(`${source} is ${shown}, but --${option.flag} must be text. ${fix}`);
  if (option.choices && !option.choices.includes(raw)) {
    throw new UsageError(`${source} is ${shown}, but --${option.flag} must be ${option.choices.join(", ").replace(/, ([^,]*)$/, " or $1")}. ${fix}`);
  }
  const wrong = option.check?.(raw);
  if (wrong) throw new UsageError(`${source} is ${shown}, but --${option.flag} ${wrong}. ${fix}`);
  return raw;
}

/** The environment variable an option would have from the command's prefix alone. */
function derivedEnvName(spec: CommandSpec, option: OptionSpec): string | undefined {
  return spec.envPrefix ? `${spec.envPrefix}_${option.flag.toUpperCase().replace(/-/g, "_")}` : undefined;
}

/**
 * `--help`: usage, summary, one row an option with its default, then the footer. The header says how flags map to
 * environment variables; a row names its variable only where it is not that mapping (or there is none).
 */
export function helpText(spec: CommandSpec): string {
  const options = optionsOf(spec);
  const rows = options.map((o) => {
    const left = `  --${o.flag}${o.value ? ` ${o.value}` : ""}`;
    const shownDefault = o.defaultText ?? (o.default !== undefined && o.kind !== "boolean" ? String(o.default) : undefined);
    const variable = envName(spec, o);
    const notes = [
      shownDefault !== undefined ? `default: ${shownDefault}` : undefined,
      variable && variable !== derivedEnvName(spec, o) ? `or ${variable}` : undefined,
      o.file && o.file !== o.flag && spec.configFile ? `or "${o.file}" in ${spec.configFile}` : undefined,
    ].filter(Boolean);
    return `${left.padEnd(32)}${o.help}${notes.length ? ` (${notes.join("; ")})` : ""}`;
  });
  const usage = `Usage: ${spec.invocation ?? `npm run ${spec.name} --`} [options]${spec.positionals ? ` ${spec.positionals.value}` : ""}`;
  const lines = [usage, "", spec.summary];
  if (spec.positionals) lines.push("", `  ${spec.positionals.value.padEnd(30)}${spec.positionals.help}`);
  const example = spec.envExample && options.find((o) => o.flag === spec.envExample![0]);
  const layers = [
    spec.envPrefix && example ? `as environment variables, e.g. --${example.flag} ${spec.envExample![1]} as ${derivedEnvName(spec, example)}=${spec.envExample![1]}` : undefined,
    spec.configFile && options.some((o) => o.file) ? `in ${spec.configFile}` : undefined,
  ].filter(Boolean);
  const mapping = layers.length ? ` (also ${layers.join(", and ")}; flags win, then the environment${spec.configFile ? ", then the file" : ""})` : "";
  lines.push("", `Options${mapping}:`, ...rows);
  if (spec.footer?.length) lines.push("", ...spec.footer);
  return lines.join("\n");
}
