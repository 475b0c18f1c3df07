/**
 * A real node:http server on 127.0.0.1 (or another loopback address), port 0, that plays whatever each test asks for.
 * Tests register routes; every request is logged so a test can prove a request never arrived.
 */
import http from "node:http";
import zlib from "node:zlib";
import type { AddressInfo } from "node:net";

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface TestServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  /** Paths (with query) requested so far, in order. */
  requests: string[];
  /** TCP connections accepted so far: 0 proves a client was stopped before it even connected. */
  readonly connections: number;
  route(path: string, handler: Handler): void;
  url(path: string): string;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Loopback address to listen on; Linux answers on all of 127/8, so a second server can look like another host. */
  host?: string;
}

export async function startServer(
  routes: Record<string, Handler> = {},
  { host = "127.0.0.1" }: ServerOptions = {},
): Promise<TestServer> {
  const table = new Map<string, Handler>(Object.entries(routes));
  const requests: string[] = [];
  const sockets = new Set<import("node:net").Socket>();
  let connections = 0;
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
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    origin,
    port,
    requests,
    get connections() {
      return connections;
    },
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

/** Writes a chunk and waits until the client has taken it (or has gone away): streaming that honours backpressure. */
export async function send(res: http.ServerResponse, chunk: Buffer | string): Promise<void> {
  if (res.destroyed || res.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** How far a streaming handler got before the client hung up. */
export interface StreamProgress {
  /** Bytes handed to the socket so far. */
  bytesSent: number;
  /** Bytes the full response would have. */
  bytesTotal: number;
  /** True once every byte was written. */
  finished: boolean;
  /** Settles when the response closes, by finishing or because the client went away. */
  closed: Promise<void>;
}

/**
 * A gzip bomb made on the fly: `decompressedBytes` of zeros (rounded up to whole MiB) in about 1/1000 of that on the
 * wire, written with backpressure so `progress` shows how much a client really pulled. After a full flush a deflate
 * block of 1 MiB of zeros is self-contained, so one compressed block is repeated instead of compressing gigabytes.
 */
export function gzipBomb(decompressedBytes: number): { handler: Handler; progress: StreamProgress } {
  const MiB = 1024 * 1024;
  const blocks = Math.ceil(decompressedBytes / MiB);
  const block = zlib.deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const finalBlock = Buffer.from([0x03, 0x00]); // an empty final fixed-Huffman block
  // A few blocks a write keeps the loop cheap while staying far below any cap a test sets.
  const perWrite = 16;
  const batch = Buffer.concat(Array<Buffer>(perWrite).fill(block));
  let settle = () => {};
  const progress: StreamProgress = {
    bytesSent: 0,
    bytesTotal: header.length + block.length * blocks + finalBlock.length + 8,
    finished: false,
    closed: new Promise<void>((resolve) => (settle = resolve)),
  };
  const handler: Handler = async (_req, res) => {
    res.on("close", settle);
    res.writeHead(200, { "content-type": "text/html", "content-encoding": "gzip" });
    const write = async (chunk: Buffer) => {
      progress.bytesSent += chunk.length;
      await send(res, chunk);
    };
    await write(header);
    let crc = 0;
    for (let sent = 0; sent < blocks && !res.destroyed; sent += perWrite) {
      const count = Math.min(perWrite, blocks - sent);
      await write(count === perWrite ? batch : Buffer.concat(Array<Buffer>(count).fill(block)));
    }
    if (res.destroyed) return;
    // Only a client that read the whole bomb gets here, so the CRC is worked out only then.
    const zeros = Buffer.alloc(MiB);
    for (let index = 0; index < blocks; index++) crc = zlib.crc32(zeros, crc);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE((blocks * MiB) >>> 0, 4);
    await write(Buffer.concat([finalBlock, trailer]));
    res.end(() => (progress.finished = true));
  };
  return { handler, progress };
}
