/**
 * The TypeScript scorer against the benchmark's own Python scorer. The figures below are what
 * `evaluate.evaluate(ground_truth, prediction, n_bootstrap)` of test/fixtures/extraction-benchmark/evaluate.py
 * returned (Python 3.11.7, repr of each float) for the two vendored reference outputs; this test does not need Python.
 */
import { describe, expect, it } from "vitest";
import { groundTruth, referenceOutput } from "../../tools/bench/benchmark-files.ts";
import { metricsOf, scoreBodies, shingleMatching, tokenize } from "../../tools/bench/score.ts";

const PYTHON = {
  readability_js: {
    version: "0.6.0",
    f1: 0.9501334220424343,
    precision: 0.9200903564022448,
    recall: 0.9822046625951905,
    accuracy: 0.23076923076923078,
    pages: {
      "042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856": [1.0, 0.0, 0.0],
      "05844573ca7e1fba714d715bb11ca08c26e25328999c74a1cb3bc8a0e4399f0f": [0.9093997734994338, 0.09060022650056625, 0.0],
      "06ee193de4bd611f7fafbab0c59b0f6fe3495093516720632cd093b24c7a0e98": [0.9701492537313433, 0.0, 0.029850746268656716],
      "8e3efab59f48fd29a1e1e7aa135880c4251a9f090f94999668cdbaec59d30b5a": [0.99, 0.01, 0.0],
    },
  },
  trafilatura: {
    version: "2.0.0",
    f1: 0.9629870575212451,
    precision: 0.9403028589054947,
    recall: 0.9867927958116058,
    accuracy: 0.27472527472527475,
    pages: {
      "042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856": [0.6111111111111112, 0.3888888888888889, 0.0],
      "05844573ca7e1fba714d715bb11ca08c26e25328999c74a1cb3bc8a0e4399f0f": [0.9876998769987699, 0.012300123001230012, 0.0],
      "ffc109d474fdee1a59fa554df8b09643f4a7d45b23eceabad66f0712c3f7daed": [0.9973190348525469, 0.0, 0.002680965147453083],
    },
  },
} as const;

describe("the benchmark scorer, ported from evaluate.py", () => {
  const truth = groundTruth();

  for (const name of ["readability_js", "trafilatura"] as const) {
    it(`gives ${name}'s vendored output the F1, precision, recall and accuracy evaluate.py gives it`, () => {
      const expected = PYTHON[name];
      const { version, output } = referenceOutput(name);
      expect(version).toBe(expected.version);
      const scores = scoreBodies(truth, output);
      expect(scores.f1).toBeCloseTo(expected.f1, 14);
      expect(scores.precision).toBeCloseTo(expected.precision, 14);
      expect(scores.recall).toBeCloseTo(expected.recall, 14);
      expect(scores.accuracy).toBeCloseTo(expected.accuracy, 14);
      for (const [id, tpFpFn] of Object.entries(expected.pages) as Array<[string, readonly number[]]>) {
        const got = scores.pages[id]!;
        tpFpFn.forEach((value, i) => expect(got[i], `${id}[${i}]`).toBeCloseTo(value, 15));
      }
    });
  }

  it("tokenizes as Python's \\w+ does: letters and digits of any script and underscores, never marks or punctuation", () => {
    expect(tokenize("Gaming used_to be, «so» simple: 3½ — ниже 東京 e\u0301 x²")).toEqual([
      "Gaming", "used_to", "be", "so", "simple", "3½", "ниже", "東京", "e", "x²",
    ]); // prettier-ignore
  });

  it("counts repeated shingles, and a text shorter than four tokens as one shingle", () => {
    // 5 shingles of "a b c d a b c d": abcd, bcda, cdab, dabc, abcd; the prediction has abcd once.
    expect(shingleMatching("a b c d a b c d", "a b c d")).toEqual([1 / 5, 0, 4 / 5]);
    expect(shingleMatching("two words", "two words")).toEqual([1, 0, 0]);
    expect(shingleMatching("", "")).toEqual([0, 0, 0]);
    expect(shingleMatching("", "something")).toEqual([0, 1, 0]);
  });

  it("leaves out of the precision average a page with nothing predicted, and out of recall one with nothing true", () => {
    const scores = metricsOf([
      [0.5, 0.5, 0],
      [0, 0, 1], // nothing predicted: recall 0, no precision
      [0, 1, 0], // nothing true: precision 0, no recall
    ]);
    expect(scores.precision).toBeCloseTo((0.5 + 0) / 2, 15);
    expect(scores.recall).toBeCloseTo((1 + 0) / 2, 15);
  });

  it("refuses a prediction that does not name the ground truth's pages", () => {
    expect(() => scoreBodies({ a: { articleBody: "x" } }, { b: { articleBody: "x" } })).toThrow(/keys do not match/);
  });
});
