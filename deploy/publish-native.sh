#!/usr/bin/env bash
# Publishes kith as one native executable (NativeAOT) named `kith` into OUT (default .build/native).
# Needs clang (Debian: apt-get install clang). Usage: deploy/publish-native.sh [OUT] [RID]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-.build/native}")
rid=${2:-linux-x64}
dotnet publish src/Kith.Cli -c Release -r "$rid" -p:PublishAot=true -o "$out" -nologo -v quiet
mv -f "$out/Kith.Cli" "$out/kith"
rm -f "$out"/*.dbg "$out"/*.pdb "$out"/*.xml
echo "$out/kith"
