// mittari-gateway: serves the Connect and gRPC-Web protocols (and gRPC over
// HTTP/2 when given a certificate) to browsers and mobile apps, forwards
// every call to mittarid over gRPC, and serves the dashboard. It holds no
// data and no keys.
//
//   node dist/gateway/main.js --listen 127.0.0.1:8080 --upstream 127.0.0.1:50051 \
//       --allow-origin http://localhost:5173 --static dashboard/dist
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startGateway, type GatewayOptions } from "./gateway.js";

const usage = `usage: mittari-gateway [flags]
  --listen HOST:PORT        where to serve (default 127.0.0.1:8080; port 0 picks one)
  --upstream HOST:PORT      mittarid's gRPC address (default 127.0.0.1:50051)
  --upstream-ca FILE        speak TLS to mittarid, trusting this CA (PEM)
  --tls-cert FILE           serve HTTPS (HTTP/2 and HTTP/1.1) with this certificate (PEM)
  --tls-key FILE            ... and this private key (PEM)
  --insecure                allow listening beyond loopback without TLS
  --allow-origin ORIGIN     a browser origin allowed to call (CORS); repeatable, or comma-separated
  --max-request-bytes N     the largest request accepted (default 4194304)
  --static DIR              serve the dashboard's files from DIR
  --port-file FILE          write the port served on to FILE once listening`;

function fail(message: string): never {
  console.error(`mittari-gateway: ${message}\n${usage}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      listen: { type: "string", default: "127.0.0.1:8080" },
      upstream: { type: "string", default: "127.0.0.1:50051" },
      "upstream-ca": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      insecure: { type: "boolean", default: false },
      "allow-origin": { type: "string", multiple: true, default: [] },
      "max-request-bytes": { type: "string", default: "4194304" },
      static: { type: "string" },
      "port-file": { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  }));
} catch (e) {
  fail((e as Error).message);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const maxRequestBytes = Number(values["max-request-bytes"]);
if (!Number.isInteger(maxRequestBytes) || maxRequestBytes <= 0) {
  fail("--max-request-bytes: must be a positive integer");
}
if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined)) {
  fail("--tls-cert and --tls-key go together");
}
const options: GatewayOptions = {
  listen: values.listen,
  upstream: values.upstream,
  upstreamCa: values["upstream-ca"] ? readFileSync(values["upstream-ca"]) : undefined,
  tls:
    values["tls-cert"] && values["tls-key"]
      ? { cert: readFileSync(values["tls-cert"]), key: readFileSync(values["tls-key"]) }
      : undefined,
  insecure: values.insecure,
  allowOrigins: values["allow-origin"].flatMap((o) => o.split(",")).filter((o) => o !== ""),
  maxRequestBytes,
  staticDir: values.static,
  portFile: values["port-file"],
};

try {
  const gateway = await startGateway(options);
  console.error(`mittari-gateway: serving ${gateway.url} -> ${options.upstream}`);
  const stop = () => {
    gateway.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (e) {
  fail((e as Error).message);
}
