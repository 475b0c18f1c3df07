/**
 * The no-op rerun's workspace (issue 5, part c): `count` capture folders as the archiver writes them (front matter +
 * body, through store.ts's own renderer) and a links file naming each of them, so a run finds nothing new.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { hashUrl } from "../../src/cache/layout.ts";
import { renderCaptureFile } from "../../src/cache/capture-file.ts";

export async function writeCachedLinks({ dir, count }: { dir: string; count: number }): Promise<{ linksFile: string; cacheDir: string }> {
  const cacheDir = path.join(dir, "cache");
  const linksFile = path.join(dir, "links.txt");
  const urls: string[] = [];
  for (let i = 0; i < count; i++) {
    const url = `https://example.com/${i % 37}/articles/${i}-a-page-already-archived`;
    const hash = hashUrl(url);
    urls.push(url);
    await mkdir(path.join(cacheDir, hash), { recursive: true });
    const html = `<p>Article ${i}, archived by an earlier run.</p>`;
    await writeFile(
      path.join(cacheDir, hash, "index.html"),
      renderCaptureFile(
        {
          title: `Article ${i}`,
          url,
          hash_url: hash,
          archived_at: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 60)).toISOString(),
          final_url: url,
          status: "captured",
          kind: "article",
          content_type: "text/html",
          http_status: 200,
          word_count: 6,
          images: 0,
          images_failed: 0,
          content_sha256: "0".repeat(64),
          archiver: "link-archive/bench",
        },
        html,
      ),
    );
  }
  await writeFile(linksFile, `${urls.join("\n")}\n`);
  return { linksFile, cacheDir };
}
