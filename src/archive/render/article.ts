/**
 * An HTML response → an article (or, when Readability finds none, the page's body): parsed and planned on a worker
 * (parse/), its images fetched and re-encoded (images/localize.ts), then sanitized, the last step to touch the HTML.
 */
import { localizeImages } from "../images/localize.ts";
import { sanitizeArticle } from "../sanitize.ts";
import type { RenderContext, RenderedBody } from "./body.ts";

const ACCEPT_IMAGE = "image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8";

export async function renderArticle({ page, workDir, config, fetcher, extractor, images, reuseDir, imageUrl, metrics, signal, imageBudget }: RenderContext): Promise<RenderedBody> {
  const article = await extractor.extract(page.body, page.charset, page.finalUrl, { imageMaxWidth: config.images.maxWidth }, signal);
  // Planned in the worker, so this thread parses no HTML.
  const plan = article.imagePlan;
  if (!plan) throw new Error(`The parse of ${page.finalUrl} came back without its image plan`);
  const localized = await localizeImages(plan, {
    dir: workDir,
    limits: config.images,
    reuseDir,
    encoded: images,
    metrics,
    budget: imageBudget,
    download: async (url, signal) => {
      const image = await fetcher.fetch(imageUrl ? imageUrl(url) : url, { accept: ACCEPT_IMAGE, maxBytes: config.images.maxBytes, totalTimeoutMs: config.images.timeoutMs, signal });
      return { body: image.body };
    },
  });
  return {
    kind: article.readerable ? "article" : "page",
    html: sanitizeArticle(localized.html, { baseUrl: page.finalUrl }),
    title: article.title,
    byline: article.byline,
    siteName: article.siteName,
    lang: article.lang,
    dir: article.dir,
    excerpt: article.excerpt,
    publishedAt: article.publishedTime,
    images: localized.images,
    imagesFailed: localized.failed,
    imagesDropped: localized.dropped,
    imagesDroppedReason: localized.droppedReason,
  };
}
