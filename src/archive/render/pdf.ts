/**
 * A PDF response → the original file, kept as it came (a PDF is the document), and a page that links it for download
 * rather than embedding it.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { PDF_FILE } from "../../cache/layout.ts";
import { formatBytes } from "../../util/bytes.ts";
import { escapeHtml } from "../../util/html.ts";
import { lastPathSegment, type RenderContext, type RenderedBody } from "./body.ts";

export async function renderPdf({ page, workDir }: RenderContext): Promise<RenderedBody> {
  const name = lastPathSegment(page.finalUrl);
  await writeFile(path.join(workDir, PDF_FILE), page.body);
  return {
    kind: "pdf",
    html: `<p>PDF document (${formatBytes(page.body.length)}): <a href="${PDF_FILE}">${escapeHtml(name)}</a></p>`,
    title: name,
    file: PDF_FILE,
    images: 0,
    imagesFailed: 0,
  };
}
