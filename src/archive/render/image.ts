/**
 * A direct image link → the image re-encoded like every other image (an SVG or a crafted file is never served from
 * the owner's site as it came), named by its content, shown in a figure.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { escapeHtml } from "../../util/html.ts";
import { contentKey, encodeImage } from "../images/encode.ts";
import { lastPathSegment, type RenderContext, type RenderedBody } from "./body.ts";

export async function renderImage({ page, workDir, config, metrics }: RenderContext): Promise<RenderedBody> {
  const name = lastPathSegment(page.finalUrl);
  const image = await encodeImage(page.body, config.images);
  if (metrics) metrics.imagesEncoded += 1;
  const file = `${contentKey(page.body)}.${image.format}`;
  await writeFile(path.join(workDir, file), image.data);
  return {
    kind: "image",
    html: `<figure><img src="${file}" alt="${escapeHtml(name)}" width="${image.width}" height="${image.height}"></figure>`,
    title: name,
    file,
    images: 1,
    imagesFailed: 0,
  };
}
