#!/usr/bin/env bash
# Installs what the tests need (when missing), builds, and runs every test suite.
# Usage: ./test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the integration tests drive: openssl as the outside judge, iproute2 (ip) for the peer
# sync test's network namespaces (run as root; skipped otherwise), systemd for `systemd-analyze verify`
# of the agent's unit (offline: no running systemd is needed); certbot, lego, caddy and pebble (with
# pebble-challtestsrv) for the ACME client tests, curl for lego's dns-01 hook, knot-dnsutils (kdig) to look at DNS,
# nginx for the client-certificate CRL test; dig/nsupdate (bind9-dnsutils), named-checkzone (bind9-utils), knotd,
# unbound, dnsmasq and certbot's rfc2136 plugin for the fleet DNS tests; nginx, caddy and testssl.sh for the generated
# proxy configs.
needed=(openssl iproute2 systemd certbot lego caddy pebble knot-dnsutils curl nginx bind9-dnsutils bind9-utils knot unbound dnsmasq-base python3-certbot-dns-rfc2136 testssl.sh)
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test --solution kith.slnx -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line that any CI reader understands.
total=$(grep -E '^\s*total:' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -E '^\s*failed:' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
skipped=$(grep -E '^\s*skipped:' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
passed=$(grep -E '^\s*succeeded:' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [[ ${total:-0} -eq 0 ]]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
