/**
 * The text of a capture body as a sequence of tokens: words and punctuation, each knowing whether white space came
 * before it, so the text can be shown again as it read. Sanitized HTML in (a stored body, or a fresh page through the
 * archiver's own parse and sanitize); tags dropped (block elements break, inline ones run on), entities decoded.
 * Pure, linear, bounded: at most `max` tokens. What the link watch compares and the change pages show.
 */
import { INLINE_ELEMENTS } from "../util/text-lines.ts";

export interface TextToken {
  text: string;
  /** White space (or a block boundary) came before it. */
  space: boolean;
  /** A word (letters or digits), not punctuation. */
  word: boolean;
  /** A block (paragraph, heading, item) starts here: shown as a break, never compared. */
  block?: boolean;
}

/** Far more than any article: past it the rest is not compared (the watch and the change page say so). */
export const TEXT_TOKENS_MAX = 200_000;

const SEGMENTER = new Intl.Segmenter(undefined, { granularity: "word" });
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Sanitized HTML → its plain text, blocks separated by new lines. */
export function bodyText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<\/?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>/g, (_tag, name: string) => (INLINE_ELEMENTS.has(name.toLowerCase()) ? "" : "\n"))
    .replace(/&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos|nbsp));/g, (entity, dec?: string, hex?: string, named?: string) => {
      if (dec !== undefined || hex !== undefined) {
        const code = dec !== undefined ? Number(dec) : Number.parseInt(hex!, 16);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
      }
      return NAMED[named!]!;
    });
}

/** The tokens of a body (sanitized HTML), at most `max`; `truncated` when there were more. */
export function captureTokens(html: string, max = TEXT_TOKENS_MAX): { tokens: TextToken[]; truncated: boolean } {
  const tokens: TextToken[] = [];
  let space = false;
  let block = false;
  for (const segment of SEGMENTER.segment(bodyText(html))) {
    if (/^\s+$/u.test(segment.segment)) {
      space = true;
      block ||= segment.segment.includes("\n");
      continue;
    }
    if (tokens.length >= max) return { tokens, truncated: true };
    const token: TextToken = { text: segment.segment, space: space && tokens.length > 0, word: segment.isWordLike === true };
    if (block && tokens.length > 0) token.block = true;
    tokens.push(token);
    space = false;
    block = false;
  }
  return { tokens, truncated: false };
}
