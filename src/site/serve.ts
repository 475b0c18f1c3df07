/**
 * A small static file server for a built site, under its path prefix, the way GitHub Pages serves it: directories
 * answer with their index.html, unknown paths with /404.html and status 404, and every response allows any origin
 * to read it (Access-Control-Allow-Origin: *, as Pages sends), which is what lets a blog load mirror.js as a module
 * and fetch its lookup files. Used by `npm run serve` and the e2e
 * tests. Input: root folder, prefix, host, port (0 = any free port). Never serves a file outside the root.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  // Memento TimeMaps (RFC 7089): GitHub Pages serves them as it serves any unknown type, this preview as they are meant.
  ".link": "application/link-format",
  ".xml": "application/atom+xml; charset=utf-8",
  ".svg": "image/svg+xml",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".pdf": "application/pdf",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
};

export interface StaticServer {
  /** http://host:port<prefix>, e.g. http://127.0.0.1:4173/archive/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  root: string;
  pathPrefix: string;
  host?: string;
  port?: number;
}

async function fileAt(root: string, urlPath: string): Promise<string | undefined> {
  const file = path.join(root, urlPath);
  // path.join normalizes "..": anything that ends up outside the root is not ours to serve.
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  try {
    const info = await stat(file);
    if (info.isFile()) return file;
    if (info.isDirectory()) {
      const index = path.join(file, "index.html");
      if ((await stat(index)).isFile()) return index;
    }
  } catch {
    // Missing: a 404 below.
  }
  return undefined;
}

export async function serveSite({ root, pathPrefix, host = "127.0.0.1", port = 0 }: ServeOptions): Promise<StaticServer> {
  const base = path.resolve(root);
  const sockets = new Set<import("node:net").Socket>();
  const server = http.createServer(async (req, res) => {
    const send = (status: number, file: string | undefined, headers: Record<string, string> = {}) => {
      const type = (file && TYPES[path.extname(file).toLowerCase()]) ?? "application/octet-stream";
      res.writeHead(status, {
        "content-type": file ? type : "text/plain; charset=utf-8",
        "x-content-type-options": "nosniff",
        "cache-control": "no-cache",
        "access-control-allow-origin": "*",
        ...headers,
      });
      if (req.method === "HEAD" || !file) return void res.end(file ? undefined : "Not found");
      createReadStream(file).on("error", () => res.destroy()).pipe(res);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, undefined, { allow: "GET, HEAD" });
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(400, undefined);
    }
    if (pathname === "/" && pathPrefix !== "/") return send(302, undefined, { location: pathPrefix });
    if (!pathname.startsWith(pathPrefix)) return send(404, undefined);
    const relative = pathname.slice(pathPrefix.length);
    // GitHub Pages redirects a folder without its trailing slash; relative image names in captures depend on it.
    const found = await fileAt(base, relative);
    if (found && found.endsWith(`${path.sep}index.html`) && !pathname.endsWith("/") && !relative.endsWith("index.html")) {
      return send(301, undefined, { location: `${pathname}/` });
    }
    if (found) return send(200, found);
    const notFound = await fileAt(base, "404.html");
    return send(404, notFound);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}${pathPrefix}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
