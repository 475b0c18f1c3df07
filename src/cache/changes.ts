/**
 * What changed between two versions of a capture, word by word, on their text (capture-text.ts), never their HTML:
 * jsdiff's diffArrays (Myers' algorithm) over tokens, bounded in edit length and time so a hostile or huge page cannot
 * hold a check or a build. And the rule the link watch keeps a new version by, "changed materially": at least one word
 * added or removed that is not a number, a date word or a counter (a page whose only change is "3 comments" → "4
 * comments" or today's date is not a new version). Pure.
 */
import { diffArrays } from "diff";
import type { TextToken } from "./capture-text.ts";

export type ChangePart = { kind: "same" | "added" | "removed"; tokens: TextToken[] };

export interface WordChanges {
  /** In reading order; undefined when the texts differ too much to compare within the bounds. */
  parts: ChangePart[] | undefined;
  /** Words (not punctuation) added and removed; when parts is undefined, the difference in word counts. */
  added: number;
  removed: number;
}

/** Edits past this are "too different to show word by word" (the work grows with edits times length). */
export const DIFF_MAX_EDITS = 20_000;
/** And the comparison never takes longer than this, whatever the input. */
export const DIFF_TIMEOUT_MS = 3_000;

export function diffTokens(before: readonly TextToken[], after: readonly TextToken[]): WordChanges {
  const changes = diffArrays([...before], [...after], {
    comparator: (a: TextToken, b: TextToken) => a.text === b.text,
    maxEditLength: DIFF_MAX_EDITS,
    timeout: DIFF_TIMEOUT_MS,
  });
  if (!changes) {
    const words = (tokens: readonly TextToken[]) => tokens.filter((t) => t.word).length;
    const delta = words(after) - words(before);
    return { parts: undefined, added: Math.max(0, delta), removed: Math.max(0, -delta) };
  }
  let added = 0;
  let removed = 0;
  const parts: ChangePart[] = changes.map((change) => {
    const kind = change.added ? "added" : change.removed ? "removed" : "same";
    const words = change.value.filter((t) => t.word).length;
    if (kind === "added") added += words;
    if (kind === "removed") removed += words;
    return { kind, tokens: change.value };
  });
  return { parts, added, removed };
}

/** Words that change on their own from one visit to the next without the article changing. */
const VOLATILE = new Set([
  "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
  "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
  "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
  "today", "yesterday", "ago", "am", "pm", "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years",
]); // prettier-ignore

const isVolatile = (token: TextToken): boolean => !token.word || /\d/.test(token.text) || VOLATILE.has(token.text.toLowerCase());

/** At least this many lasting words added or removed make a change material. */
export const MATERIAL_MIN_WORDS = 1;

/** Whether `after` says something `before` did not (or no longer says something it did): see the module comment. */
export function changedMaterially(before: readonly TextToken[], after: readonly TextToken[]): boolean {
  const lasting = (tokens: readonly TextToken[]) => tokens.filter((t) => !isVolatile(t));
  const a = lasting(before);
  const b = lasting(after);
  if (a.length === b.length && a.every((t, i) => t.text === b[i]!.text)) return false;
  const { parts, added, removed } = diffTokens(a, b);
  return parts === undefined || added + removed >= MATERIAL_MIN_WORDS;
}
