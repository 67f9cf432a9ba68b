// Forwards every method of every service to mittarid over gRPC: the
// caller's key, deadline and address go up; the answer, the stream and the
// error with its details (ErrorInfo, BadRequest) come back unchanged.
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createContextKey,
  type ConnectRouter,
  type HandlerContext,
  type Transport,
} from "@connectrpc/connect";

/** The caller's address, as the gateway's socket saw it. */
export const peerAddress = createContextKey<string | undefined>(undefined, {
  description: "the caller's address",
});

/** The request headers mittarid reads; nothing else goes up. */
const forwardedHeaders = ["authorization"];
/** The response headers of mittarid's that reach the caller. */
const returnedHeaders = ["x-request-id"];

/** The headers of `from` named in `names`. */
function pick(from: Headers | undefined, names: string[]): Headers {
  const headers = new Headers();
  for (const name of names) {
    const value = from?.get(name);
    if (value !== null && value !== undefined) headers.set(name, value);
  }
  return headers;
}

function upstreamHeaders(ctx: HandlerContext): Headers {
  const headers = pick(ctx.requestHeader, forwardedHeaders);
  // The socket's address replaces whatever the caller claims: mittarid
  // trusts x-forwarded-for from loopback peers only, that is from here.
  const peer = ctx.values.get(peerAddress);
  if (peer !== undefined) headers.set("x-forwarded-for", peer);
  return headers;
}

function upstreamError(err: unknown): ConnectError {
  const e = ConnectError.from(err);
  // A browser should not learn the gateway's own plumbing: an upstream that
  // cannot be reached is UNAVAILABLE, as mittarid itself would say.
  if (e.code === Code.Unknown && e.cause instanceof Error && /ECONNREFUSED|ECONNRESET/.test(e.cause.message)) {
    return new ConnectError("mittarid is not reachable", Code.Unavailable);
  }
  // The code, message and details (ErrorInfo, BadRequest) unchanged; of
  // mittarid's gRPC headers and trailers only the request id, so that the
  // caller's protocol frames the error itself.
  const out = new ConnectError(e.rawMessage, e.code, pick(e.metadata, returnedHeaders));
  out.details.push(...e.details);
  return out;
}

type StreamingMethod = DescMethod & { methodKind: "server_streaming" | "client_streaming" | "bidi_streaming" };

function forwardMethod(transport: Transport, method: DescMethod): unknown {
  const stream = (requests: AsyncIterable<unknown>, ctx: HandlerContext) =>
    transport.stream(
      method as StreamingMethod,
      ctx.signal,
      ctx.timeoutMs(),
      upstreamHeaders(ctx),
      requests as AsyncIterable<never>,
    );
  switch (method.methodKind) {
    case "unary":
      return async (req: unknown, ctx: HandlerContext) => {
        try {
          const res = await transport.unary(
            method as DescMethod & { methodKind: "unary" },
            ctx.signal,
            ctx.timeoutMs(),
            upstreamHeaders(ctx),
            req as never,
          );
          pick(res.header, returnedHeaders).forEach((value, name) => ctx.responseHeader.set(name, value));
          return res.message;
        } catch (err) {
          throw upstreamError(err);
        }
      };
    case "server_streaming":
      return async function* (req: unknown, ctx: HandlerContext) {
        try {
          const res = await stream(
            (async function* () {
              yield req;
            })(),
            ctx,
          );
          yield* res.message;
        } catch (err) {
          throw upstreamError(err);
        }
      };
    // Client and bidirectional streams (the imports) need HTTP/2 end to
    // end: the gateway's TLS port, not a browser's HTTP/1.1.
    case "client_streaming":
      return async (requests: AsyncIterable<unknown>, ctx: HandlerContext) => {
        try {
          const res = await stream(requests, ctx);
          let last: unknown;
          for await (const message of res.message) last = message;
          if (last === undefined) throw new ConnectError("mittarid sent no answer", Code.Internal);
          return last;
        } catch (err) {
          throw upstreamError(err);
        }
      };
    case "bidi_streaming":
      return async function* (requests: AsyncIterable<unknown>, ctx: HandlerContext) {
        try {
          const res = await stream(requests, ctx);
          yield* res.message;
        } catch (err) {
          throw upstreamError(err);
        }
      };
  }
}

/** Registers a forwarding handler for every method of `services`. */
export function forwardAll(router: ConnectRouter, services: readonly DescService[], upstream: Transport): void {
  for (const service of services) {
    const impl: Record<string, unknown> = {};
    for (const method of service.methods) impl[method.localName] = forwardMethod(upstream, method);
    router.service(service, impl as never);
  }
}
