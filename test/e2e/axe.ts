/**
 * axe-core in a page, for the e2e tests: the serious and critical violations of what the page shows now, each as
 * "rule (impact) at selectors". The page's context must bypass CSP: axe is an injected script, which the site's CSP
 * rightly refuses.
 */
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

export const AXE_SCRIPT = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[] }> }>;
}

export async function seriousViolations(page: Page, options: { skipRules?: string[] } = {}): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async (skip) => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }).axe;
    const rules = Object.fromEntries(skip.map((id) => [id, { enabled: false }]));
    const result = await axe.run(document, { resultTypes: ["violations"], rules });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}) at ${v.nodes.slice(0, 5).map((n) => n.target.join(" ")).join(", ")}`);
  }, options.skipRules ?? []);
}
