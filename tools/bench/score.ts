/**
 * The extraction benchmark's scorer (test/fixtures/extraction-benchmark/evaluate.py), ported: texts in, shingle
 * precision, recall and F1 out, as the Python script computes them (bootstrap error bars left out). Pure.
 */

/** Scorer input and output keyed by page id, as the benchmark's JSON files are. */
export type ArticleBodies = Record<string, { articleBody?: string }>;

export interface Scores {
  f1: number;
  precision: number;
  recall: number;
  /** Share of pages whose tokens equal the ground truth's exactly. */
  accuracy: number;
}

/** One page's true positives, false positives and false negatives, normalized to sum to 1 (or all 0). */
export type TpFpFn = [tp: number, fp: number, fn: number];

/**
 * Python's `\w` on str patterns: letters (categories L*), characters with a numeric value (N*) and `_`. Every
 * character with a numeric value that is not in N* is a letter (CJK numerals are Lo), so the two agree.
 */
const TOKEN = /[\p{L}\p{N}_]+/gu;
const NGRAM = 4;

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/**
 * evaluate.py's _ngrams: every run of 4 tokens; a text of fewer tokens is one shorter shingle, an empty text none.
 * Tokens hold no space, so a space-joined shingle is as unique as the Python tuple.
 */
function shingles(text: string): Map<string, number> {
  const tokens = tokenize(text);
  const counts = new Map<string, number>();
  const last = Math.max(1, tokens.length - NGRAM + 1);
  for (let i = 0; i < last; i++) {
    const shingle = tokens.slice(i, i + NGRAM);
    if (shingle.length === 0) continue;
    const key = shingle.join(" ");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** evaluate.py's string_shingle_matching. */
export function shingleMatching(truth: string, prediction: string): TpFpFn {
  const expected = shingles(truth);
  const predicted = shingles(prediction);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const key of new Set([...expected.keys(), ...predicted.keys()])) {
    const t = expected.get(key) ?? 0;
    const p = predicted.get(key) ?? 0;
    tp += Math.min(t, p);
    fp += Math.max(0, p - t);
    fn += Math.max(0, t - p);
  }
  const sum = tp + fp + fn;
  // Normalized so that longer texts do not weigh more.
  return sum > 0 ? [tp / sum, fp / sum, fn / sum] : [tp, fp, fn];
}

function precisionScore([tp, fp, fn]: TpFpFn): number {
  if (fp === 0 && fn === 0) return 1;
  if (tp === 0 && fp === 0) return 0;
  return tp / (tp + fp);
}

function recallScore([tp, fp, fn]: TpFpFn): number {
  if (fp === 0 && fn === 0) return 1;
  if (tp === 0 && fn === 0) return 0;
  return tp / (tp + fn);
}

/** evaluate.py's metrics_from_tp_fp_fns: per-page precision and recall averaged, F1 of the two averages. */
export function metricsOf(pages: TpFpFn[]): Omit<Scores, "accuracy"> {
  const precision = mean(pages.filter(([tp, fp]) => tp + fp > 0).map(precisionScore));
  const recall = mean(pages.filter(([tp, , fn]) => tp + fn > 0).map(recallScore));
  return { f1: (2 * precision * recall) / (precision + recall), precision, recall };
}

/** Scores `prediction` against `truth`, page by page; both must name the same pages (evaluate.py raises otherwise). */
export function scoreBodies(truth: ArticleBodies, prediction: ArticleBodies): Scores & { pages: Record<string, TpFpFn> } {
  const keys = Object.keys(truth);
  const predicted = Object.keys(prediction);
  if (keys.length !== predicted.length || !keys.every((key) => Object.hasOwn(prediction, key))) {
    throw new Error("prediction keys do not match ground truth");
  }
  const pages: Record<string, TpFpFn> = {};
  const accuracies: number[] = [];
  for (const key of keys) {
    const t = truth[key]!.articleBody ?? "";
    const p = prediction[key]!.articleBody ?? "";
    pages[key] = shingleMatching(t, p);
    accuracies.push(sameTokens(t, p) ? 1 : 0);
  }
  return { ...metricsOf(Object.values(pages)), accuracy: mean(accuracies), pages };
}

function sameTokens(a: string, b: string): boolean {
  const x = tokenize(a);
  const y = tokenize(b);
  return x.length === y.length && x.every((token, i) => token === y[i]);
}

/**
 * Python's statistics.mean sums exactly and rounds once; a compensated (Neumaier) sum comes within an ulp of that,
 * where a plain running sum drifts with the number of pages.
 */
function mean(values: number[]): number {
  if (values.length === 0) throw new Error("mean requires at least one data point");
  let sum = 0;
  let compensation = 0;
  for (const value of values) {
    const next = sum + value;
    compensation += Math.abs(sum) >= Math.abs(value) ? sum - next + value : value - next + sum;
    sum = next;
  }
  return (sum + compensation) / values.length;
}
