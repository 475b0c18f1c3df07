import { describe, expect, it } from "vitest";
import { siteSizeReport } from "../../src/site/size.ts";

const MB = 1024 * 1024;

describe("the site's size against GitHub Pages' 1 GB", () => {
  it("is one line while the site is small", () => {
    expect(siteSizeReport(12 * MB)).toEqual({ line: "The site is 12.0 MB, 1.2% of the 1 GB GitHub Pages publishes." });
  });

  it("warns from 80%, saying what to do", () => {
    expect(siteSizeReport(800 * MB).warning).toBeUndefined();
    const report = siteSizeReport(830 * MB);
    expect(report.warning).toMatch(/^the site is 830\.0 MB, 81% of the 1 GB GitHub Pages publishes; a deploy past it fails\. See the README's "When the archive grows"/);
  });

  it("says the deploy will fail past the limit", () => {
    expect(siteSizeReport(1100 * MB).warning).toContain("so the deploy will fail");
  });
});
