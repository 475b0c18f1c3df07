/**
 * One jsdom window per thread, shared by every page that thread parses (extract and images stages). Input: markup and
 * the URL it came from; output: a Document of its own. No script runs and nothing is fetched (jsdom's defaults).
 *
 * Why shared: `new JSDOM()` builds a whole window, installing every WebIDL interface on a fresh global, which costs
 * more than parsing most pages. DOMParser gives each page its own
 * document in the one window, parsed with scripting disabled exactly as a default JSDOM parses (so <noscript> content
 * is elements), with the URL that reconfigure() sets just before, so baseURI, <base href> and relative URLs resolve
 * as before. A document holds no reference from the window: it is garbage once its page is done.
 *
 * jsdom is loaded on the first parse, not on import: the main thread of a run imports this module (through the
 * capture stage) but parses nothing, its workers do, and a rerun with nothing new should not pay for loading it.
 */
import { createRequire } from "node:module";
import type { JSDOM as JSDOMType } from "jsdom";

let shared: JSDOMType | undefined;

export function parseDocument(html: string, url = "about:blank"): Document {
  if (!shared) {
    // jsdom is CommonJS, so it can be loaded synchronously, and parseDocument stays synchronous.
    const { JSDOM, VirtualConsole } = createRequire(import.meta.url)("jsdom") as typeof import("jsdom");
    // A silent VirtualConsole: jsdom reports every stylesheet it cannot parse, and a run logs per link, not per rule.
    shared = new JSDOM("", { virtualConsole: new VirtualConsole() });
  }
  shared.reconfigure({ url });
  return new shared.window.DOMParser().parseFromString(html, "text/html");
}
