/** What the built site weighs against what GitHub Pages publishes, in words: a line always, a warning from 80%. */
import { formatBytes } from "../util/bytes.ts";
import { PAGES_SITE_LIMIT_BYTES, PAGES_SITE_WARN_SHARE } from "./limits.ts";

export function siteSizeReport(siteBytes: number): { line: string; warning?: string } {
  const share = siteBytes / PAGES_SITE_LIMIT_BYTES;
  const percent = (share * 100).toFixed(share < 0.1 ? 1 : 0);
  const line = `The site is ${formatBytes(siteBytes)}, ${percent}% of the 1 GB GitHub Pages publishes.`;
  if (share < PAGES_SITE_WARN_SHARE) return { line };
  return {
    line,
    warning:
      `the site is ${formatBytes(siteBytes)}, ${percent}% of the 1 GB GitHub Pages publishes${share >= 1 ? ", so the deploy will fail" : "; a deploy past it fails"}. ` +
      'See the README\'s "When the archive grows": store images smaller (--image-max-width, --image-format avif) and capture again, or move older captures to a second archive.',
  };
}
