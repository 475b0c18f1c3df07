/**
 * `npx tsx tools/readme-help.ts`: rewrites every `--help` block of README.md from the commands' real output, the way
 * shot-scraper keeps its docs with cog. A README block is a line showing the command in backticks, then a ```text
 * fence; test/integration/cli.test.ts fails when one differs from the real output.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isMain } from "../src/cli/run.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const README = `${ROOT}README.md`;

export const COMMANDS: Array<[script: string, shown: string]> = [
  ["scripts/start.ts", "npm start -- --help"],
  ["scripts/archive.ts", "npm run archive -- --help"],
  ["scripts/check.ts", "npm run check -- --help"],
  ["scripts/build.ts", "npm run build -- --help"],
  ["scripts/serve.ts", "npm run serve -- --help"],
  ["scripts/verify.ts", "npm run verify -- --help"],
  ["scripts/import.ts", "npm run import -- --help"],
  ["scripts/cite.ts", "npm run cite -- --help"],
  ["scripts/demo.ts", "npm run demo -- --help"],
  ["tools/bench.ts", "npm run bench -- --help"],
  ["scripts/ci/commit-back.ts", "node scripts/ci/commit-back.ts --help"],
  ["scripts/ci/commit-message.ts", "npx tsx scripts/ci/commit-message.ts --help"],
  ["scripts/ci/refresh-links.ts", "npx tsx scripts/ci/refresh-links.ts --help"],
  ["scripts/ci/pack-captures.ts", "npx tsx scripts/ci/pack-captures.ts --help"],
  ["scripts/ci/apply-captures.ts", "node scripts/ci/apply-captures.ts --help"],
];

function rewriteReadme(): void {
  let readme = readFileSync(README, "utf8");
  for (const [script, shown] of COMMANDS) {
  const help = execFileSync(process.execPath, ["--import", "tsx", script, "--help"], { cwd: ROOT, encoding: "utf8", env: { PATH: process.env.PATH } }).trimEnd();
  const start = readme.indexOf(`\`${shown}\``);
  if (start < 0) {
    process.stderr.write(`README.md does not show \`${shown}\`: add a line with it and an empty \`\`\`text block\n`);
    process.exitCode = 1;
    continue;
  }
  const open = readme.indexOf("```text\n", start);
  const close = readme.indexOf("\n```", open + 8);
  readme = `${readme.slice(0, open + 8)}${help}${readme.slice(close)}`;
  }
  writeFileSync(README, readme);
}

if (isMain(import.meta.url)) rewriteReadme();
