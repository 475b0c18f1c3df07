/** A text/plain response → the text, decoded and escaped, shown preformatted. */
import { escapeText } from "../../util/html.ts";
import { decodeText } from "../parse/decode.ts";
import { EXCERPT_MAX_CHARS, TEXT_CAPTURE_MAX_CHARS } from "../limits.ts";
import { lastPathSegment, type RenderContext, type RenderedBody } from "./body.ts";

export async function renderText({ page }: RenderContext): Promise<RenderedBody> {
  const whole = decodeText(page.body, page.charset);
  // Cut on a code point: a lone surrogate could not be written back out.
  let end = Math.min(whole.length, TEXT_CAPTURE_MAX_CHARS);
  if (end < whole.length && /[\uD800-\uDBFF]/.test(whole[end - 1] ?? "")) end -= 1;
  const text = whole.slice(0, end);
  const note =
    end < whole.length
      ? `<p>The original text has ${whole.length.toLocaleString("en")} characters; the first ${end.toLocaleString("en")} are kept.</p>`
      : "";
  return {
    kind: "text",
    html: `<pre>${escapeText(text)}</pre>${note}`,
    title: firstLine(text) ?? lastPathSegment(page.finalUrl),
    excerpt: text.slice(0, EXCERPT_MAX_CHARS),
    images: 0,
    imagesFailed: 0,
  };
}

function firstLine(text: string): string | undefined {
  const end = text.length > 4096 ? 4096 : text.length;
  const line = text.slice(0, end).split(/\r?\n/).find((l) => l.trim() !== "");
  if (!line) return undefined;
  const trimmed = line.trim();
  return trimmed.length <= 120 ? trimmed : `${trimmed.slice(0, 119).trimEnd()}…`;
}
