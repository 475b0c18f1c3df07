/** Small HTTP helpers of the fetch stage: header parsing, URL checks, dropping a body unread. */
import type { Readable } from "node:stream";

/** "text/HTML; charset=ISO-8859-1" → { mediaType: "text/html", charset: "ISO-8859-1" }. */
export function parseContentType(value: string | undefined): { mediaType: string; charset: string | undefined } {
  if (!value) return { mediaType: "", charset: undefined };
  const [type = "", ...parameters] = value.split(";");
  let charset: string | undefined;
  for (const parameter of parameters) {
    const equals = parameter.indexOf("=");
    if (equals === -1 || parameter.slice(0, equals).trim().toLowerCase() !== "charset") continue;
    const raw = parameter.slice(equals + 1).trim();
    charset = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
    break;
  }
  return { mediaType: type.trim().toLowerCase(), charset: charset || undefined };
}

export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/** Drops a body unread. Destroying closes the connection, which is cheaper than draining a hostile body. */
export function discard(body: Readable): void {
  body.on("error", () => {}); // undici reports the destroy as an abort error; nobody is waiting for it
  body.destroy();
}

export function isHttp(url: URL): boolean {
  return url.protocol === "http:" || url.protocol === "https:";
}

export function withoutFragment(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = "";
  return copy.href;
}
