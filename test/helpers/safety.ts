/** The one check every test uses to prove stored HTML is inert: it lists what is script-capable or loads remotely. */
import { JSDOM } from "jsdom";

const FORBIDDEN_ELEMENTS =
  "script, style, iframe, frame, frameset, object, embed, applet, param, svg, math, form, input, button, textarea, " +
  "select, base, meta, link, template, noscript";
const URL_ATTRIBUTES = ["href", "src", "cite", "action", "formaction", "srcset", "poster", "xlink:href", "background"];
const LOCAL_IMAGE = /^[0-9a-f]{16,64}\.(?:webp|avif)$/;

/** The scheme a browser would use for a URL attribute (the URL parser strips the tabs and newlines that hide one). */
function schemeOf(value: string, baseUrl: string): string | undefined {
  try {
    return new URL(value, baseUrl).protocol;
  } catch {
    return undefined;
  }
}

/** Every script-capable or remote-loading thing in sanitized HTML, as readable strings; an empty list is safe. */
export function scriptCapable(html: string, baseUrl = "http://fakehost/test/page.html"): string[] {
  const fragment = JSDOM.fragment(html);
  const problems = Array.from(fragment.querySelectorAll(FORBIDDEN_ELEMENTS), (e) => `<${e.localName}>`);
  for (const element of fragment.querySelectorAll("*")) {
    for (const { name, value } of Array.from(element.attributes)) {
      // id/name clobber the DOM; srcset would load remote images; style can exfiltrate through url().
      if (name.startsWith("on") || ["style", "id", "name", "srcset"].includes(name)) problems.push(`${element.localName}[${name}]`);
      if (URL_ATTRIBUTES.includes(name)) {
        const scheme = schemeOf(value, baseUrl);
        if (scheme === "javascript:" || scheme === "vbscript:" || scheme === "data:" || scheme === "file:") {
          problems.push(`${element.localName}[${name}=${value.slice(0, 40)}]`);
        }
      }
    }
    if (element.localName === "img" && element.hasAttribute("src") && !LOCAL_IMAGE.test(element.getAttribute("src")!)) {
      problems.push(`img[src=${element.getAttribute("src")!.slice(0, 60)}] is not a local file`);
    }
    if (element.localName === "a" && element.hasAttribute("href") && element.getAttribute("rel") !== "noopener noreferrer nofollow") {
      problems.push(`a[href=${element.getAttribute("href")!.slice(0, 60)}] without rel`);
    }
  }
  return problems;
}
