// The gateway's server: HTTP/1.1 on a plain port (what browsers speak
// without TLS), HTTP/2 and HTTP/1.1 with a certificate; CORS for an
// allow-list of origins; the dashboard's static files; every RPC forwarded.
import { createReadStream, statSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { cors, createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { forwardAll, peerAddress } from "./forward.js";
import { services } from "./services.js";

type NodeHandler = ReturnType<typeof connectNodeAdapter>;
type Request = Parameters<NodeHandler>[0];
type Response = Parameters<NodeHandler>[1];

export interface GatewayOptions {
  listen: string;
  upstream: string;
  upstreamCa?: Buffer;
  tls?: { cert: Buffer; key: Buffer };
  insecure: boolean;
  allowOrigins: string[];
  maxRequestBytes: number;
  staticDir?: string;
  portFile?: string;
}

export interface Gateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (!m) throw new Error(`${address}: expected HOST:PORT`);
  return { host: m[1], port: Number(m[2]) };
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".ico": "image/x-icon",
  ".map": "application/json",
};

/** Serves DIR's files for GET and HEAD; index.html for "/". */
function staticFiles(dir: string | undefined) {
  const root = dir === undefined ? undefined : resolve(dir);
  return (req: Request, res: Response) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = root === undefined ? undefined : normalize(join(root, path === "/" ? "index.html" : path));
    let size = -1;
    if (root !== undefined && file !== undefined && file.startsWith(root + sep)) {
      try {
        const st = statSync(file as string);
        if (st.isFile()) size = st.size;
      } catch {
        size = -1;
      }
    }
    if ((req.method !== "GET" && req.method !== "HEAD") || size < 0) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("not found\n");
      return;
    }
    res.writeHead(200, {
      "content-type": contentTypes[extname(file as string)] ?? "application/octet-stream",
      "content-length": String(size),
      "x-content-type-options": "nosniff",
      "cache-control": path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    createReadStream(file as string).pipe(res as unknown as NodeJS.WritableStream);
  };
}

/** Adds CORS headers for allowed origins and answers preflights. */
function withCors(allowOrigins: string[], next: (req: Request, res: Response) => void) {
  const any = allowOrigins.includes("*");
  return (req: Request, res: Response) => {
    const origin = req.headers["origin"];
    if (typeof origin === "string" && (any || allowOrigins.includes(origin))) {
      res.setHeader("access-control-allow-origin", any ? "*" : origin);
      res.setHeader("vary", "origin");
      res.setHeader("access-control-expose-headers", cors.exposedHeaders.join(", "));
      if (req.method === "OPTIONS") {
        res.setHeader("access-control-allow-methods", cors.allowedMethods.join(", "));
        res.setHeader("access-control-allow-headers", [...cors.allowedHeaders, "authorization"].join(", "));
        res.setHeader("access-control-max-age", "7200");
        res.writeHead(204);
        res.end();
        return;
      }
    } else if (req.method === "OPTIONS") {
      res.writeHead(403, { "content-type": "text/plain; charset=utf-8" });
      res.end("origin not allowed\n");
      return;
    }
    next(req, res);
  };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { host, port } = splitHostPort(options.listen);
  if (!options.tls && !options.insecure && !isLoopback(host)) {
    throw new Error(`--listen ${options.listen}: beyond loopback without TLS; give --tls-cert and --tls-key, or --insecure`);
  }
  const upstream = createGrpcTransport({
    baseUrl: `${options.upstreamCa ? "https" : "http"}://${options.upstream}`,
    nodeOptions: options.upstreamCa ? { ca: options.upstreamCa } : undefined,
  });
  const handler = connectNodeAdapter({
    routes: (router) => forwardAll(router, services, upstream),
    readMaxBytes: options.maxRequestBytes,
    fallback: staticFiles(options.staticDir),
    contextValues: (req) => {
      const address = req.socket?.remoteAddress?.replace(/^::ffff:/, "");
      return createContextValues().set(peerAddress, address);
    },
  });
  const serve = withCors(options.allowOrigins, handler);
  const server: http.Server | http2.Http2SecureServer = options.tls
    ? http2.createSecureServer({ cert: options.tls.cert, key: options.tls.key, allowHTTP1: true }, serve)
    : http.createServer(serve);
  // Closing ends every connection, HTTP/2 sessions included: a client's
  // idle session must not keep the gateway from stopping.
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("secureConnection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((ok, bad) => {
    server.once("error", bad);
    server.listen(port, host, () => ok());
  });
  const bound = (server.address() as AddressInfo).port;
  if (options.portFile) writeFileSync(options.portFile, `${bound}\n`);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `${options.tls ? "https" : "http"}://${shownHost}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
