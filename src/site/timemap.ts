/**
 * A Memento TimeMap for each archived URL (RFC 7089 §5, https://www.rfc-editor.org/rfc/rfc7089#section-5), a static
 * file at /<hash_url>/timemap.link in application/link-format (RFC 6690): the original, the TimeMap itself with the
 * span it covers, and every version as a memento with its datetime (first and last marked), so Memento-aware tools can
 * list the versions. Input: a capture, its versions, the site's address. Output: the file's text. Pure but for writing.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { absoluteUrl } from "./citation.ts";
import type { SiteConfig } from "./config.ts";
import type { Capture } from "./data.ts";

/** RFC 7089 datetimes are RFC 1123 dates in GMT: "Tue, 20 Jun 2000 18:02:59 GMT". */
export const httpDate = (iso: string): string => new Date(iso).toUTCString();

/** A URI inside <…> of a link-format file: characters that would end or break it are percent-encoded. */
const target = (uri: string): string => uri.replace(/[<>"\s]/g, encodeURIComponent);

export function timemap(site: Pick<SiteConfig, "url" | "pathPrefix">, capture: Capture): string {
  const mementos = [...capture.versions.map((v) => ({ at: v.archived_at, path: v.versionPath })), { at: capture.archived_at, path: capture.versionPath }];
  const lines = [
    `<${target(capture.url)}>; rel="original"`,
    `<${target(absoluteUrl(site, capture.timemapPath))}>; rel="self"; type="application/link-format"; from="${httpDate(mementos[0]!.at)}"; until="${httpDate(mementos.at(-1)!.at)}"`,
    ...mementos.map((m, i) => {
      const rel = mementos.length === 1 ? "first last memento" : i === 0 ? "first memento" : i === mementos.length - 1 ? "last memento" : "memento";
      return `<${target(absoluteUrl(site, m.path))}>; rel="${rel}"; datetime="${httpDate(m.at)}"`;
    }),
  ];
  return `${lines.join(",\n")}\n`;
}

export async function writeTimemaps(site: Pick<SiteConfig, "url" | "pathPrefix">, captures: readonly Capture[], outDir: string): Promise<void> {
  for (const capture of captures) await writeFile(path.join(outDir, capture.hash_url, "timemap.link"), timemap(site, capture));
}
