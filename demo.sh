#!/usr/bin/env bash
# kith's main job on the embedded default: examples/homelab.yaml, SQLite, a local state folder.
# init (Root CA) -> plan -> apply (Host CAs, every endpoint's certificate and files) -> list,
# then openssl checks one chain with the Root as the only trust anchor.
set -euo pipefail
cd "$(dirname "$0")"
command -v dotnet >/dev/null || { echo "demo.sh: needs the .NET 10 SDK (dotnet) on PATH" >&2; exit 1; }

state=${KITH_DEMO_STATE:-.kith-demo}
inventory=examples/homelab.yaml
# A demo passphrase only: for a real Root use --passphrase-file or the prompt.
export KITH_ROOT_PASSPHRASE=${KITH_ROOT_PASSPHRASE:-kith-demo-passphrase}

run() { echo "\$ kith $*"; ./kith --state "$state" -f "$inventory" "$@"; echo; }
run init
run plan
run apply
run list
leaf="$state/out/storage/var/lib/acme/music.home.arpa"
echo "\$ openssl verify -x509_strict -CAfile $state/root/root-ca.pem -untrusted $leaf/chain.pem $leaf/cert.pem"
openssl verify -x509_strict -CAfile "$state/root/root-ca.pem" -untrusted "$leaf/chain.pem" "$leaf/cert.pem"
