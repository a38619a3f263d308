#!/usr/bin/env bash
# MSRV check without installing an old toolchain: no dependency of the library (normal
# dependencies, default features and every optional feature) declares a rust-version newer
# than ours. Clippy's `incompatible_msrv` lint (on in `cargo clippy`) covers our own use of
# std APIs newer than rust-version.
set -euo pipefail
cd "$(dirname "$0")/.."
ours=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"][0]["rust_version"])')
used=$( (cargo tree --locked -e normal --prefix none --format '{p}' &&
    cargo tree --locked -e normal --all-features --prefix none --format '{p}') 2>/dev/null |
    awk '{print $1 " " $2}' | sort -u)
cargo metadata --format-version 1 --locked | USED="$used" OURS="$ours" python3 -c '
import json, os, sys
ours = tuple(int(x) for x in os.environ["OURS"].split("."))
used = set(os.environ["USED"].split("\n"))
bad = []
for p in json.load(sys.stdin)["packages"]:
    name, version = p["name"], p["version"]
    if name + " v" + version not in used or not p.get("rust_version"):
        continue
    rv = tuple(int(x) for x in p["rust_version"].split("."))
    if rv > ours + (0,) * (len(rv) - len(ours)):
        bad.append(name + " " + version + " needs Rust " + p["rust_version"])
if bad:
    sys.exit("dependencies newer than our rust-version " + os.environ["OURS"] + ":\n  " + "\n  ".join(bad))
print("MSRV", os.environ["OURS"] + ":", len(used), "dependencies checked, none needs a newer Rust")
'
