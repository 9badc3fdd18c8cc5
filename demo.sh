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

# Part two: machine 'media' gets an agent, here on loopback. Its Host CA key is made in the agent's own
# folder and never leaves it; the operator signs the CSR; the agent issues media's endpoint certificates
# itself, renews them, and reports to `kith status`.
agent_dir="$state/machine-media/var/lib/kith"
files_root="$state/machine-media"
mkdir -p "$agent_dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18555)
echo "\$ kith agent init --machine media --dir $agent_dir"
./kith agent init --machine media --dir "$agent_dir"; echo
run machine sign media --csr "$agent_dir/host-ca.csr" --out "$state/media-host-ca.pem"
echo "\$ kith agent install --cert $state/media-host-ca.pem --root $state/root/root-ca.pem --dir $agent_dir"
./kith agent install --cert "$state/media-host-ca.pem" --root "$state/root/root-ca.pem" --dir "$agent_dir"; echo
run apply
cat > "$state/media-agent.yaml" <<YAML
machine: media
dir: $(cd "$agent_dir" && pwd)
listen: [127.0.0.1:$port]
files_root: $(cd "$files_root" && pwd)
peer_sync: false
YAML
echo "\$ kith agent run --config $state/media-agent.yaml &"
./kith agent run --config "$state/media-agent.yaml" > "$state/media-agent.log" 2>&1 &
agent_pid=$!
trap 'kill $agent_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$state/media-agent.log" && break
  kill -0 $agent_pid 2>/dev/null || { cat "$state/media-agent.log" >&2; exit 1; }
  sleep 0.2
done
echo
# The agent answers on loopback here, not at media's inventory address: --agent says where to reach it
# (its certificate is still checked for media.home.arpa against the Root).
run publish --agent "media=https://127.0.0.1:$port"
for _ in $(seq 1 100); do
  grep -q "reconcile pass for state version" "$state/media-agent.log" && break
  sleep 0.2
done
run status --agent "media=https://127.0.0.1:$port"
leaf="$files_root/var/lib/acme/xn--bcher-kva.home.arpa"
echo "\$ openssl verify -x509_strict -CAfile $state/root/root-ca.pem -untrusted $leaf/chain.pem $leaf/cert.pem"
openssl verify -x509_strict -CAfile "$state/root/root-ca.pem" -untrusted "$leaf/chain.pem" "$leaf/cert.pem"
