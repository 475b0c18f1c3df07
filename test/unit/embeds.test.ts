/** Embeds (src/archive/parse/embeds.ts) on small pages, without Readability in between: what is recognized and how. */
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../src/archive/parse/dom.ts";
import { markEmbeds, traceEmbeds } from "../../src/archive/parse/embeds.ts";

/**
 * Marks then traces `body`, as extract does around Readability (given the markup, as extract gives it, or without it:
 * then every embed tag is looked for); returns the body's HTML.
 */
function traced(body: string, withMarkup = true): { html: string; count: number } {
  const markup = `<!DOCTYPE html><html><body>${body}</body></html>`;
  const document = parseDocument(markup, "https://news.example/story");
  const embeds = markEmbeds(document, withMarkup ? markup : undefined);
  traceEmbeds(document.body, embeds);
  return { html: document.body.innerHTML, count: embeds.count };
}

describe("embeds", () => {
  it("looks for the tags the markup spells, in document order, the outer embed first", () => {
    const page =
      '<blockquote class="twitter-tweet"><p>The harbour tram opens today.</p><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>' +
      '<a href="https://twitter.com/council/status/1196862839468457985">November 19, 2019</a></blockquote>' +
      '<VIDEO src="https://news.example/clip.mp4" poster="https://news.example/clip.jpg" title="The first tram"></VIDEO>';
    const looked = traced(page);
    expect(looked.count).toBe(2);
    expect(looked.html).toContain("The harbour tram opens today.");
    expect(looked.html).not.toContain("youtube.com/watch");
    expect(looked.html).toContain('<img src="https://news.example/clip.jpg"');
    expect(looked).toEqual(traced(page, false));
    expect(traced("<p>No player here, only the words iframe and video.</p>")).toEqual({ html: "<p>No player here, only the words iframe and video.</p>", count: 0 });
  });

  it("renders only this page's placeholders: one the page wrote itself stays an iframe, for the sanitizer to drop", () => {
    const forged = '<iframe data-archive-embed="archive-embed:0123" data-archive-kind="video" data-archive-url="https://evil.example/"></iframe>';
    const { html, count } = traced(forged);
    expect(count).toBe(0);
    expect(html).toBe(forged);
  });

  it("recognizes <lite-youtube> and Dailymotion, with the posters their ids give", () => {
    const { html } = traced(
      '<lite-youtube videoid="dQw4w9WgXcQ" playlabel="Play: The tram line"></lite-youtube>' +
        '<iframe src="https://www.dailymotion.com/embed/video/x7o6g1x" title="Harbour works"></iframe>',
    );
    expect(html).toContain('<img src="https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg" alt="Video: The tram line">');
    expect(html).toContain('<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">The tram line</a> (YouTube)');
    expect(html).toContain('<img src="https://www.dailymotion.com/thumbnail/video/x7o6g1x" alt="Video: Harbour works">');
    expect(html).toContain('<a href="https://www.dailymotion.com/video/x7o6g1x">Harbour works</a> (Dailymotion)');
  });

  it("names a video whose player gives no real title by its address", () => {
    const { html } = traced('<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="YouTube video player"></iframe>');
    expect(html).toContain('<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">youtube.com/watch?v=dQw4w9WgXcQ</a>');
  });

  it("keeps a tweet embedded as an iframe as a link to it", () => {
    const { html } = traced('<iframe src="https://platform.twitter.com/embed/Tweet.html?id=1196862839468457985" title="X Post"></iframe>');
    expect(html).toBe(
      '<blockquote cite="https://twitter.com/i/status/1196862839468457985"><p><a href="https://twitter.com/i/status/1196862839468457985">X Post</a></p></blockquote>',
    );
  });

  it("leaves ordinary quotations, ad frames and videos without a source alone", () => {
    const body = '<blockquote><p>A quotation.</p></blockquote><iframe src="https://ads.example/slot"></iframe><video controls=""></video>';
    expect(traced(body)).toEqual({ html: body, count: 0 });
  });

  it("turns post text into text: markup inside a post cannot come out as markup", () => {
    const { html } = traced(
      '<blockquote class="twitter-tweet"><p>&lt;img src=x onerror=alert(1)&gt; is what he wrote</p>&mdash; A (@a) <a href="https://twitter.com/a/status/1">May 1</a></blockquote>',
    );
    expect(html).toContain("<p>&lt;img src=x onerror=alert(1)&gt; is what he wrote</p>");
    expect(html).not.toContain("<img");
  });
});
