/** Code languages (src/archive/parse/code.ts): where a language is read from, and where it is not. */
import { describe, expect, it } from "vitest";
import { labelCode } from "../../src/archive/parse/code.ts";
import { parseDocument } from "../../src/archive/parse/dom.ts";
import { dropClasses } from "../../src/archive/parse/hints.ts";

/** Labels the code blocks of `body` as extract does: then every class but the languages it set is dropped. */
function labelled(body: string): string {
  const document = parseDocument(`<!DOCTYPE html><html><body><div id="root">${body}</div></body></html>`);
  const root = document.getElementById("root")!;
  dropClasses(root, labelCode(root));
  return root.innerHTML;
}

describe("code languages", () => {
  it("wraps code written straight into <pre>, keeping its text exactly", () => {
    expect(labelled('<pre class="lang-go">a\n\tb &lt; c</pre>')).toBe('<pre><code class="language-go">a\n\tb &lt; c</code></pre>');
  });

  it("takes data-lang from the code block, not from a wrapper, where it names the page's language", () => {
    expect(labelled('<pre><code data-lang="rust">x</code></pre>')).toContain('<code data-lang="rust" class="language-rust">');
    expect(labelled('<div data-lang="en"><pre><code>x</code></pre></div>')).toBe('<div data-lang="en"><pre><code>x</code></pre></div>');
  });

  it("gives no language for the names highlighters use for none, or for a name that is not one", () => {
    expect(labelled('<pre><code class="language-plaintext">x</code></pre>')).toBe("<pre><code>x</code></pre>");
    expect(labelled('<pre><code class="nohighlight">x</code></pre>')).toBe("<pre><code>x</code></pre>");
    expect(labelled('<pre class="language-&quot;onload">x</pre>')).toBe("<pre>x</pre>");
  });
});
