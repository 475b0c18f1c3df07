/**
 * The "what changed" page's body: the words added and removed between two consecutive versions of a capture, computed
 * on their text (cache/changes.ts, bounded), escaped, and shown as <del>/<ins> with visible markers and hidden text
 * labels, so the change reads without colour and aloud. Long unchanged stretches shrink to their edges. Input: the
 * two versions' sanitized bodies. Output: HTML we write ourselves (every word escaped). Pure.
 */
import { captureTokens, type TextToken } from "../cache/capture-text.ts";
import { diffTokens } from "../cache/changes.ts";
import { escapeText } from "../util/html.ts";

/** Words of unchanged text kept on each side of a change; the rest of a long unchanged stretch becomes "…". */
const CONTEXT_TOKENS = 24;

export interface RenderedChanges {
  added: number;
  removed: number;
  /** False when the texts differ too much (or are too long) to compare word by word within the bounds. */
  compared: boolean;
  html: string;
}

/** What comes before a token: a block break (a paragraph, heading or item began), a space, or nothing. */
function before(t: TextToken, atStart: boolean): string {
  if (atStart) return "";
  return t.block ? '<span class="diff-break"></span>' : t.space ? " " : "";
}

function text(tokens: readonly TextToken[], first: boolean): string {
  return tokens.map((t, i) => `${before(t, first && i === 0)}${escapeText(t.text)}`).join("");
}

function spaced(tokens: readonly TextToken[]): string {
  return tokens[0] ? before(tokens[0], false) : "";
}

export function renderChanges(beforeHtml: string, afterHtml: string): RenderedChanges {
  const before = captureTokens(beforeHtml);
  const after = captureTokens(afterHtml);
  const { parts, added, removed } = diffTokens(before.tokens, after.tokens);
  if (!parts || before.truncated || after.truncated) {
    return { added, removed, compared: false, html: '<p class="diff-too-large">These versions differ too much, or are too long, to show word by word here; open each version to compare them.</p>' };
  }
  let html = "";
  parts.forEach((part, index) => {
    const first = index === 0;
    if (part.kind === "same") {
      const last = index === parts.length - 1;
      const tokens = part.tokens;
      if (tokens.length <= CONTEXT_TOKENS * 2 + 4) html += text(tokens, first);
      else {
        const head = first ? [] : tokens.slice(0, CONTEXT_TOKENS);
        const tail = last ? [] : tokens.slice(-CONTEXT_TOKENS);
        html += `${text(head, first)}${head.length ? " " : ""}<span class="diff-gap">[…]</span>${tail.length ? `${spaced(tail)}${text(tail, true)}` : ""}`;
      }
      return;
    }
    const tag = part.kind === "added" ? "ins" : "del";
    const mark = part.kind === "added" ? "+" : "−";
    const label = part.kind === "added" ? "added: " : "removed: ";
    html += `${first ? "" : spaced(part.tokens)}<${tag}><span class="diff-mark" aria-hidden="true">[${mark}</span><span class="visually-hidden">${label}</span>${text(part.tokens, true)}<span class="diff-mark" aria-hidden="true">]</span></${tag}>`;
  });
  return { added, removed, compared: true, html: `<div class="diff-text">${html}</div>` };
}
