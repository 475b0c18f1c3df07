/**
 * The GitHub Actions workflows, checked here so a broken one fails `npm test` rather than a run on GitHub: they
 * parse, trigger when they should, hold the right permissions, run their steps in order, pin every action, never
 * splice user input into a shell script, and their shell steps do what they say (run under bash with a stub npm).
 * Also the helpers they call: scripts/ci/commit-message.ts, commit-back.ts (against real git repositories) and
 * refresh-links.ts.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { chmod, lstat, mkdir, mkdtemp, symlink, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { applyCaptures, isCacheFilePath, MANIFEST, packCaptures, SUMMARY } from "../../src/ci/captures-artifact.ts";
import { commitBack, hashOfCachePath } from "../../src/ci/commit-back.ts";
import { applyCapturesCommand } from "../../src/cli/ci.ts";
import { commitMessage, commitSubject, SKIP_CI, type ArchiveSummary } from "../../src/ci/commit-message.ts";
import type { CheckSummary } from "../../src/archive/check/run.ts";
import { planRefresh, prepareRefresh } from "../../src/ci/refresh-links.ts";
import { createMetrics } from "../../src/archive/metrics.ts";
import { renderCaptureFile } from "../../src/cache/capture-file.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { verifyCapture } from "../../src/verify/verify.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WORKFLOWS = path.join(ROOT, ".github/workflows");

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  permissions?: unknown;
  environment?: { name: string; url?: string } | string;
  strategy?: { "fail-fast"?: boolean; "max-parallel"?: number; matrix?: Record<string, unknown> };
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, any>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  jobs: Record<string, Job>;
}

const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const text = (file: string) => readFileSync(path.join(WORKFLOWS, file), "utf8");
const load = (file: string) => parse(text(file)) as Workflow;
const allSteps = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps ?? []);
const pages = load("pages.yml");
const ci = load("ci.yml");
const backfill = load("backfill.yml");
const jobMinutes = (j: Job) => (j as unknown as { "timeout-minutes": number })["timeout-minutes"];
/** The value of --run-timeout among an archive call's arguments, in milliseconds. */
function runDeadline(args: string[]): number {
  const i = args.indexOf("--run-timeout");
  expect(i, "--run-timeout is passed").toBeGreaterThanOrEqual(0);
  const ms = Number(args[i + 1]);
  expect(ms).toBeGreaterThan(0);
  return ms;
}

/**
 * Issue 10's split: nothing granted at the top; the job that fetches strangers' pages reads and keeps no token on
 * disk; one job writes, and it never archives or runs an install script; the build reads; only the deploy publishes.
 */
function expectLeastPrivilege(wf: Workflow): void {
  expect(wf.permissions).toEqual({});
  const { archive, commit, build, deploy } = wf.jobs;
  expect(archive!.permissions).toEqual({ contents: "read" });
  expect(commit!.permissions).toEqual({ contents: "write" });
  expect(build!.permissions).toEqual({ contents: "read", pages: "read" });
  expect(deploy!.permissions).toEqual({ pages: "write", "id-token": "write" });
  for (const [id, j] of Object.entries(wf.jobs)) {
    const granted = Object.entries((j.permissions ?? {}) as Record<string, string>);
    if (id !== "commit") expect(granted.filter(([scope, level]) => scope === "contents" && level === "write"), id).toEqual([]);
    if (id !== "deploy") expect(granted.filter(([scope]) => scope === "pages" || scope === "id-token").filter(([, level]) => level === "write"), id).toEqual([]);
    const checkout = j.steps.find((s) => s.uses?.startsWith("actions/checkout@"));
    if (checkout && id !== "commit") expect(checkout.with?.["persist-credentials"], `${id} keeps no token on disk`).toBe(false);
  }
  const commitRuns = commit!.steps.map((s) => s.run ?? "").filter(Boolean);
  expect(commitRuns.some((r) => /npm run archive|npx tsx|npm run build|npm run check/.test(r))).toBe(false);
  expect(commitRuns.filter((r) => /\bnpm (ci|install)\b/.test(r)).every((r) => r.includes("--ignore-scripts"))).toBe(true);
  // The commit job's helpers run on plain Node (type stripping), not through tsx.
  expect(commitRuns.filter((r) => r.includes("scripts/ci/")).every((r) => /(^|\s)node scripts\/ci\/(apply-captures|commit-back)\.ts/.test(r))).toBe(true);
}

/** A cron field: numbers, ranges, steps and lists within [min, max] (GitHub's five-field POSIX cron). */
function validCronField(field: string, min: number, max: number): boolean {
  return field.split(",").every((part) => {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) return false;
    const [, , from, to, step] = m;
    const inRange = (v: string | undefined) => v === undefined || (Number(v) >= min && Number(v) <= max);
    return inRange(from) && inRange(to) && (to === undefined || Number(to) >= Number(from)) && (step === undefined || Number(step) >= 1);
  });
}
function validCron(expr: string): boolean {
  const fields = expr.trim().split(/\s+/);
  const bounds: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];
  return fields.length === 5 && fields.every((f, i) => validCronField(f, ...bounds[i]!));
}

/** Runs a step's script as GitHub does (`bash --noprofile --norc -eo pipefail`), with a stub `npm` first on PATH. */
async function runStep(
  script: string,
  env: Record<string, string>,
  stub: { exit: number; writeSummary: boolean },
  more: { prepare?: (runnerTemp: string) => Promise<void>; failNodeWhen?: string } = {},
) {
  const dir = await mkdtemp(path.join(tmpdir(), "wf-step-"));
  const bin = path.join(dir, "bin");
  await mkdir(bin);
  const argsFile = path.join(dir, "npm-args");
  // The stub records its arguments, writes the --summary file when asked (as the real CLI does after a completed
  // run), then exits with the code under test.
  await writeFile(
    path.join(bin, "npm"),
    `#!/usr/bin/env bash
printf '%s\\n' "$@" > "${argsFile}"
prev=""
for a in "$@"; do
  if [ "$prev" = "--summary" ] && [ "${stub.writeSummary ? 1 : 0}" = 1 ]; then echo '{"captured":1}' > "$a"; fi
  prev="$a"
done
exit ${stub.exit}
`,
  );
  await chmod(path.join(bin, "npm"), 0o755);
  // A stub node logs each call, one line a call, and fails a call whose arguments contain failNodeWhen.
  const nodeCalls = path.join(dir, "node-calls");
  await writeFile(
    path.join(bin, "node"),
    `#!/usr/bin/env bash
echo "$*" >> "${nodeCalls}"
case "$*" in *"${more.failNodeWhen ?? "\0never"}"*) exit 1;; esac
exit 0
`,
  );
  await chmod(path.join(bin, "node"), 0o755);
  const file = path.join(dir, "step.sh");
  await writeFile(file, script);
  const runnerTemp = path.join(dir, "runner-temp");
  await mkdir(runnerTemp);
  await more.prepare?.(runnerTemp);
  const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(
      "bash",
      ["--noprofile", "--norc", "-eo", "pipefail", file],
      { env: { PATH: `${bin}:${process.env.PATH}`, RUNNER_TEMP: runnerTemp, ...env } },
      (error, stdout) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout) }),
    );
  });
  const args = existsSync(argsFile) ? (await readFile(argsFile, "utf8")).trim().split("\n") : [];
  const calls = existsSync(nodeCalls) ? (await readFile(nodeCalls, "utf8")).trim().split("\n") : [];
  await rm(dir, { recursive: true, force: true });
  return { ...result, args, calls, runnerTemp };
}

describe("every workflow file", () => {
  it("parses as YAML into a workflow with a name, triggers and jobs", () => {
    expect(files.sort()).toEqual(expect.arrayContaining(["backfill.yml", "ci.yml", "pages.yml"]));
    for (const file of files) {
      const wf = load(file);
      expect(wf.name, file).toEqual(expect.any(String));
      expect(wf.on, file).toBeTypeOf("object");
      expect(Object.keys(wf.jobs).length, file).toBeGreaterThan(0);
      for (const [id, job] of Object.entries(wf.jobs)) {
        expect(job.steps?.length, `${file}: job ${id}`).toBeGreaterThan(0);
        for (const needed of [job.needs ?? []].flat()) expect(Object.keys(wf.jobs), `${file}: ${id} needs ${needed}`).toContain(needed);
      }
    }
  });

  it("pins every action to a full commit SHA with its exact release in a comment, never a branch", () => {
    const pins = new Map<string, string>();
    for (const file of files) {
      const lines = text(file).split("\n").filter((l) => /^\s*(-\s*)?uses:/.test(l));
      expect(lines.length, file).toBeGreaterThan(0);
      for (const line of lines) {
        const m = /uses:\s*([\w.-]+\/[\w.\/-]+)@([0-9a-f]{40})\s+#\s*(v\d+\.\d+\.\d+)\s*$/.exec(line);
        expect(m, `${file}: ${line.trim()} should be owner/action@<40-hex SHA> # vX.Y.Z`).not.toBeNull();
        expect(line).not.toMatch(/@(main|master|latest|v\d+)\s*(#|$)/);
        // One version of each action across the workflows, so an upgrade is one search-and-replace.
        const [, action, sha] = m!;
        expect(pins.get(action!) ?? sha, `${action} is pinned to two different commits`).toBe(sha);
        pins.set(action!, sha!);
      }
    }
  });

  it("passes no ${{ }} expression into a run script, so inputs reach the shell only as environment data (script injection)", () => {
    for (const file of files) {
      for (const step of allSteps(load(file))) {
        if (step.run === undefined) continue;
        expect(step.run, `${file}: "${step.name}"`).not.toMatch(/\$\{\{/);
      }
    }
  });

  it("runs on pinned Ubuntu runners with a timeout on every job", () => {
    for (const file of files) {
      for (const [id, job] of Object.entries(load(file).jobs)) {
        expect((job as unknown as { "runs-on": string })["runs-on"], `${file}: ${id}`).toBe("ubuntu-24.04");
        expect((job as unknown as { "timeout-minutes": number })["timeout-minutes"], `${file}: ${id}`).toBeGreaterThan(0);
      }
    }
  });
});

describe("pages.yml", () => {
  const job = pages.jobs.archive!;

  it("runs on a push to main that touches links.txt or the site, by hand with a refresh input, and weekly", () => {
    expect(pages.on.push.branches).toEqual(["main"]);
    expect(pages.on.push.paths).toEqual(
      expect.arrayContaining(["links.txt", "site/**", "site.config.json", "eleventy.config.ts", "src/site/**"]),
    );
    expect(pages.on.workflow_dispatch.inputs.refresh).toMatchObject({ type: "string", required: false });
    expect(pages.on.schedule).toHaveLength(1);
    expect(validCron(pages.on.schedule[0].cron)).toBe(true);
    // Weekly: one day of the week, every week of the month.
    expect(pages.on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* [0-6]$/);
  });

  it("is not triggered by its own commit back, which touches only cache/", () => {
    const paths: string[] = pages.on.push.paths;
    expect(paths.some((p) => p === "cache" || p.startsWith("cache/") || p === "**" || p === "*")).toBe(false);
    expect(pages.on.push["paths-ignore"]).toBeUndefined();
  });

  it("never runs twice at once and never cancels a run in progress", () => {
    expect(pages.concurrency).toEqual({ group: "pages", "cancel-in-progress": false });
    // A run that waited in the queue checks out the branch tip, so it sees the captures the run before it pushed.
    for (const id of ["archive", "commit", "build"]) {
      const checkout = pages.jobs[id]!.steps.find((s) => s.uses?.startsWith("actions/checkout@"))!;
      expect(checkout.with?.ref, id).toBe("${{ github.ref }}");
    }
    expect(job.if).toBe("github.ref == 'refs/heads/main'");
  });

  it("gives each job only what it needs: the parser reads, the committer writes, only the deploy publishes", () => {
    expectLeastPrivilege(pages);
    expect(pages.jobs.check!.permissions).toEqual({ contents: "read" });
    expect([pages.jobs.commit!.needs].flat()).toEqual(["archive", "check"]);
    expect([pages.jobs.build!.needs].flat()).toEqual(["commit"]);
    expect(pages.jobs.deploy!.needs).toBe("build");
  });

  it("archives, packs and uploads; the commit job downloads, applies and commits; the build job builds and uploads the site", () => {
    const order = (j: Job, wanted: Array<[string, (s: Step) => boolean]>) => {
      const at = wanted.map(([what, test]) => {
        const i = j.steps.findIndex(test);
        expect(i, `step "${what}"`).toBeGreaterThanOrEqual(0);
        return i;
      });
      expect(at).toEqual([...at].sort((x, y) => x - y));
    };
    const uses = (action: string) => (s: Step) => !!s.uses?.startsWith(`actions/${action}@`);
    const runs = (re: RegExp) => (s: Step) => re.test(s.run ?? "");
    const node = (s: Step) => !!s.uses?.startsWith("actions/setup-node@") && s.with?.["node-version-file"] === ".nvmrc" && s.with?.cache === "npm";
    order(job, [
      ["checkout", uses("checkout")],
      ["setup-node", node],
      ["npm ci", runs(/^npm ci\b/)],
      ["archive", runs(/npm run archive\b/)],
      ["pack", runs(/scripts\/ci\/pack-captures\.ts --out "\$RUNNER_TEMP\/captures"/)],
      ["upload", (s) => uses("upload-artifact")(s) && s.with?.name === "captures" && s.with?.path === "${{ runner.temp }}/captures"],
    ]);
    order(pages.jobs.commit!, [
      ["checkout", uses("checkout")],
      ["setup-node", node],
      ["npm ci without install scripts", runs(/^npm ci --ignore-scripts\b/)],
      ["download", (s) => uses("download-artifact")(s) && s.with?.name === "captures" && s.with?.path === "${{ runner.temp }}/captures"],
      ["apply", runs(/^node scripts\/ci\/apply-captures\.ts --from "\$RUNNER_TEMP\/captures"$/)],
      ["commit back", runs(/^node scripts\/ci\/commit-back\.ts /)],
    ]);
    const build = pages.jobs.build!;
    order(build, [
      ["checkout", uses("checkout")],
      ["setup-node", node],
      ["npm ci", runs(/^npm ci\b/)],
      ["configure-pages", uses("configure-pages")],
      // Unchanged search partitions and verify's verdicts are reused, so the build redoes only what changed.
      ["build caches", (s) => uses("cache")(s) && String(s.with?.path).split("\n").filter(Boolean).sort().join(",") === ".cache/search,.cache/verify.json"],
      ["build", runs(/^npm run build$/)],
      ["upload-pages-artifact", (s) => uses("upload-pages-artifact")(s) && s.with?.path === "_site"],
    ]);
    expect(build.steps.find(runs(/npm run build\b/))!.env).toEqual({ SITE_URL: "${{ steps.pages.outputs.origin }}", SITE_PATH_PREFIX: "${{ steps.pages.outputs.base_path }}" });
    const deploy = pages.jobs.deploy!;
    expect(deploy.environment).toMatchObject({ name: "github-pages", url: "${{ steps.deployment.outputs.page_url }}" });
    expect(deploy.steps.map((s) => s.uses?.split("@")[0])).toEqual(["actions/deploy-pages"]);
  });

  it("checks the originals weekly or when asked, beside the archive job, and hands what changed to the commit job", async () => {
    const check = pages.jobs.check!;
    expect(check.if).toContain("github.event_name == 'schedule'");
    expect(check.if).toContain("inputs.check");
    // A refresh captures the same links again itself: the two would write the same folders.
    expect(check.if).toContain("inputs.refresh == ''");
    expect(pages.on.workflow_dispatch.inputs.check).toMatchObject({ type: "boolean", default: false });
    const run = check.steps.find((s) => /^npm run check\b/.test(s.run ?? ""))!.run!;
    expect(run).toContain('--summary "$RUNNER_TEMP/check-summary.json"');
    const r = await runStep(run, {}, { exit: 0, writeSummary: true });
    expect(r.args.slice(0, 2)).toEqual(["run", "check"]);
    expect(runDeadline(r.args)).toBeLessThanOrEqual((jobMinutes(check) - 15) * 60_000);
    expect(check.steps.find((s) => (s.run ?? "").includes("pack-captures"))!.run).toBe('npx tsx scripts/ci/pack-captures.ts --out "$RUNNER_TEMP/checked" --summary "$RUNNER_TEMP/check-summary.json"');
    expect(check.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!.with).toMatchObject({ name: "checked", path: "${{ runner.temp }}/checked" });

    // The commit job still commits the archive's captures when the check was skipped or failed.
    const commit = pages.jobs.commit!;
    expect(commit.if).toBe("${{ !cancelled() && needs.archive.result == 'success' }}");
    const download = commit.steps.find((s) => s.uses?.startsWith("actions/download-artifact@") && s.with?.name === "checked")!;
    const apply = commit.steps.find((s) => s.run === 'node scripts/ci/apply-captures.ts --from "$RUNNER_TEMP/checked"')!;
    for (const step of [download, apply]) expect(step.if).toBe("needs.check.result == 'success'");
    expect(commit.steps.find((s) => (s.run ?? "").includes("commit-back.ts"))!.run).toContain(`--check-summary "$RUNNER_TEMP/checked/${SUMMARY}"`);
    // The build follows a commit that ran after a skipped check.
    expect(pages.jobs.build!.if).toBe("${{ !cancelled() && needs.commit.result == 'success' }}");
  });

  it("commits back as the workflow's bot with a message from the run's summary, carried in the artifact, retrying the push", () => {
    const step = pages.jobs.commit!.steps.find((s) => (s.run ?? "").includes("scripts/ci/commit-back.ts"))!;
    expect(step.run).toContain(`--summary "$RUNNER_TEMP/captures/${SUMMARY}"`);
    expect(step.run).toMatch(/--attempts [2-9]\b/);
    const archive = job.steps.find((s) => s.id === "archive")!;
    expect(archive.run).toContain('--summary "$summary"');
    expect(archive.run).toContain('summary="$RUNNER_TEMP/archive-summary.json"');
    expect(job.steps.find((s) => (s.run ?? "").includes("pack-captures"))!.run).toContain('--summary "$RUNNER_TEMP/archive-summary.json"');
  });

  it("passes the refresh input to a helper through the environment, and its outputs to the archive step the same way", () => {
    const choose = job.steps.find((s) => s.id === "refresh")!;
    expect(choose.if).toContain("github.event_name == 'workflow_dispatch'");
    expect(choose.env?.REFRESH_INPUT).toBe("${{ inputs.refresh }}");
    expect(choose.run).toBe("npx tsx scripts/ci/refresh-links.ts");
    const archive = job.steps.find((s) => s.id === "archive")!;
    expect(archive.env).toEqual({
      REFRESH: "${{ steps.refresh.outputs.refresh }}",
      REFRESH_LINKS: "${{ steps.refresh.outputs.links }}",
      IA_ACCESS_KEY: "${{ secrets.IA_ACCESS_KEY }}",
      IA_SECRET_KEY: "${{ secrets.IA_SECRET_KEY }}",
    });
  });

  describe("the archive step, run under bash with a stub npm", () => {
    const script = () => job.steps.find((s) => s.id === "archive")!.run!;

    it("passes when every link was archived (exit 0)", async () => {
      const r = await runStep(script(), { REFRESH: "", REFRESH_LINKS: "" }, { exit: 0, writeSummary: true });
      expect(r.code).toBe(0);
      expect(r.args.slice(0, 2)).toEqual(["run", "archive"]);
      expect(r.args).not.toContain("--refresh");
    });

    it("gives the run a deadline that leaves the job time to pack and upload what it captured", async () => {
      const r = await runStep(script(), { REFRESH: "", REFRESH_LINKS: "" }, { exit: 0, writeSummary: true });
      expect(runDeadline(r.args)).toBeLessThanOrEqual((jobMinutes(job) - 15) * 60_000);
    });

    it("tolerates exit 1 (some links failed) so the captures are still committed and published", async () => {
      const r = await runStep(script(), { REFRESH: "", REFRESH_LINKS: "" }, { exit: 1, writeSummary: true });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^::warning /m);
    });

    it("fails the job on exit 2 (usage or configuration error)", async () => {
      const r = await runStep(script(), { REFRESH: "", REFRESH_LINKS: "" }, { exit: 2, writeSummary: false });
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/^::error /m);
    });

    it("fails the job when the archiver was killed, even though npm's exit code is not 2", async () => {
      expect((await runStep(script(), { REFRESH: "", REFRESH_LINKS: "" }, { exit: 137, writeSummary: false })).code).toBe(137);
      // An exit 1 without the summary file means the run never finished: not a list of failed links.
      expect((await runStep(script(), { REFRESH: "", REFRESH_LINKS: "" }, { exit: 1, writeSummary: false })).code).toBe(1);
    });

    it("refreshes only the chosen links with --refresh --links FILE, or every link with --refresh", async () => {
      const some = await runStep(script(), { REFRESH: "true", REFRESH_LINKS: "/tmp/refresh links.txt" }, { exit: 0, writeSummary: true });
      expect(some.args).toEqual(expect.arrayContaining(["--refresh", "--links", "/tmp/refresh links.txt"]));
      const all = await runStep(script(), { REFRESH: "true", REFRESH_LINKS: "" }, { exit: 0, writeSummary: true });
      expect(all.args).toContain("--refresh");
      expect(all.args).not.toContain("--links");
    });
  });
});

describe("ci.yml", () => {
  it("runs npm ci, the typecheck and the tests on every pull request, with Node from .nvmrc", () => {
    expect(Object.keys(ci.on)).toContain("pull_request");
    const steps = ci.jobs.test!.steps;
    const runs = steps.map((s) => s.run ?? "");
    const i = (re: RegExp) => runs.findIndex((r) => re.test(r));
    expect(i(/^npm ci\b/)).toBeGreaterThanOrEqual(0);
    expect(i(/^npm run typecheck$/)).toBeGreaterThan(i(/^npm ci\b/));
    expect(i(/^npm test$/)).toBeGreaterThan(i(/^npm ci\b/));
    expect(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with).toMatchObject({ "node-version-file": ".nvmrc", cache: "npm" });
  });

  it("reads only, and points the browser tests at the runner's Google Chrome", () => {
    expect(ci.permissions).toEqual({ contents: "read" });
    expect(ci.jobs.test!.env?.CHROMIUM_PATH).toBe("/usr/bin/google-chrome");
    expect(allSteps(ci).some((s) => /apt-get install/.test(s.run ?? ""))).toBe(false);
  });
});

describe("backfill.yml", () => {
  const shardJob = backfill.jobs.archive!;

  it("is started by hand with a shard count that defaults to 4", () => {
    expect(Object.keys(backfill.on)).toEqual(["workflow_dispatch"]);
    expect(backfill.on.workflow_dispatch.inputs.shards).toMatchObject({ type: "number", default: 4 });
    // The same group as pages.yml: a backfill and a normal run would capture the same links.
    expect(backfill.concurrency).toEqual({ group: "pages", "cancel-in-progress": false });
  });

  it("gives each job only what it needs, as pages.yml does", () => {
    expectLeastPrivilege(backfill);
    expect(backfill.jobs.plan!.permissions).toEqual({});
  });

  it("runs a job matrix over the shard indexes, passing --shard i/N to the archive, and uploads each shard's captures", () => {
    expect(shardJob.strategy?.matrix?.shard).toBe("${{ fromJSON(needs.plan.outputs.indexes) }}");
    expect(shardJob.strategy?.["fail-fast"]).toBe(false);
    expect(shardJob.strategy?.["max-parallel"]).toBeGreaterThanOrEqual(1);
    expect(shardJob.strategy?.["max-parallel"]).toBeLessThanOrEqual(20);
    expect(shardJob.env?.SHARD).toBe("${{ matrix.shard }}/${{ needs.plan.outputs.count }}");
    expect(shardJob.env?.IA_ACCESS_KEY).toBe("${{ secrets.IA_ACCESS_KEY }}");
    const runs = shardJob.steps.map((s) => s.run ?? "");
    expect(runs.find((r) => r.includes("npm run archive"))).toContain('--shard "$SHARD"');
    expect(runs.find((r) => r.includes("pack-captures"))).toContain('--out "$RUNNER_TEMP/captures"');
    const upload = shardJob.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(upload.with).toMatchObject({ name: "captures-${{ matrix.shard }}", path: "${{ runner.temp }}/captures" });
    const download = backfill.jobs.commit!.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"))!;
    expect(download.with).toMatchObject({ pattern: "captures-*", path: "${{ runner.temp }}/shards" });
    expect(download.with?.["merge-multiple"]).toBeUndefined();
  });

  it("commits after every shard, even when one failed, then builds once and deploys that build", () => {
    const commit = backfill.jobs.commit!;
    expect([commit.needs].flat()).toEqual(expect.arrayContaining(["archive"]));
    expect(commit.if).toContain("!cancelled()");
    expect(commit.env?.COUNT).toBe("${{ needs.plan.outputs.count }}");
    const build = backfill.jobs.build!;
    expect([build.needs].flat()).toEqual(expect.arrayContaining(["commit"]));
    expect(build.if).toContain("!cancelled()");
    expect(build.steps.some((s) => /npm run build\b/.test(s.run ?? ""))).toBe(true);
    expect(build.steps.some((s) => s.uses?.startsWith("actions/upload-pages-artifact@") && s.with?.path === "_site")).toBe(true);
    const deploy = backfill.jobs.deploy!;
    expect(deploy.needs).toBe("build");
    expect(deploy.if).toContain("needs.build.result == 'success'");
    expect(deploy.environment).toMatchObject({ name: "github-pages" });
    expect(deploy.steps.some((s) => s.uses?.startsWith("actions/deploy-pages@"))).toBe(true);
  });

  describe("the commit step, run under bash with a stub node", () => {
    const script = () => backfill.jobs.commit!.steps.find((s) => (s.run ?? "").includes("commit-back.ts"))!.run!;
    const shards = (...names: string[]) => async (temp: string) => {
      for (const name of names) await mkdir(path.join(temp, "shards", name), { recursive: true });
    };

    it("applies and commits each shard's captures in turn, with --shard i/N and that shard's summary", async () => {
      const r = await runStep(script(), { COUNT: "4" }, { exit: 0, writeSummary: false }, { prepare: shards("captures-1", "captures-3") });
      expect(r.code).toBe(0);
      const dir = (i: number) => `${r.runnerTemp}/shards/captures-${i}`;
      expect(r.calls).toEqual([
        `scripts/ci/apply-captures.ts --from ${dir(1)}`,
        `scripts/ci/commit-back.ts --summary ${dir(1)}/${SUMMARY} --shard 1/4 --branch main --attempts 5`,
        `scripts/ci/apply-captures.ts --from ${dir(3)}`,
        `scripts/ci/commit-back.ts --summary ${dir(3)}/${SUMMARY} --shard 3/4 --branch main --attempts 5`,
      ]);
      expect(r.stdout).toContain("Committed the captures of 2 shard(s).");
    });

    it("commits nothing of a shard whose artifact is refused, still commits the others, then fails", async () => {
      const r = await runStep(script(), { COUNT: "4" }, { exit: 0, writeSummary: false }, { prepare: shards("captures-2", "captures-4"), failNodeWhen: "apply-captures.ts --from" });
      expect(r.code).toBe(1);
      expect(r.calls.filter((c) => c.includes("commit-back.ts"))).toEqual([]);
      const one = await runStep(script(), { COUNT: "4" }, { exit: 0, writeSummary: false }, { prepare: shards("captures-2", "captures-4"), failNodeWhen: "shards/captures-2" });
      expect(one.code).toBe(1);
      expect(one.calls.filter((c) => c.includes("commit-back.ts")).map((c) => /--shard (\S+)/.exec(c)![1])).toEqual(["4/4"]);
      expect(one.stdout).toMatch(/^::error title=Shard 2\/4 not committed::/m);
    });

    it("skips a folder that is not a shard's, and passes when no shard uploaded anything", async () => {
      const odd = await runStep(script(), { COUNT: "2" }, { exit: 0, writeSummary: false }, { prepare: shards("captures-$(id)", "captures-1") });
      expect(odd.code).toBe(1);
      expect(odd.calls.some((c) => c.includes("$(id)"))).toBe(false);
      expect(odd.calls.filter((c) => c.includes("commit-back.ts"))).toHaveLength(1);
      const none = await runStep(script(), { COUNT: "2" }, { exit: 0, writeSummary: false });
      expect(none.code).toBe(0);
      expect(none.calls).toEqual([]);
    });
  });

  it("turns the shards input into the matrix's indexes, and refuses a count the matrix cannot run", async () => {
    const plan = backfill.jobs.plan!.steps.find((s) => s.id === "plan")!;
    expect(plan.env?.SHARDS).toBe("${{ inputs.shards }}");
    const dir = await mkdtemp(path.join(tmpdir(), "wf-plan-"));
    try {
      const output = path.join(dir, "out");
      await writeFile(output, "");
      const ok = await runStep(plan.run!, { SHARDS: "4", GITHUB_OUTPUT: output }, { exit: 0, writeSummary: false });
      expect(ok.code).toBe(0);
      expect(await readFile(output, "utf8")).toBe("count=4\nindexes=[1,2,3,4]\n");
      const values = JSON.parse(/indexes=(.*)/.exec(await readFile(output, "utf8"))![1]!) as number[];
      expect(values).toEqual([1, 2, 3, 4]);
      for (const bad of ["0", "257", "abc", "2; echo hi", "08", ""]) {
        expect((await runStep(plan.run!, { SHARDS: bad, GITHUB_OUTPUT: output }, { exit: 0, writeSummary: false })).code, bad).not.toBe(0);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("tolerates a shard's exit 1 but fails it on exit 2", async () => {
    const script = shardJob.steps.find((s) => (s.run ?? "").includes("npm run archive"))!.run!;
    const one = await runStep(script, { SHARD: "2/4" }, { exit: 1, writeSummary: true });
    expect(one.code).toBe(0);
    expect(one.args).toEqual(expect.arrayContaining(["--shard", "2/4"]));
    expect((await runStep(script, { SHARD: "2/4" }, { exit: 2, writeSummary: false })).code).toBe(2);
    // The shard ends by itself in time to pack and upload what it captured.
    expect(runDeadline(one.args)).toBeLessThanOrEqual((jobMinutes(shardJob) - 15) * 60_000);
  });
});

describe("dependency updates", () => {
  it("has Dependabot watch the npm packages and the SHA-pinned actions", () => {
    const config = parse(readFileSync(path.join(ROOT, ".github", "dependabot.yml"), "utf8")) as { version: number; updates: Array<{ "package-ecosystem": string; directory: string }> };
    expect(config.version).toBe(2);
    expect(config.updates.map((u) => [u["package-ecosystem"], u.directory])).toEqual([
      ["npm", "/"],
      ["github-actions", "/"],
    ]);
  });

  it("pins the two packages whose internals the archiver overrides to exact versions", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(pkg.dependencies["@mozilla/readability"]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies.jsdom).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("the Node version", () => {
  it("is 24 in .nvmrc, and package.json accepts Node 22.12 or newer", () => {
    expect(readFileSync(path.join(ROOT, ".nvmrc"), "utf8").trim()).toBe("24");
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines?: { node?: string } };
    expect(pkg.engines?.node).toBe(">=22.12");
  });
});

const summary = (over: Partial<ArchiveSummary> = {}): ArchiveSummary => ({
  linksFile: "links.txt",
  total: 5,
  captured: 3,
  unchanged: 0,
  alreadyCached: 1,
  failed: 1,
  deferred: 0,
  badLines: [],
  duplicates: 0,
  failures: [
    {
      link: { url: "https://example.org/gone", hash: "a".repeat(32), line: 14 },
      outcome: "failed",
      code: "ARCHIVE_HTTP_STATUS",
      reason: "HTTP 404 Not Found",
    },
  ],
  durationMs: 1234,
  metrics: createMetrics(),
  ...over,
});

describe("commit-message.ts", () => {
  it('says what happened in the subject: "archive: 3 captured, 1 failed"', () => {
    expect(commitSubject(summary())).toBe("archive: 3 captured, 1 failed");
    expect(commitSubject(summary({ captured: 0, failed: 0, failures: [] }))).toBe("archive: 0 captured");
    expect(commitSubject(summary({ unchanged: 2, badLines: [{ line: 3, text: "htp://x", reason: "not an http(s) URL" }] }))).toBe(
      "archive: 3 captured, 2 unchanged, 1 failed, 1 bad line",
    );
    expect(commitSubject(summary(), { shard: "2/4" })).toBe("archive (shard 2/4): 3 captured, 1 failed");
    expect(commitSubject(undefined)).toBe("archive: update captures");
  });

  it("lists each failed link with its line and reason, and ends with [skip ci]", () => {
    const message = commitMessage(summary());
    const lines = message.trimEnd().split("\n");
    expect(lines[0]).toBe("archive: 3 captured, 1 failed");
    expect(lines[1]).toBe("");
    expect(message).toContain("- https://example.org/gone (line 14): ARCHIVE_HTTP_STATUS: the server answered HTTP 404 (the page is gone)");
    expect(lines.at(-1)).toBe(SKIP_CI);
  });

  it("keeps a stranger's error text out of the message, and counts failures past the limit", () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      link: { url: `https://example.org/${i}`, hash: "b".repeat(32), line: i + 1 },
      outcome: "failed" as const,
      code: "ARCHIVE_NETWORK",
      reason: "line one\nline two\u0007",
    }));
    const message = commitMessage(summary({ failed: 25, failures: many }));
    expect(message).toContain("ARCHIVE_NETWORK: the connection failed\n");
    expect(message).not.toContain("line one");
    expect(message).toContain("- … and 5 more");
    expect(message.split("\n").filter((l) => l.startsWith("- https://"))).toHaveLength(20);
  });

  it("cannot be made to close an issue or reference another repository by a server's Content-Type of \"Fixes #1\"", () => {
    const hostile = {
      link: { url: "https://evil.example/page", hash: "c".repeat(32), line: 3 },
      outcome: "failed" as const,
      code: "ARCHIVE_UNSUPPORTED_TYPE",
      reason: "https://evil.example/page is Fixes #1 owner/repo#2 [x](https://evil.example/), which is not archived",
      publicReason: "Fixes #1",
    };
    // A summary forged by a compromised archive job: a code that is not one, a URL that is text.
    const forged = { ...hostile, link: { url: "Closes #3", hash: "d".repeat(32), line: 4 }, code: "Resolves #4" };
    const message = commitMessage(summary({ failed: 2, failures: [hostile, forged], badLines: [{ line: 7, text: "Fixes #5", reason: "Fixes #6" }] }));
    expect(message).not.toMatch(/(fix|fixes|fixed|close|closes|closed|resolve|resolves|resolved) #\d/i);
    expect(message).not.toMatch(/[\w.-]+\/[\w.-]+#\d/);
    expect(message).not.toContain("](");
    expect(message).toContain("- https://evil.example/page (line 3): ARCHIVE_UNSUPPORTED_TYPE: it is not a kind of document the archiver keeps");
    expect(message).toContain("- (a link) (line 4): ARCHIVE_INTERNAL: an unexpected error in the archiver");
    expect(message).toContain("- line 7");
  });
  it("adds a link check's news: statuses that changed and new versions, never a first sight or forged words", () => {
    const report = (url: string, line: number, was: string | undefined, status: string, newVersion = false) => ({ link: { url, hash: "e".repeat(32), line }, was, status, newVersion, written: true, reason: "" });
    const check = {
      newVersions: 2,
      reports: [
        report("https://example.org/gone", 3, "alive", "gone"),
        report("https://example.org/moved", 4, "alive", "moved"),
        report("https://example.org/back", 5, "gone", "alive"),
        report("https://example.org/first", 6, "unknown", "alive"),
        report("https://example.org/same", 7, undefined, "alive", true),
        report("Fixes #1", 8, "Closes #2", "gone"),
        report("https://example.org/forged", 9, "alive", "Resolves #3"),
      ],
    };
    // Forged words included, as a compromised check job could write them.
    const message = commitMessage(summary({ captured: 0, failed: 0, failures: [] }), { check: check as unknown as Partial<CheckSummary> });
    const lines = message.trimEnd().split("\n");
    expect(lines[0]).toBe("archive: 0 captured; check: 1 gone, 1 moved, 1 back, 2 new versions");
    expect(lines).toEqual(
      expect.arrayContaining([
        "Originals whose status changed (cache/_status/):",
        "- https://example.org/gone (line 3): alive → gone",
        "- https://example.org/moved (line 4): alive → moved",
        "- https://example.org/back (line 5): gone → alive",
      ]),
    );
    expect(message).not.toMatch(/#\d/);
    expect(message).not.toContain("first");
    expect(commitSubject(summary(), { check: { newVersions: 0, reports: [] } })).toBe("archive: 3 captured, 1 failed");
  });
});

describe("refresh-links.ts", () => {
  const links = "# reading list\nhttps://example.org/a\nhttps://example.org/b/\n\nhttps://example.org/c\n";

  it('reads "all", nothing, or URLs separated by spaces or newlines, matched exactly against links.txt', () => {
    expect(planRefresh("", links)).toEqual({ kind: "none" });
    expect(planRefresh("  \n ", links)).toEqual({ kind: "none" });
    expect(planRefresh("ALL", links)).toEqual({ kind: "all" });
    expect(planRefresh("https://example.org/c\nhttps://example.org/a https://example.org/a", links)).toEqual({
      kind: "some",
      urls: ["https://example.org/c", "https://example.org/a"],
      unknown: [],
    });
    // The capture key is the md5 of the URL as written, so a missing trailing slash is another link.
    expect(planRefresh("https://example.org/b", links)).toEqual({ kind: "some", urls: [], unknown: ["https://example.org/b"] });
  });

  it("writes the chosen URLs to a links file of their own, and treats shell syntax as an unknown URL", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "refresh-"));
    try {
      const linksFile = path.join(dir, "links.txt");
      await writeFile(linksFile, links);
      const hostile = '$(touch pwned) `touch pwned` ";touch pwned;#';
      const out = await prepareRefresh(`https://example.org/a ${hostile}`, linksFile, dir);
      expect(out.refresh).toBe(true);
      expect(await readFile(out.links, "utf8")).toBe("https://example.org/a\n");
      expect(out.warnings.length).toBeGreaterThan(0);
      expect(existsSync(path.join(dir, "pwned"))).toBe(false);
      expect(await prepareRefresh("all", linksFile, dir)).toEqual({ refresh: true, links: "", warnings: [] });
      await expect(prepareRefresh("https://elsewhere.example/", linksFile, dir)).rejects.toThrow(/None of the URLs to refresh/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("commit-back.ts, against real git repositories", () => {
  let root: string;
  const saved = { ...process.env };
  const id = ["-c", "user.name=Owner", "-c", "user.email=owner@example.org"];
  const sh = (cwd: string, args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const HASH_1 = `0000000a${"c".repeat(24)}`; // shard 1 of 2: 0x0000000a is even
  const HASH_2 = `0000000b${"c".repeat(24)}`; // shard 2 of 2

  /** A bare origin with one commit on main, a shallow clone for the workflow, and a full clone for the owner. */
  async function setup(name: string) {
    const dir = path.join(root, name);
    await mkdir(dir);
    sh(dir, ["init", "--quiet", "--bare", "-b", "main", "origin.git"]);
    const origin = path.join(dir, "origin.git");
    sh(dir, ["clone", "--quiet", origin, "owner"]);
    const owner = path.join(dir, "owner");
    await writeFile(path.join(owner, "links.txt"), "https://example.org/a\n");
    await mkdir(path.join(owner, "cache", HASH_1), { recursive: true });
    await writeFile(path.join(owner, "cache", HASH_1, "index.html"), "old\n");
    sh(owner, ["add", "."]);
    sh(owner, [...id, "commit", "--quiet", "-m", "links"]);
    sh(owner, ["push", "--quiet", "origin", "HEAD:main"]);
    // As actions/checkout does by default: one commit deep.
    sh(dir, ["clone", "--quiet", "--depth", "1", `file://${origin}`, "runner"]);
    return { origin, owner, runner: path.join(dir, "runner") };
  }

  async function ownerPushes(owner: string, file: string, content: string) {
    await mkdir(path.dirname(path.join(owner, file)), { recursive: true });
    await writeFile(path.join(owner, file), content);
    sh(owner, ["add", "."]);
    sh(owner, [...id, "commit", "--quiet", "-m", `owner edits ${file}`]);
    sh(owner, ["push", "--quiet", "origin", "HEAD:main"]);
  }

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "commit-back-"));
    // Keep the machine's git configuration (signing, hooks, default branch) out of the test.
    const empty = path.join(root, "gitconfig");
    await writeFile(empty, "");
    Object.assign(process.env, { GIT_CONFIG_GLOBAL: empty, GIT_CONFIG_NOSYSTEM: "1" });
  });
  afterAll(async () => {
    process.env = saved;
    await rm(root, { recursive: true, force: true });
  });

  it("knows which hash a cache path belongs to", () => {
    expect(hashOfCachePath(`cache/${HASH_1}/index.html`)).toBe(HASH_1);
    expect(hashOfCachePath(`cache/${HASH_1}/img/a.webp`)).toBe(HASH_1);
    expect(hashOfCachePath(`cache/_failures/${HASH_2}.json`)).toBe(HASH_2);
    expect(hashOfCachePath("cache/README.md")).toBeUndefined();
    expect(hashOfCachePath(`site/${HASH_1}/index.html`)).toBeUndefined();
  });

  it("commits nothing when the run changed nothing", async () => {
    const { runner } = await setup("nothing");
    const result = await commitBack({ cwd: runner, branch: "main", log: () => {} });
    expect(result).toMatchObject({ committed: false, files: 0, pushAttempts: 0 });
  });

  it("rebases onto a main that moved and pushes again, from a one-commit-deep clone, as github-actions[bot]", async () => {
    const { origin, owner, runner } = await setup("moved");
    await mkdir(path.join(runner, "cache", HASH_2), { recursive: true });
    await writeFile(path.join(runner, "cache", HASH_2, "index.html"), "new capture\n");
    await writeFile(path.join(runner, "cache", HASH_1, "index.html"), "refreshed\n");
    const summaryFile = path.join(root, "moved-summary.json");
    await writeFile(summaryFile, JSON.stringify(summary()));
    // The owner pushes another link while the workflow is archiving.
    await ownerPushes(owner, "links.txt", "https://example.org/a\nhttps://example.org/b\n");

    const lines: string[] = [];
    const result = await commitBack({ cwd: runner, branch: "main", summaryFile, delayMs: () => 0, log: (l) => lines.push(l) });
    expect(result).toMatchObject({ committed: true, files: 2, pushAttempts: 2, subject: "archive: 3 captured, 1 failed" });
    expect(lines.join("\n")).toMatch(/main moved since checkout; rebasing/);

    const log = sh(origin, ["log", "--format=%an <%ae>|%s", "main"]).trim().split("\n");
    expect(log[0]).toBe("github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|archive: 3 captured, 1 failed");
    expect(log[1]).toMatch(/owner edits links.txt$/);
    expect(sh(origin, ["log", "-1", "--format=%B", "main"])).toContain(SKIP_CI);
    expect(sh(origin, ["show", "main:links.txt"])).toContain("https://example.org/b");
    expect(sh(origin, ["show", `main:cache/${HASH_2}/index.html`])).toBe("new capture\n");
  });

  it("commits only its own shard's capture folders and failure records", async () => {
    const { origin, runner } = await setup("shard");
    await mkdir(path.join(runner, "cache", HASH_2), { recursive: true });
    await writeFile(path.join(runner, "cache", HASH_2, "index.html"), "shard 2\n");
    await mkdir(path.join(runner, "cache", "_failures"), { recursive: true });
    await writeFile(path.join(runner, "cache", "_failures", `${HASH_2}.json`), "{}\n");
    await writeFile(path.join(runner, "cache", HASH_1, "index.html"), "shard 1 changed\n");
    await writeFile(path.join(runner, "cache", "stray.txt"), "not a capture\n");

    const result = await commitBack({ cwd: runner, branch: "main", shard: { index: 2, count: 2 }, delayMs: () => 0, log: () => {} });
    expect(result.committed).toBe(true);
    expect(result.files).toBe(2);
    expect(result.skipped.sort()).toEqual([`cache/${HASH_1}/index.html`, "cache/stray.txt"]);
    const changed = sh(origin, ["show", "--name-only", "--format=%s", "main"]).trim().split("\n");
    expect(changed[0]).toBe("archive (shard 2/2): update captures");
    expect(changed.slice(1).filter(Boolean).sort()).toEqual([`cache/${HASH_2}/index.html`, `cache/_failures/${HASH_2}.json`]);
  });

  it("fails at once, naming the files, when the remote refuses the push (GitHub's GH001), and never retries it", async () => {
    const { origin, runner } = await setup("refused");
    // GitHub's own answer to a file over 100 MiB, played by a pre-receive hook on the bare origin.
    const hook = path.join(origin, "hooks", "pre-receive");
    await writeFile(
      hook,
      [
        "#!/bin/sh",
        "echo 'error: GH001: Large files detected. You may want to try Git Large File Storage - https://git-lfs.github.com.' >&2",
        `echo "error: File cache/${HASH_2}/index.html is 120.00 MB; this exceeds GitHub's file size limit of 100.00 MB" >&2`,
        "exit 1",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    await mkdir(path.join(runner, "cache", HASH_2), { recursive: true });
    await writeFile(path.join(runner, "cache", HASH_2, "index.html"), "pretend it is big\n");
    let waits = 0;
    const error = await commitBack({ cwd: runner, branch: "main", delayMs: () => (waits++, 0), log: () => {} }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(new RegExp(`refused the push to main: cache/${HASH_2}/index.html \\(120\\.00 MB\\) is over GitHub's file size limit`));
    expect(waits).toBe(0);
  });

  it("leaves out a capture that holds a symbolic link or a file over the size limit, and commits the rest", async () => {
    const { origin, runner } = await setup("unsafe");
    await mkdir(path.join(runner, "cache", HASH_2), { recursive: true });
    await writeFile(path.join(runner, "cache", HASH_2, "index.html"), "fine\n");
    await symlink("/etc/hostname", path.join(runner, "cache", HASH_2, "0123456789abcdef0123456789abcdef.webp"));
    await writeFile(path.join(runner, "cache", HASH_1, "index.html"), "refreshed\n");
    const result = await commitBack({ cwd: runner, branch: "main", delayMs: () => 0, log: () => {} });
    expect(result.committed).toBe(true);
    expect(result.refused).toEqual([`cache/${HASH_2}/0123456789abcdef0123456789abcdef.webp is a symbolic link`]);
    const changed = sh(origin, ["show", "--name-only", "--format=", "main"]).trim().split("\n");
    expect(changed).toEqual([`cache/${HASH_1}/index.html`]);
  });

  it("verifies each changed capture before committing it, and leaves out one with a script added by hand", async () => {
    const { origin, runner } = await setup("verified");
    const good = "https://example.org/good";
    const bad = "https://example.org/bad";
    const capture = (url: string, body: string) =>
      renderCaptureFile(
        { title: "T", url, hash_url: hashUrl(url), archived_at: "2026-01-01T00:00:00.000Z", final_url: url, status: "captured", kind: "article", content_type: "text/html", http_status: 200, word_count: 2, images: 0, images_failed: 0, content_sha256: "", archiver: "t" },
        body,
      );
    await mkdir(path.join(runner, "cache", hashUrl(good)), { recursive: true });
    await writeFile(path.join(runner, "cache", hashUrl(good), "index.html"), capture(good, "<p>Fine.</p>\n"));
    await mkdir(path.join(runner, "cache", hashUrl(bad)), { recursive: true });
    await writeFile(path.join(runner, "cache", hashUrl(bad), "index.html"), capture(bad, "<p>Fine.</p><script>alert(1)</script>\n"));
    const cacheDir = path.join(runner, "cache");
    const result = await commitBack({ cwd: runner, branch: "main", delayMs: () => 0, log: () => {}, check: (key) => verifyCapture(cacheDir, key, { decode: false }) });
    expect(result.refused).toEqual([expect.stringMatching(new RegExp(`^cache/${hashUrl(bad)} does not pass verify: its HTML is not what the sanitizer leaves`))]);
    const changed = sh(origin, ["show", "--name-only", "--format=", "main"]).trim().split("\n");
    expect(changed).toEqual([`cache/${hashUrl(good)}/index.html`]);
  });

  it("lets parallel shards push without conflicts, each rebasing onto the others", async () => {
    const { origin, runner } = await setup("parallel");
    const other = path.join(root, "parallel", "runner-2");
    sh(path.dirname(other), ["clone", "--quiet", "--depth", "1", `file://${origin}`, "runner-2"]);
    await mkdir(path.join(runner, "cache", HASH_2), { recursive: true });
    await writeFile(path.join(runner, "cache", HASH_2, "index.html"), "from shard 2\n");
    await writeFile(path.join(other, "cache", HASH_1, "index.html"), "from shard 1\n");
    const [a, b] = await Promise.all([
      commitBack({ cwd: runner, branch: "main", shard: { index: 2, count: 2 }, delayMs: () => 10, log: () => {} }),
      commitBack({ cwd: other, branch: "main", shard: { index: 1, count: 2 }, delayMs: () => 10, log: () => {} }),
    ]);
    expect(a.committed && b.committed).toBe(true);
    expect(sh(origin, ["show", `main:cache/${HASH_2}/index.html`])).toBe("from shard 2\n");
    expect(sh(origin, ["show", `main:cache/${HASH_1}/index.html`])).toBe("from shard 1\n");
  });

  it("stops with a clear error, and no rebase left half done, when main changed the same capture", async () => {
    const { runner, owner } = await setup("conflict");
    await writeFile(path.join(runner, "cache", HASH_1, "index.html"), "refreshed by the workflow\n");
    await ownerPushes(owner, `cache/${HASH_1}/index.html`, "edited by the owner\n");
    await expect(commitBack({ cwd: runner, branch: "main", delayMs: () => 0, log: () => {} })).rejects.toThrow(/Could not rebase the captures onto origin\/main/);
    expect(existsSync(path.join(runner, ".git", "rebase-merge"))).toBe(false);
    expect(existsSync(path.join(runner, ".git", "rebase-apply"))).toBe(false);
  });
  describe("pack-captures and apply-captures, from the archive job to the commit job", () => {
    const IMAGE = "0123456789abcdef0123456789abcdef.webp";

    it("carries what the run changed, deletions included, into another checkout that commits it", async () => {
      const { origin, runner } = await setup("artifact");
      await mkdir(path.join(runner, "cache", HASH_2), { recursive: true });
      await writeFile(path.join(runner, "cache", HASH_2, "index.html"), "new capture\n");
      await writeFile(path.join(runner, "cache", HASH_2, IMAGE), "image bytes");
      await mkdir(path.join(runner, "cache", "_failures"), { recursive: true });
      await writeFile(path.join(runner, "cache", "_failures", `${HASH_1}.json`), "{}\n");
      await rm(path.join(runner, "cache", HASH_1, "index.html"));
      // Not the archiver's files: left behind, named.
      await writeFile(path.join(runner, "cache", "stray.txt"), "not a capture\n");
      await symlink("/etc/hostname", path.join(runner, "cache", HASH_2, "fedcba9876543210fedcba9876543210.webp"));
      const summaryFile = path.join(root, "artifact-summary.json");
      await writeFile(summaryFile, JSON.stringify(summary()));

      const out = path.join(root, "artifact-out");
      const packed = await packCaptures({ cwd: runner, out, summaryFile });
      expect(packed.files.sort()).toEqual([`cache/${HASH_2}/${IMAGE}`, `cache/${HASH_2}/index.html`, `cache/_failures/${HASH_1}.json`]);
      expect(packed.deleted).toEqual([`cache/${HASH_1}/index.html`]);
      expect(packed.skipped.sort()).toEqual([`cache/${HASH_2}/fedcba9876543210fedcba9876543210.webp`, "cache/stray.txt"]);
      expect(JSON.parse(await readFile(path.join(out, MANIFEST), "utf8"))).toEqual({ format: 1, files: packed.files, deleted: packed.deleted });
      expect(existsSync(path.join(out, SUMMARY))).toBe(true);

      // The commit job: a fresh one-commit checkout of main, the artifact applied, then commit-back.
      sh(path.dirname(runner), ["clone", "--quiet", "--depth", "1", `file://${origin}`, "committer"]);
      const committer = path.join(path.dirname(runner), "committer");
      const applied = await applyCaptures({ from: out, cwd: committer });
      expect(applied).toEqual({ written: 3, deleted: 1, refused: [] });
      const result = await commitBack({ cwd: committer, branch: "main", summaryFile: path.join(out, SUMMARY), delayMs: () => 0, log: () => {} });
      expect(result).toMatchObject({ committed: true, subject: "archive: 3 captured, 1 failed" });
      const changed = sh(origin, ["show", "--name-status", "--format=", "main"]).trim().split("\n").sort();
      expect(changed).toEqual([`A\tcache/${HASH_2}/${IMAGE}`, `A\tcache/${HASH_2}/index.html`, `A\tcache/_failures/${HASH_1}.json`, `D\tcache/${HASH_1}/index.html`]);
    });

    it("refuses every path that is not a capture file or record, every link and every oversized file, and applies the rest", async () => {
      const { runner } = await setup("hostile-artifact");
      const out = path.join(root, "hostile-out");
      const put = async (file: string, content = "x") => {
        await mkdir(path.dirname(path.join(out, file)), { recursive: true });
        await writeFile(path.join(out, file), content);
      };
      const hostile = [
        ".github/workflows/pages.yml",
        "cache/../.github/workflows/pages.yml",
        `cache/${HASH_2}/../../links.txt`,
        `cache/${HASH_2}/sub/index.html`,
        `cache/${HASH_2}/.htaccess`,
        "cache/.tmp-x/index.html",
        "cache/_failures/notes.txt",
        "cache/README.md",
        `cache/${HASH_2}\\..\\..\\links.txt`,
        "/etc/passwd",
      ];
      await put(`cache/${HASH_2}/index.html`, "fine\n");
      await mkdir(path.join(out, "cache", HASH_1), { recursive: true });
      await symlink("/etc/hostname", path.join(out, "cache", HASH_1, IMAGE));
      await mkdir(path.join(out, "cache", "_failures"), { recursive: true });
      // Sparse: 96 MiB on paper, nothing on disk.
      await writeFile(path.join(out, "cache", "_failures", `${HASH_1}.json`), "");
      await truncate(path.join(out, "cache", "_failures", `${HASH_1}.json`), 96 * 1024 * 1024);
      // A link already in the checkout is replaced, never written through.
      const outside = path.join(root, "hostile-outside.txt");
      await writeFile(outside, "untouched\n");
      await put(`cache/${HASH_1}/index.html`, "refreshed\n");
      await rm(path.join(runner, "cache", HASH_1, "index.html"));
      await symlink(outside, path.join(runner, "cache", HASH_1, "index.html"));
      await writeFile(
        path.join(out, MANIFEST),
        JSON.stringify({
          format: 1,
          files: [...hostile, `cache/${HASH_2}/index.html`, `cache/${HASH_1}/${IMAGE}`, `cache/_failures/${HASH_1}.json`, `cache/${HASH_2}/missing.webp`, `cache/${HASH_1}/index.html`],
          deleted: ["links.txt", "cache/../links.txt"],
        }),
      );

      const applied = await applyCaptures({ from: out, cwd: runner });
      expect(applied.written).toBe(2);
      expect(applied.deleted).toBe(0);
      expect(applied.refused).toHaveLength(hostile.length + 3 + 2);
      for (const file of hostile) expect(applied.refused.some((r) => r.startsWith(`${file}: not a capture file`)), file).toBe(true);
      expect(applied.refused).toEqual(
        expect.arrayContaining([
          `cache/${HASH_1}/${IMAGE}: not a regular file`,
          `cache/_failures/${HASH_1}.json: 96.0 MB, over the 95.0 MB a committed file may be`,
          `cache/${HASH_2}/missing.webp: missing from the artifact`,
        ]),
      );
      expect(await readFile(path.join(runner, "cache", HASH_2, "index.html"), "utf8")).toBe("fine\n");
      expect((await lstat(path.join(runner, "cache", HASH_1, "index.html"))).isFile()).toBe(true);
      expect(await readFile(path.join(runner, "cache", HASH_1, "index.html"), "utf8")).toBe("refreshed\n");
      expect(await readFile(outside, "utf8")).toBe("untouched\n");
      expect(existsSync(path.join(runner, "links.txt"))).toBe(true);
      expect(existsSync(path.join(runner, ".github"))).toBe(false);
    });

    it("fails the commit job's step, naming what it refused, and refuses a manifest that is not one", async () => {
      const { runner } = await setup("refusing-step");
      const out = path.join(root, "refusing-out");
      await mkdir(out);
      await writeFile(path.join(out, MANIFEST), JSON.stringify({ format: 1, files: ["links.txt"], deleted: [] }));
      let printed = "";
      const io = { stdout: { write: (t: string) => ((printed += t), true) } as never, stderr: process.stderr, env: {}, cwd: runner };
      expect(await applyCapturesCommand(["--from", out], io)).toBe(1);
      expect(printed).toMatch(/^::error title=Captures refused::1 path\(s\) of the artifact were refused: links.txt: not a capture file/m);
      await writeFile(path.join(out, MANIFEST), JSON.stringify({ format: 1, files: "cache/x", deleted: [] }));
      await expect(applyCaptures({ from: out, cwd: runner })).rejects.toThrow(/is not a captures manifest/);
    });

    it("knows the archiver's files by the cache layout", () => {
      expect(isCacheFilePath(`cache/${HASH_1}/index.html`)).toBe(true);
      expect(isCacheFilePath(`cache/${HASH_1}/${IMAGE}`)).toBe(true);
      expect(isCacheFilePath(`cache/_failures/${HASH_1}.json`)).toBe(true);
    expect(isCacheFilePath(`cache/_status/${HASH_1}.json`)).toBe(true);
    expect(isCacheFilePath("cache/_checks.json")).toBe(true);
    expect(isCacheFilePath(`cache/${HASH_1}/20260101120000.html`)).toBe(true);
      expect(isCacheFilePath(`archive/${HASH_1}/index.html`, "archive")).toBe(true);
      for (const bad of [`cache/${HASH_1}`, `cache/${HASH_1}/a/b`, "cache/_status/x.json", "cache/_checks.json/x", "cache/x/_checks.json", `cache/${HASH_1}/..`, `cache/${HASH_1.toUpperCase()}/index.html`, "cache/_failures/x.json", `site/${HASH_1}/index.html`]) {
        expect(isCacheFilePath(bad), bad).toBe(false);
      }
    });
  });
});
