/**
 * A real node:http server on 127.0.0.1, port 0, that plays whatever each test asks for.
 * Tests register routes; every request is logged so a test can prove a request never arrived.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface TestServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  /** Paths (with query) requested so far, in order. */
  requests: string[];
  route(path: string, handler: Handler): void;
  url(path: string): string;
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Handler> = {}): Promise<TestServer> {
  const table = new Map<string, Handler>(Object.entries(routes));
  const requests: string[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server = http.createServer(async (req, res) => {
    const path = req.url ?? "/";
    requests.push(path);
    const handler = table.get(path) ?? table.get(path.split("?")[0] ?? path);
    if (!handler) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    try {
      await handler(req, res);
    } catch {
      res.destroy();
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    requests,
    route: (path, handler) => void table.set(path, handler),
    url: (path) => `${origin}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging and dripping handlers never end by themselves: cut their sockets.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An HTML page handler. */
export function html(body: string, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...headers });
    res.end(body);
  };
}
