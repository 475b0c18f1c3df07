/** Formulas (src/archive/parse/math.ts) on small trees: TeX annotations, MathML written out, bounds. */
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../src/archive/parse/dom.ts";
import { keepMath } from "../../src/archive/parse/math.ts";

function kept(body: string): string {
  const document = parseDocument(`<!DOCTYPE html><html><body>${body}</body></html>`);
  keepMath(document.body);
  return Array.from(document.body.querySelectorAll("code"), (code) => code.textContent).join(" | ");
}

describe("formulas", () => {
  it("writes sub- and superscripts, roots, fences and tables out as TeX would", () => {
    expect(kept("<math><msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup></math>")).toBe("x_{i}^{2}");
    expect(kept("<math><mroot><mi>x</mi><mn>3</mn></mroot></math>")).toBe("\\sqrt[3]{x}");
    expect(kept('<math><mfenced open="[" close="]"><mi>a</mi><mi>b</mi></mfenced></math>')).toBe("[a,b]");
    expect(kept("<math><mtable><mtr><mtd><mn>1</mn></mtd><mtd><mn>0</mn></mtd></mtr><mtr><mtd><mn>0</mn></mtd><mtd><mn>1</mn></mtd></mtr></mtable></math>")).toBe(
      "1 & 0 \\\\ 0 & 1",
    );
  });

  it("prefers the TeX the formula was written in, and replaces KaTeX's rendered copy with it", () => {
    const document = parseDocument(
      '<p>a <span class="katex"><span class="katex-mathml"><math><semantics><mi>x</mi><annotation encoding="application/x-tex">\\alpha</annotation></semantics></math></span><span class="katex-html" aria-hidden="true">α</span></span> b</p>',
    );
    keepMath(document.body);
    expect(document.body.innerHTML).toBe("<p>a <code>\\alpha</code> b</p>");
  });

  it("reads MathML nested deeper than it writes out as plain text, without running out of stack", () => {
    const deep = `${"<mrow>".repeat(3000)}<mi>z</mi>${"</mrow>".repeat(3000)}`;
    expect(kept(`<math>${deep}</math>`)).toBe("z");
  });
});
