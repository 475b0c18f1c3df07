/**
 * The `refresh` input of a manual Pages run → what to capture again. Input: the input's text in $REFRESH_INPUT
 * (URLs separated by spaces or newlines, or "all") and the links file. Output, as step outputs in $GITHUB_OUTPUT:
 * `refresh=true|false` and `links=` a temporary links file holding just the chosen URLs (empty for "all").
 * The text arrives through the environment, never spliced into a shell script, so a crafted "URL" is only data.
 * Errors: no chosen URL is in the links file (exit 1), since refreshing nothing is surely not what was meant.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseLinks } from "../archive/links.ts";

export type RefreshPlan =
  | { kind: "none" }
  | { kind: "all" }
  | { kind: "some"; urls: string[]; unknown: string[] };

/**
 * Which links to refresh. A URL must be written exactly as on its line of the links file: the capture key is the
 * md5 of that text (DESIGN.md), so "https://x/a" and "https://x/a/" are different links.
 */
export function planRefresh(input: string, linksText: string): RefreshPlan {
  const tokens = input.split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { kind: "none" };
  if (tokens.length === 1 && tokens[0]!.toLowerCase() === "all") return { kind: "all" };
  const known = new Set(parseLinks(linksText).links.map((l) => l.url));
  const urls: string[] = [];
  const unknown: string[] = [];
  for (const token of new Set(tokens)) (known.has(token) ? urls : unknown).push(token);
  return { kind: "some", urls, unknown };
}

/** Escapes text for a workflow command (`::warning::…`), as @actions/core does, so it cannot start a command. */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export interface RefreshOutputs {
  refresh: boolean;
  /** The temporary links file, or "" to archive the usual links file. */
  links: string;
  warnings: string[];
}

export async function prepareRefresh(input: string, linksFile: string, tempDir: string): Promise<RefreshOutputs> {
  const plan = planRefresh(input, await readFile(linksFile, "utf8"));
  if (plan.kind === "none") return { refresh: false, links: "", warnings: [] };
  if (plan.kind === "all") return { refresh: true, links: "", warnings: [] };
  const warnings = plan.unknown.map(
    (url) => `"${url.length > 200 ? `${url.slice(0, 200)}…` : url}" is not a line of ${path.basename(linksFile)}; only links already listed there can be refreshed (write the URL exactly as on its line).`,
  );
  if (plan.urls.length === 0) {
    throw new Error(`None of the URLs to refresh is a line of ${path.basename(linksFile)}. Copy them exactly from the file, separated by spaces, or write "all".`);
  }
  const file = path.join(tempDir, "refresh-links.txt");
  await writeFile(file, `${plan.urls.join("\n")}\n`);
  return { refresh: true, links: file, warnings };
}
