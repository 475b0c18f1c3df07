/** Making every URL of an extracted subtree absolute, as the browser would have resolved it. DOM work, no I/O. */

/** Attributes holding one URL. */
const URL_ATTRIBUTES = ["href", "src", "poster", "cite"];
/** Attributes holding a srcset (URL + descriptor, comma-separated), lazy-load spellings included. */
const SRCSET_ATTRIBUTES = new Set(["srcset", "data-srcset", "data-lazy-srcset", "data-original-srcset"]);
/** A data-* value that is an image URL: one token that ends in an image extension or is plainly a path or URL. */
const IMAGE_URL_VALUE = /^(?:https?:\/\/|\/|\.\.?\/)\S*$|^\S+\.(?:jpe?g|png|gif|webp|avif|bmp|svg)(?:[?#]\S*)?$/i;

/**
 * Makes every URL in `root` absolute against the document's base URL (which honours <base href>), so the stages after
 * this one, which only see a fragment, resolve them as the browser would have. Readability does this for href, src,
 * poster and srcset; lazy-load attributes (data-src, data-original, data-srcset, ...) and the no-article body are ours.
 * A fragment-only link stays as it is when there is no <base>, like Readability: it points into this document.
 */
export function absolutizeUrls(root: Element): void {
  const document = root.ownerDocument;
  const base = document.baseURI;
  const samePage = base === document.URL;
  const resolve = (value: string): string => {
    const trimmed = value.trim();
    if (trimmed === "" || (samePage && trimmed.startsWith("#"))) return value;
    try {
      return new URL(trimmed, base).href;
    } catch {
      return value;
    }
  };
  for (const element of root.querySelectorAll("*")) {
    for (const attribute of Array.from(element.attributes)) {
      const name = attribute.name;
      if (URL_ATTRIBUTES.includes(name)) {
        const resolved = resolve(attribute.value);
        if (resolved !== attribute.value) element.setAttribute(name, resolved);
      } else if (SRCSET_ATTRIBUTES.has(name)) {
        element.setAttribute(name, resolveSrcset(attribute.value, resolve));
      } else if (name.startsWith("data-") && IMAGE_URL_VALUE.test(attribute.value.trim())) {
        element.setAttribute(name, resolve(attribute.value));
      }
    }
  }
}

/** Resolves each candidate URL of a srcset, keeping its descriptor (https://html.spec.whatwg.org/#srcset-attributes). */
function resolveSrcset(value: string, resolve: (url: string) => string): string {
  return value
    .split(/,\s+|,(?=\S+\s+\d)/)
    .map((candidate) => {
      const match = /^\s*(\S+)(.*)$/s.exec(candidate);
      return match ? `${resolve(match[1]!)}${match[2]!.replace(/\s+$/, "")}` : candidate;
    })
    .filter((candidate) => candidate.trim() !== "")
    .join(", ");
}

