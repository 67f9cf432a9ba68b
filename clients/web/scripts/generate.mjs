// Generates the TypeScript stubs (protobuf-es v2) from ../../proto into
// src/gen with Debian's protoc and the pinned protoc-gen-es. Nothing
// generated is committed.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const protoRoot = join(here, "..", "..", "proto");
const out = join(here, "src", "gen");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const files = [];
for (const dir of ["mittari/v1", "google/rpc"]) {
  for (const f of readdirSync(join(protoRoot, dir))) {
    if (f.endsWith(".proto")) files.push(join(dir, f));
  }
}
execFileSync(
  "protoc",
  [
    `-I${protoRoot}`,
    `--plugin=protoc-gen-es=${join(here, "node_modules", ".bin", "protoc-gen-es")}`,
    `--es_out=${out}`,
    "--es_opt=target=ts,import_extension=js",
    ...files,
  ],
  { stdio: "inherit", cwd: protoRoot },
);
console.log(`generated ${files.length} files into src/gen`);
