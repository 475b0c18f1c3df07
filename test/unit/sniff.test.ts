import { describe, expect, it } from "vitest";
import { sniffKind } from "../../src/archive/sniff.ts";

const page = (body: string | Buffer, mediaType: string) => ({ body: Buffer.isBuffer(body) ? body : Buffer.from(body, "latin1"), mediaType });

describe("sniffKind", () => {
  it.each([
    ["%PDF-1.7\n...", "text/html", "pdf"],
    ["\xFF\xD8\xFF\xE0rest", "text/html", "image"],
    ["\x89PNG\r\n\x1a\nrest", "application/octet-stream", "image"],
    ["GIF89a...", "text/plain", "image"],
    ["RIFF\0\0\0\0WEBPVP8 ", "text/html", "image"],
    ["\0\0\0\x20ftypavif", "", "image"],
  ])("believes the bytes over the Content-Type: %j sent as %s is %s", (body, type, kind) => {
    expect(sniffKind(page(body, type))).toBe(kind);
  });

  it.each([
    ["<p>hello</p>", "text/html", "html"],
    ["<p>hello</p>", "application/xhtml+xml", "html"],
    ["just words", "text/plain", "text"],
    ["<svg/>", "image/svg+xml", "image"],
    ["\xEF\xBB\xBF  <!DOCTYPE html><html>", "", "html"],
    ["<html><body>x", "application/octet-stream", "html"],
    ["<!-- a comment --><html>", "text/xml", "html"],
    ["<rss version='2.0'>", "application/xml", "unknown"],
    ["{\"json\": true}", "application/json", "unknown"],
    ["PK\x03\x04zip", "application/zip", "unknown"],
  ])("reads %j sent as %j as %s", (body, type, kind) => {
    expect(sniffKind(page(body, type))).toBe(kind);
  });
});
