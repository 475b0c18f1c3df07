/**
 * The options of `npm run check`, in one table (util/options.ts): its own (slices, slice, max) and the archive's that
 * bound a fetch or a new version's capture, by the same names, so `--timeout` means the same in both. Flags win over
 * CHECK_* environment variables, which win over the "check" section of site.config.json. Output: a CheckConfig.
 */
import path from "node:path";
import { helpText as commandHelp, resolveOptions, UsageError, type CommandSpec, type OptionSpec } from "../../util/options.ts";
import { OPTIONS as ARCHIVE_OPTIONS, archiveConfigOf } from "../config.ts";
import type { CheckConfig } from "./run.ts";

/** The archive's options a check uses, as they are (defaults, limits, help). */
const SHARED = [
  "links", "cache", "allow-private-network", "timeout", "connect-timeout", "headers-timeout", "idle-timeout",
  "max-bytes", "max-redirects", "retries", "image-format", "image-max-width", "image-max-bytes", "image-max-pixels", "image-timeout",
  "capture-timeout", "capture-max-images", "capture-max-bytes", "run-timeout", "user-agent",
]; // prettier-ignore

const shared = (flag: string): OptionSpec => ({ ...ARCHIVE_OPTIONS.find((o) => o.flag === flag)!, file: flag });

export const CHECK_OPTIONS: readonly OptionSpec[] = [
  ...SHARED.slice(0, 2).map(shared),
  { ...shared("concurrency"), help: "links checked at once" },
  shared("workers"),
  // One request to a host at a time: the check asks every original again, week after week.
  { ...shared("per-host"), default: 1 },
  { flag: "slices", kind: "integer", value: "N", default: 1, min: 1, max: 256, file: "slices", help: "cut the links into N slices by hash; each run checks one (the one checked longest ago), so N runs check them all" },
  { flag: "slice", kind: "integer", value: "I", min: 1, max: 256, help: "check this slice (1 to N) instead" },
  { flag: "max", kind: "integer", value: "N", default: 0, min: 0, file: "max", defaultText: "0, the whole slice", help: "check at most N links this run; the next run goes on where it stopped" },
  ...SHARED.slice(2).map(shared),
  { flag: "progress", kind: "string", value: "lines|quiet", choices: ["lines", "quiet"], default: "lines", file: "progress", help: "a line for each link whose status changed, or only the summary" },
  { flag: "summary", kind: "string", value: "FILE", help: "also write the run's summary as JSON to FILE" },
  { flag: "step-summary", kind: "string", value: "FILE", env: "GITHUB_STEP_SUMMARY", help: "also append the summary as Markdown to FILE (GitHub Actions sets it)" },
];

export const CHECK_COMMAND: CommandSpec = {
  name: "check",
  summary:
    "Asks every captured original again (conditional requests, one slice of the links a run) and records its status: alive, changed, moved, gone or\nunreachable. A page whose words changed materially becomes a new version; the earlier one is kept beside it.",
  envPrefix: "CHECK",
  envExample: ["slices", "4"],
  configFile: 'site.config.json ("check")',
  options: CHECK_OPTIONS,
  footer: [
    "Writes cache/_status/<md5>.json only when a link's status changes, and cache/_checks.json once a run.",
    "Exit codes: 0 the check ran (whatever it found); 2 usage error.",
  ],
};

export function checkHelpText(): string {
  return commandHelp(CHECK_COMMAND);
}

export interface ResolvedCheck {
  config: CheckConfig;
  help: boolean;
  progress: "lines" | "quiet";
  summaryFile: string | undefined;
  stepSummaryFile: string | undefined;
}

export function resolveCheckConfig(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), file: Record<string, unknown> = {}): ResolvedCheck {
  const { values } = resolveOptions(CHECK_COMMAND, argv, env, file);
  const slices = values.slices as number;
  const slice = values.slice as number | undefined;
  if (slice !== undefined && slice > slices) throw new UsageError(`--slice ${slice} is past the last of ${slices} slices; give --slices N too, or a slice from 1 to ${slices}.`);
  // The check re-captures a page only when its words changed, from its own answer: no Wayback fallback, no second copy.
  const archive = { ...archiveConfigOf({ ...values, "wayback-fallback": false, "wayback-save": false }, env, cwd, false), refresh: true };
  const resolvePath = (value: unknown) => (typeof value === "string" ? path.resolve(cwd, value) : undefined);
  return {
    config: { archive, slices, slice, max: values.max as number },
    help: values.help === true,
    progress: values.progress as "lines" | "quiet",
    summaryFile: resolvePath(values.summary),
    stepSummaryFile: resolvePath(values["step-summary"]),
  };
}
