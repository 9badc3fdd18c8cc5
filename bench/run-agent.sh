#!/usr/bin/env bash
# Figures for the kith agent (issue 3): renewal of many endpoints, idle memory, a fleet of agents.
# Usage:
#   bench/run-agent.sh renew [COUNT] [SAMPLE]   EndpointReconciler renewing COUNT endpoints (default 1000), beside
#                                               a hand-run openssl loop timed on SAMPLE endpoints (default 100)
#   bench/run-agent.sh idle [ENDPOINTS] [IDLE]  `kith agent run` (native and JIT) with ENDPOINTS endpoints (default
#                                               20): RSS after the first pass and after IDLE seconds (default 30).
#                                               KITH_NATIVE=/path/to/kith skips the NativeAOT publish.
#   bench/run-agent.sh fleet [AGENTS]           AGENTS agents (default 100) in one process: enrollment, then push to
#                                               all; again with peer pull (publish to one) at peer_interval 1 s and 5 s
#   bench/run-agent.sh all                      all three (the default)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
export KITH_ROOT_PASSPHRASE=bench-passphrase

bench() { dotnet bench/Kith.Bench/bin/Release/net10.0/Kith.Bench.dll "$@"; }
build_bench() { dotnet build -c Release bench/Kith.Bench -v quiet -nologo >/dev/null; }
status() { # PID FIELD: a field of /proc/PID/status in MiB
  awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}
machine_notes() {
  echo "  machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), io pressure (some avg10) $(awk '/^some/ { split($2, a, "="); print a[2] }' /proc/pressure/io 2>/dev/null || echo ?)%"
}

renew() {
  local count=${1:-1000} sample=${2:-100}
  build_bench
  echo "== renewal of $count endpoints on one machine (EndpointReconciler, files under a temp folder)"
  machine_notes
  bench renew-endpoints --count "$count"
  echo "-- the same with one parent folder per endpoint (/srv/sNNNN/tls instead of /srv/tls/sNNNN)"
  bench renew-endpoints --count "$count" --separate-parents

  echo "== the status quo: a hand-run openssl loop renewing $sample endpoints (new key, CSR, sign, write cert/key/chain)"
  local ossl="$work/openssl"
  mkdir -p "$ossl"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$ossl/ca.key" -out "$ossl/ca.pem" \
    -subj "/CN=hand host CA" -days 365 2>/dev/null
  cat >"$ossl/renew.sh" <<SCRIPT
set -e
for i in \$(seq -w 1 $sample); do
  d="$ossl/srv/tls/s\$i"
  mkdir -p "\$d"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "\$d/key.pem.new" 2>/dev/null
  chmod 600 "\$d/key.pem.new"
  openssl req -new -key "\$d/key.pem.new" -subj "/CN=s\$i.storage.home.arpa" -out "\$d/req.csr" 2>/dev/null
  openssl x509 -req -in "\$d/req.csr" -CA "$ossl/ca.pem" -CAkey "$ossl/ca.key" -CAcreateserial -days 7 -out "\$d/cert.pem.new" \
    -extfile <(printf 'subjectAltName=DNS:s%s.storage.home.arpa\nextendedKeyUsage=serverAuth\n' "\$i") 2>/dev/null
  cp "$ossl/ca.pem" "\$d/chain.pem.new"
  mv "\$d/key.pem.new" "\$d/key.pem"; mv "\$d/cert.pem.new" "\$d/cert.pem"; mv "\$d/chain.pem.new" "\$d/chain.pem"
done
SCRIPT
  /usr/bin/time -f "%e %M" -o "$work/time" bash "$ossl/renew.sh"
  local wall rss
  read -r wall rss <"$work/time"
  printf 'RESULT openssl loop: %s endpoints in %s s (%.0f ms/endpoint, peak RSS %.1f MiB); %s endpoints would take ~%.0f s (extrapolated)\n' \
    "$sample" "$wall" "$(echo "$wall * 1000 / $sample" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$count" "$(echo "$wall * $count / $sample" | bc -l)"
}

# enroll LABEL KITH... : one machine "alpha" with N endpoints, enrolled with the given kith command, in $work/LABEL
enroll() {
  local dir=$1 endpoints=$2
  shift 2
  mkdir -p "$dir"
  {
    echo "domain: home.arpa"
    echo "machines:"
    echo "  alpha: { addresses: [127.0.0.1] }"
    echo "services:"
    for i in $(seq -w 1 "$endpoints"); do
      echo "  web$i: { machine: alpha, endpoints: [web$i.home.arpa], files: { dir: /srv/tls/web$i } }"
    done
  } >"$dir/kith.yaml"
  local k=("$@" --state "$dir/state" -f "$dir/kith.yaml")
  "${k[@]}" init >/dev/null
  "${k[@]}" agent init --machine alpha --dir "$dir/agent" >/dev/null
  "${k[@]}" machine sign alpha --csr "$dir/agent/host-ca.csr" --out "$dir/host-ca.pem" >/dev/null
  "${k[@]}" agent install --dir "$dir/agent" --cert "$dir/host-ca.pem" --root "$dir/state/root/root-ca.pem" >/dev/null
  "${k[@]}" apply >/dev/null
}

# idle_run LABEL ENDPOINTS IDLE KITH... : start the agent, publish, wait for the first pass, idle, read its memory
idle_run() {
  local label=$1 endpoints=$2 idle=$3
  shift 3
  local dir="$work/idle-$label"
  enroll "$dir" "$endpoints" "$@"
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$dir/files"
  printf 'machine: alpha\ndir: %s\nlisten:\n  - 127.0.0.1:%s\nfiles_root: %s\nreconcile_interval_seconds: 300\n' \
    "$dir/agent" "$port" "$dir/files" >"$dir/agent.yaml"
  "$@" agent run --config "$dir/agent.yaml" >"$dir/agent.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local url="https://127.0.0.1:$port" ca=(--cacert "$dir/state/root/root-ca.pem")
  local start=$SECONDS
  until curl -sf "${ca[@]}" "$url/healthz" >/dev/null; do
    ((SECONDS - start < 60)) || { cat "$dir/agent.log" >&2; return 1; }
    sleep 0.2
  done
  echo "  started: VmRSS $(status "$pid" VmRSS) MiB"
  "$@" --state "$dir/state" -f "$dir/kith.yaml" publish --to "$url" >/dev/null
  until curl -sf "${ca[@]}" "$url/metrics" | grep -q "^kith_issued_total $endpoints\$" &&
    curl -sf "${ca[@]}" "$url/metrics" | grep -q '^kith_last_reconcile_timestamp_seconds '; do
    ((SECONDS - start < 120)) || { cat "$dir/agent.log" >&2; return 1; }
    sleep 0.2
  done
  echo "  first pass done ($endpoints issued): VmRSS $(status "$pid" VmRSS) MiB, VmHWM $(status "$pid" VmHWM) MiB"
  sleep "$idle"
  curl -sf "${ca[@]}" "$url/healthz" >/dev/null
  echo "RESULT idle $label agent ($endpoints endpoints, ${idle} s idle): VmRSS $(status "$pid" VmRSS) MiB (RssAnon $(status "$pid" RssAnon), RssFile $(status "$pid" RssFile)), VmHWM $(status "$pid" VmHWM) MiB, threads $(awk '$1 == "Threads:" { print $2 }' "/proc/$pid/status")"
  echo "  largest mappings by RSS (MiB):"
  awk '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" ? "[anonymous]" : $6) } $1 == "Rss:" { rss[name] += $2 }
    END { for (n in rss) printf "%8.1f  %s\n", rss[n] / 1024, n }' "/proc/$pid/smaps" | sort -rn | head -6 | sed "s|$work|<tmp>|"
  kill -TERM "$pid"
  wait "$pid" || true
}

idle() {
  local endpoints=${1:-20} seconds=${2:-30}
  echo "== idle agent: one machine, $endpoints endpoints"
  machine_notes
  local native=${KITH_NATIVE:-}
  if [[ -z $native ]]; then
    /usr/bin/time -f "%e" -o "$work/time" deploy/publish-native.sh "$work/native" >/dev/null
    native="$work/native/kith"
    echo "  (native publish took $(cat "$work/time") s)"
  fi
  echo "-- native (NativeAOT): $(du -h "$native" | cut -f1) executable"
  idle_run native "$endpoints" "$seconds" "$native"
  ./kith --help >/dev/null # builds .build/kith once
  echo "-- JIT (dotnet Kith.Cli.dll)"
  idle_run jit "$endpoints" "$seconds" dotnet .build/kith/Kith.Cli.dll
}

fleet() {
  local agents=${1:-100}
  build_bench
  echo "== $agents agents in one process, push (publish to all, peer sync off)"
  machine_notes
  bench fleet-convergence --agents "$agents"
  for interval in 1 5; do
    echo "== $agents agents in one process, peer pull (publish to one, peer_interval ${interval} s)"
    machine_notes
    bench fleet-convergence --agents "$agents" --pull --peer-interval "$interval"
  done
}

case $what in
  renew) renew "${@:2}" ;;
  idle) idle "${@:2}" ;;
  fleet) fleet "${@:2}" ;;
  all)
    renew
    idle
    fleet
    ;;
  *)
    sed -n '2,9p' "$0" >&2
    exit 2
    ;;
esac
