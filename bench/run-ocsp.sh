#!/usr/bin/env bash
# Figures for the OCSP responder (issue 5): wrk against the kith agent's responder and against `openssl ocsp -index`
# as a responder for the same Host CA and leaf, on loopback.
# Usage: bench/run-ocsp.sh [SECONDS] [CONNECTIONS]   (defaults 10 and 64; wrk -t2)
#   KITH_AGENT_BIN=/path/to/kith runs that binary (e.g. from deploy/publish-native.sh); without it the native
#   binary is published first (needs clang). KITH_AGENT_BIN="dotnet .build/kith/Kith.Cli.dll" runs the JIT build.
# Needs wrk and nc (Debian: apt-get install wrk netcat-openbsd; the script installs them when it may).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
[[ $seconds =~ ^[1-9][0-9]*$ && $connections =~ ^[1-9][0-9]*$ ]] || {
  echo "run-ocsp.sh: SECONDS and CONNECTIONS must be whole numbers of at least 1" >&2
  exit 2
}
for tool in wrk nc ab; do
  if ! command -v "$tool" >/dev/null; then
    if [[ $(id -u) == 0 ]]; then
      apt-get install -y wrk netcat-openbsd apache2-utils >/dev/null
    else
      echo "run-ocsp.sh: $tool is missing; install it (Debian: apt-get install wrk netcat-openbsd apache2-utils)" >&2
      exit 2
    fi
  fi
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
export KITH_ROOT_PASSPHRASE=bench-passphrase
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

if [[ -n ${KITH_AGENT_BIN:-} ]]; then
  read -r -a kith <<<"$KITH_AGENT_BIN"
else
  kith=("$(deploy/publish-native.sh "$work/native")")
fi

# ---- one machine "alpha" with one endpoint the agent issues (and logs) itself
dir="$work/fleet"
mkdir -p "$dir/files"
printf 'domain: home.arpa\nmachines:\n  alpha: { addresses: [127.0.0.1] }\nservices:\n  web: { machine: alpha, endpoints: [web.home.arpa], files: { dir: /srv/tls/web } }\n' >"$dir/kith.yaml"
k=("${kith[@]}" --state "$dir/state" -f "$dir/kith.yaml")
"${k[@]}" init >/dev/null
"${k[@]}" agent init --machine alpha --dir "$dir/agent" >/dev/null
"${k[@]}" machine sign alpha --csr "$dir/agent/host-ca.csr" --out "$dir/host-ca.pem" >/dev/null
"${k[@]}" agent install --dir "$dir/agent" --cert "$dir/host-ca.pem" --root "$dir/state/root/root-ca.pem" >/dev/null
"${k[@]}" apply >/dev/null
https_port=$(free_port)
kith_port=$(free_port)
printf 'machine: alpha\ndir: %s\nlisten:\n  - 127.0.0.1:%s\nrevocation_listen: [127.0.0.1:%s]\nfiles_root: %s\nreconcile_interval_seconds: 300\n' \
  "$dir/agent" "$https_port" "$kith_port" "$dir/files" >"$dir/agent.yaml"
"${kith[@]}" agent run --config "$dir/agent.yaml" >"$dir/agent.log" 2>&1 &
agent_pid=$!
pids+=("$agent_pid")
start=$SECONDS
until curl -sf --cacert "$dir/state/root/root-ca.pem" "https://127.0.0.1:$https_port/healthz" >/dev/null; do
  ((SECONDS - start < 60)) || { cat "$dir/agent.log" >&2; exit 1; }
  sleep 0.2
done
"${k[@]}" publish --to "https://127.0.0.1:$https_port" >/dev/null
leaf="$dir/files/srv/tls/web/cert.pem"
until [[ -f $leaf ]]; do
  ((SECONDS - start < 120)) || { cat "$dir/agent.log" >&2; exit 1; }
  sleep 0.2
done

# ---- openssl ocsp as a responder for the same Host CA and leaf: a delegated signer made with the Host CA key
o="$work/openssl"
mkdir -p "$o"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$o/ocsp.key" -out "$o/ocsp.csr" -subj "/CN=openssl OCSP alpha" 2>/dev/null
openssl x509 -req -in "$o/ocsp.csr" -CA "$dir/host-ca.pem" -CAkey "$dir/agent/host-ca.key" -CAcreateserial -CAserial "$o/serial" -days 2 \
  -out "$o/ocsp.pem" -extfile <(printf 'extendedKeyUsage=OCSPSigning\nkeyUsage=critical,digitalSignature\n') 2>/dev/null
serial=$(openssl x509 -in "$leaf" -noout -serial | cut -d= -f2)
expiry=$(date -u -d "$(openssl x509 -in "$leaf" -noout -enddate | cut -d= -f2)" +%y%m%d%H%M%SZ)
printf 'V\t%s\t\t%s\tunknown\t%s\n' "$expiry" "$serial" "$(openssl x509 -in "$leaf" -noout -subject -nameopt compat | sed 's/^subject=//')" >"$o/index.txt"
openssl_port=$(free_port)
# (openssl's -port takes a port only: it listens on every address for the length of the run.)
openssl ocsp -index "$o/index.txt" -port "$openssl_port" -rsigner "$o/ocsp.pem" -rkey "$o/ocsp.key" -CA "$dir/host-ca.pem" \
  -nmin 1440 -ignore_err >"$o/responder.log" 2>&1 &
openssl_pid=$!
pids+=("$openssl_pid")
# A real request as the probe: a bare connect that sends nothing is what stalls openssl's responder.
while curl -s -m 2 -o /dev/null "http://127.0.0.1:$openssl_port/"; [[ $? == 7 ]]; do
  kill -0 "$openssl_pid" 2>/dev/null || { cat "$o/responder.log" >&2; exit 1; }
  sleep 0.2
done

# ---- both answer good, checked by openssl as a client; the GET URL of a request without a nonce
openssl ocsp -issuer "$dir/host-ca.pem" -cert "$leaf" -no_nonce -reqout "$work/req.der" -url "http://127.0.0.1:$kith_port/ocsp" \
  -CAfile "$dir/state/root/root-ca.pem" 2>&1 | sed 's/^/  kith:    /' | grep -v 'This Update\|Next Update'
openssl ocsp -issuer "$dir/host-ca.pem" -cert "$leaf" -no_nonce -url "http://127.0.0.1:$openssl_port" \
  -CAfile "$dir/state/root/root-ca.pem" -VAfile "$o/ocsp.pem" 2>&1 | sed 's/^/  openssl: /' | grep -v 'This Update\|Next Update'
path=$(base64 -w0 "$work/req.der" | sed 's|+|%2B|g; s|/|%2F|g; s|=|%3D|g')
kith_url="http://127.0.0.1:$kith_port/ocsp/$path"
openssl_url="http://127.0.0.1:$openssl_port/$path"
for url in "$kith_url" "$openssl_url"; do
  [[ $(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$url") == "200 application/ocsp-response" ]] || {
    echo "run-ocsp.sh: $url does not answer 200 application/ocsp-response" >&2
    exit 1
  }
done

rate() { # LABEL URL [wrk options]: wrk's responses/s (non-2xx and socket errors are printed too)
  local label=$1 url=$2
  shift 2
  local out
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" "$@" "$url" 2>&1)
  local rps errors
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  errors=$(grep -E 'Socket errors|Non-2xx' <<<"$out" | tr -s ' ' | paste -sd';' || true)
  printf '  %-44s %8s responses/s %s\n' "$label" "$rps" "${errors:+($errors)}" >&2
  echo "$rps"
}

# ---- first with curl (8 processes, 250 URLs each, a new connection per request for openssl): openssl's responder
# cannot be measured with wrk, whose start-up probe connects and closes without a request and stalls it.
curl_rate() { # URL: responses/s over 2,000 requests
  local list="$work/urls" start end
  for _ in $(seq 250); do printf 'url = "%s"\noutput = "/dev/null"\n' "$1"; done >"$list"
  start=$(date +%s.%N)
  seq 8 | xargs -P 8 -I{} curl -s -K "$list" -m 60 || true
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", 2000 / (e - s) }'
}
# ---- ApacheBench (HTTP/1.0, a new connection per request, -c connections at once): the form in which openssl's
# responder can be measured at all. ab counts a response of another length as "failed"; ECDSA signatures vary in
# length, so only non-2xx answers and exceptions count here.
ab_rate() { # LABEL URL: responses/s over connections x 300 requests
  local out rps non2xx
  out=$(ab -q -n $((connections * 300)) -c "$connections" "$2" 2>&1)
  rps=$(awk '/^Requests per second:/ { printf "%.0f", $4 }' <<<"$out")
  non2xx=$(awk '/^Non-2xx responses:/ { print $3 }' <<<"$out")
  printf '  %-44s %8s responses/s %s\n' "$1" "$rps" "${non2xx:+(non-2xx: $non2xx)}" >&2
  echo "$rps"
}
kith_ab=$(ab_rate "kith agent, ab -c$connections (Connection: close)" "$kith_url")
openssl_ab=$(ab_rate "openssl ocsp -index, ab -c$connections" "$openssl_url")

kith_curl=$(curl_rate "$kith_url")
openssl_curl=$(curl_rate "$openssl_url")
printf '  %-44s %8s responses/s\n' "kith agent, curl x8" "$kith_curl" "openssl ocsp -index, curl x8" "$openssl_curl" >&2

echo "== OCSP GET, wrk -t2 -c$connections -d${seconds}s on loopback; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   agent: ${kith[*]##*/}; openssl: $(openssl version | cut -d' ' -f1-2)"
kith_keep=$(rate "kith agent, keep-alive" "$kith_url")
openssl_keep=$(rate "openssl ocsp -index, keep-alive asked" "$openssl_url")
kith_close=$(rate "kith agent, Connection: close" "$kith_url" -H 'Connection: close')
openssl_close=$(rate "openssl ocsp -index, Connection: close" "$openssl_url" -H 'Connection: close')

# ---- 50 idle connections (and 10 that sent half a request) held open during a keep-alive run
for _ in $(seq 50); do
  (sleep $((seconds + 5)) | nc 127.0.0.1 "$kith_port" >/dev/null 2>&1) &
  pids+=("$!")
done
for _ in $(seq 10); do
  ( (printf 'POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\ngarbage'; sleep $((seconds + 5))) | nc 127.0.0.1 "$kith_port" >/dev/null 2>&1) &
  pids+=("$!")
done
sleep 0.5
kith_idle=$(rate "kith agent, keep-alive, 60 idle/garbage conns" "$kith_url")

# ---- openssl's responder with one idle connection: does a query still get through within 5 s?
(sleep 8 | nc 127.0.0.1 "$openssl_port" >/dev/null 2>&1) &
pids+=("$!")
sleep 0.5
if curl -s -m 5 -o /dev/null "$openssl_url"; then openssl_idle="answers"; else openssl_idle="no answer within 5 s"; fi

cpu=$(awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$agent_pid/stat")
rss=$(awk '$1 == "VmHWM:" { printf "%.0f", $2 / 1024 }' "/proc/$agent_pid/status")
echo "RESULT ocsp keep-alive ($connections conns): kith $kith_keep/s, openssl $openssl_keep/s; Connection: close: kith $kith_close/s, openssl $openssl_close/s"
echo "RESULT ocsp with ab (HTTP/1.0, a connection per request, $connections at once): kith $kith_ab/s, openssl $openssl_ab/s"
echo "RESULT ocsp with curl x8 (2,000 requests): kith $kith_curl/s, openssl $openssl_curl/s"
echo "RESULT ocsp with 60 idle/garbage connections open: kith $kith_idle/s; openssl with one idle connection: $openssl_idle"
echo "RESULT agent: ${cpu} s CPU in all, peak RSS ${rss} MiB"
