#!/usr/bin/env python3
"""Generates the gRPC stubs of proto/ into mittari/v1 (never committed).

Uses Debian's protoc and grpc_python_plugin (packages protobuf-compiler and
protobuf-compiler-grpc), which match Debian's python3-grpcio and
python3-protobuf.
"""
import glob
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = os.path.join(HERE, "..", "..", "proto")


def main():
    plugin = shutil.which("grpc_python_plugin")
    if plugin is None:
        sys.exit("grpc_python_plugin is missing: apt-get install protobuf-compiler-grpc")
    out = os.path.join(HERE, "mittari", "v1")
    shutil.rmtree(out, ignore_errors=True)
    files = sorted(os.path.relpath(f, PROTO)
                   for f in glob.glob(os.path.join(PROTO, "mittari", "v1", "*.proto")))
    subprocess.run(["protoc", f"-I{PROTO}", f"--python_out={HERE}",
                    f"--plugin=protoc-gen-grpc_python={plugin}",
                    f"--grpc_python_out={HERE}", *files], check=True, cwd=PROTO)
    with open(os.path.join(out, "__init__.py"), "w") as f:
        f.write('"""Generated from proto/mittari/v1 by generate.py."""\n')
    print(f"generated {len(files)} protos into mittari/v1")


if __name__ == "__main__":
    main()
