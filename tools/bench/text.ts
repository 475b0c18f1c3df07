/**
 * HTML to the plain text a reader sees, for scoring: block elements on lines of their own, inline elements run on,
 * scripts, styles and templates left out (src/util/text-lines.ts, as the archiver reads an embedded post). Parses with
 * the thread's jsdom window (src/archive/parse/dom.ts).
 */
import { parseDocument } from "../../src/archive/parse/dom.ts";
import { textLines } from "../../src/util/text-lines.ts";

export function htmlToText(html: string): string {
  return textLines(parseDocument(`<!DOCTYPE html><html><head></head><body>${html}</body></html>`).body).join("\n");
}
