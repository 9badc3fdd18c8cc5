#!/usr/bin/env bash
# Figures for the ACME server (issue 4): the same load driver against pebble and against a kith agent.
# Usage:
#   bench/run-acme.sh [--with-lego[=K]] [CLIENTS] [ORDERS]
#     CLIENTS concurrent ACME clients (default 16) place ORDERS orders in all (default 400), first against
#     pebble (PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1), then against an enrolled kith agent with
#     acme_test_auto_valid (KITH_ACME_TEST_AUTO_VALID=1). Both run on free loopback ports; both servers'
#     CPU time and peak memory are read from /proc.
#     --with-lego[=K]: also time `lego run` against pebble for K names one after the other (default 20).
#   POLL_MS (environment, default 50): the driver's sleep between polls of a pending authorization or a
#   processing order.
set -euo pipefail
cd "$(dirname "$0")/.."

lego_names=0
positional=()
while (($#)); do
  case $1 in
    --with-lego) lego_names=20 ;;
    --with-lego=*) lego_names=${1#--with-lego=} ;;
    -h | --help)
      sed -n '2,12p' "$0"
      exit 0
      ;;
    *) positional+=("$1") ;;
  esac
  shift
done
clients=${positional[0]:-16}
orders=${positional[1]:-400}
poll_ms=${POLL_MS:-50}
[[ $clients =~ ^[1-9][0-9]*$ && $orders =~ ^[1-9][0-9]*$ && $lego_names =~ ^[0-9]+$ ]] || {
  echo "run-acme.sh: CLIENTS, ORDERS and --with-lego=K must be whole numbers (CLIENTS and ORDERS at least 1)" >&2
  exit 2
}

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
export KITH_ROOT_PASSPHRASE=bench-passphrase

bench() { dotnet bench/Kith.Bench/bin/Release/net10.0/Kith.Bench.dll "$@"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # URL CA PID LOG: until URL answers 200, or the process has gone, or 60 s have passed
  local start=$SECONDS
  until curl -sf --cacert "$2" "$1" >/dev/null; do
    if ! kill -0 "$3" 2>/dev/null || ((SECONDS - start > 60)); then return 1; fi
    sleep 0.2
  done
}
# load LABEL DIRECTORY CA PID DOMAIN: the driver's table on the terminal, its JSON in $work/result-LABEL.json
load() {
  # Tiered PGO only instruments the driver's own code for a few seconds of run: off, it costs the driver ~10% less CPU.
  DOTNET_TieredPGO=0 bench acme-load --directory "$2" --ca "$3" --clients "$clients" --orders "$orders" --poll-ms "$poll_ms" \
    --server-pid "$4" --domain "$5" --label "$1" --json-file "$work/result-$1.json"
}

echo "== ACME load: $clients clients, $orders orders, poll ${poll_ms} ms; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build -c Release bench/Kith.Bench -v quiet -nologo >/dev/null

# The servers' TLS: one CA, made with openssl, that issues both servers' certificates for 127.0.0.1.
tls="$work/tls"
mkdir -p "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tls/ca.key" -out "$tls/ca.pem" \
  -subj "/CN=acme bench TLS CA" -days 2 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tls/key.pem" -out "$tls/server.csr" \
  -subj "/CN=127.0.0.1" 2>/dev/null
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 -out "$tls/cert.pem" \
  -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n') 2>/dev/null

# ---- pebble
# pebble-challtestsrv is not needed: with PEBBLE_VA_ALWAYS_VALID pebble makes no validation request.
pebble_port=$(free_port)
cat >"$work/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$pebble_port", "managementListenAddress": "127.0.0.1:$(free_port)",
  "certificate": "$tls/cert.pem", "privateKey": "$tls/key.pem", "httpPort": $(free_port), "tlsPort": $(free_port),
  "ocspResponderURL": "", "externalAccountBindingRequired": false}}
JSON
PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1 pebble -config "$work/pebble.json" >"$work/pebble.log" 2>&1 &
pebble_pid=$!
pids+=("$pebble_pid")
pebble_dir="https://127.0.0.1:$pebble_port/dir"
if ! wait_for "$pebble_dir" "$tls/ca.pem" "$pebble_pid"; then
  echo "run-acme.sh: pebble did not start; its log:" >&2
  cat "$work/pebble.log" >&2
  exit 1
fi
echo "-- pebble $(dpkg-query -W -f '${Version}' pebble 2>/dev/null || echo '?') (pid $pebble_pid; nonce rejection and authz reuse at pebble's defaults)"
pebble_ok=1
load pebble "$pebble_dir" "$tls/ca.pem" "$pebble_pid" alpha.home.arpa || pebble_ok=0

if ((lego_names > 0)); then
  echo "-- lego $(dpkg-query -W -f '${Version}' lego 2>/dev/null || echo '?') against pebble: $lego_names names, one \`lego run\` after the other"
  lego_port=$(free_port)
  start=$(date +%s.%N)
  for i in $(seq 1 "$lego_names"); do
    if ! LEGO_CA_CERTIFICATES="$tls/ca.pem" lego --server "$pebble_dir" --path "$work/lego" --email bench@example.org \
      --accept-tos --domains "lego$i.alpha.home.arpa" --key-type ec256 --http --http.port "127.0.0.1:$lego_port" \
      run >"$work/lego.log" 2>&1; then
      echo "run-acme.sh: lego run for lego$i.alpha.home.arpa failed:" >&2
      tail -5 "$work/lego.log" >&2
      break
    fi
  done
  end=$(date +%s.%N)
  made=$(find "$work/lego/certificates" -name '*.crt' ! -name '*.issuer.crt' 2>/dev/null | wc -l)
  printf 'RESULT lego sequential: %s certificates in %.2f s: %.1f certs/s\n' "$made" "$(echo "$end - $start" | bc -l)" \
    "$(echo "$made / ($end - $start)" | bc -l)"
fi
kill -TERM "$pebble_pid"
wait "$pebble_pid" 2>/dev/null || true

# ---- kith agent: one machine enrolled as bench/run-agent.sh does, with the ACME test setting on
# The agent runs as it ships, the native binary (deploy/publish-native.sh; KITH_AGENT_BIN overrides it); the CLI
# steps around it use the JIT build.
./kith --help >/dev/null # builds .build/kith once
k=(dotnet .build/kith/Kith.Cli.dll)
agent_bin=${KITH_AGENT_BIN:-.build/native/kith}
if [[ -z ${KITH_AGENT_BIN:-} ]]; then
  echo "-- building the native agent (deploy/publish-native.sh .build/native)"
  deploy/publish-native.sh .build/native >/dev/null
fi
echo "-- kith agent ($agent_bin)"
dir="$work/kith"
mkdir -p "$dir/files"
printf 'domain: home.arpa\nmachines:\n  alpha: { addresses: [127.0.0.1] }\nservices:\n  web: { machine: alpha, endpoints: [web.alpha.home.arpa] }\n' >"$dir/kith.yaml"
g=(--state "$dir/state" -f "$dir/kith.yaml")
"${k[@]}" "${g[@]}" init >/dev/null
"${k[@]}" "${g[@]}" agent init --machine alpha --dir "$dir/agent" >/dev/null
"${k[@]}" "${g[@]}" machine sign alpha --csr "$dir/agent/host-ca.csr" --out "$dir/host-ca.pem" >/dev/null
"${k[@]}" "${g[@]}" agent install --dir "$dir/agent" --cert "$dir/host-ca.pem" --root "$dir/state/root/root-ca.pem" >/dev/null
"${k[@]}" "${g[@]}" apply >/dev/null
kith_port=$(free_port)
printf 'machine: alpha\ndir: %s\nlisten:\n  - 127.0.0.1:%s\nfiles_root: %s\nacme_test_auto_valid: true\nacme_orders_per_minute: 1000000\n' \
  "$dir/agent" "$kith_port" "$dir/files" >"$dir/agent.yaml"
KITH_ACME_TEST_AUTO_VALID=1 "$agent_bin" agent run --config "$dir/agent.yaml" >"$dir/agent.log" 2>&1 &
kith_pid=$!
pids+=("$kith_pid")
root="$dir/state/root/root-ca.pem"
kith_why=""
if ! wait_for "https://127.0.0.1:$kith_port/healthz" "$root" "$kith_pid"; then
  kith_why="the agent did not start: $(grep -m1 -v '^\s*$' "$dir/agent.log" || echo 'no output')"
else
  "${k[@]}" "${g[@]}" publish --to "https://127.0.0.1:$kith_port" >/dev/null
  code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$root" "https://127.0.0.1:$kith_port/acme/directory" || true)
  if [[ $code != 200 ]]; then
    kith_why="GET /acme/directory answered $code: this build's agent does not serve ACME"
  else
    load kith "https://127.0.0.1:$kith_port/acme/directory" "$root" "$kith_pid" alpha.home.arpa ||
      echo "RESULT kith: the driver reported failures (above); the figures below include them"
  fi
fi
if [[ -n $kith_why ]]; then
  echo "RESULT kith: not measured (is the ACME server in this build?): $kith_why"
fi

# ---- side by side, from the JSON runs
echo "== side by side ($clients clients, $orders orders, poll ${poll_ms} ms)"
python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
runs = {}
for label in ("pebble", "kith"):
    path = os.path.join(work, "result-" + label + ".json")
    if os.path.exists(path) and os.path.getsize(path) > 0:
        runs[label] = json.load(open(path))
def cell(label, get):
    run = runs.get(label)
    if run is None:
        return "not measured"
    try:
        value = get(run)
    except (KeyError, TypeError):
        return "-"
    if value is None:
        return "-"
    return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)
rows = [("orders/s end to end", lambda r: float(r["orders_per_second"])),
        ("certificates", lambda r: r["certificates"]),
        ("requests", lambda r: r["requests"]),
        ("badNonce retries", lambda r: r["bad_nonce_retries"]),
        ("sleeps between polls (authz / order)", lambda r: f'{r["authz_poll_sleeps"]} / {r["order_poll_sleeps"]}'),
        ("failures", lambda r: sum(r["failures"].values())),
        ("duplicate serials", lambda r: r["duplicate_serials"]),
        ("server CPU ms per certificate", lambda r: r["server"]["cpu_ms_per_certificate"]),
        ("server VmHWM MiB", lambda r: r["server"]["vmhwm_mib"]),
        ("driver CPU ms per certificate", lambda r: r["client_cpu_ms_per_certificate"])]
types = ["new_nonce", "new_account", "new_order", "authz", "challenge", "poll", "finalize", "certificate"]
for t in types:
    rows.append((f"{t} p50 / p99 ms", lambda r, t=t: f'{r["latency_ms"][t]["p50"]:.2f} / {r["latency_ms"][t]["p99"]:.2f}' if t in r["latency_ms"] else None))
print(f'{"":40} {"pebble":>24} {"kith":>24}')
for name, get in rows:
    print(f"{name:40} {cell('pebble', get):>24} {cell('kith', get):>24}")
if "pebble" in runs and "kith" in runs and runs["pebble"]["orders_per_second"] > 0:
    print(f'kith / pebble throughput: {runs["kith"]["orders_per_second"] / runs["pebble"]["orders_per_second"]:.2f}x (goal: at least 5x)')
PY
((pebble_ok)) || exit 1
