#!/usr/bin/env bash
# Figures for the fleet DNS server (issue 6): the same zone served on loopback by knotd and by the kith agent
# (role dns), dnsperf with the same query file against each, q/s and CPU time per query (utime+stime of the
# server process from /proc/PID/stat before and after); then the agent's CPU use while idle.
# Usage: bench/run-dns.sh [NAMES] [SECONDS] [IDLE]
#   NAMES    machines-like A records and as many CNAMEs to them in the zone (default 1000)
#   SECONDS  dnsperf run length per server (default 10)
#   IDLE     seconds the idle agent is watched (default 30)
# Needs dnsperf and knotd (Debian: apt-get install dnsperf knot). KITH_NATIVE=/path/to/kith runs a NativeAOT kith
# instead of the JIT one.
set -euo pipefail
cd "$(dirname "$0")/.."
names=${1:-1000}
seconds=${2:-10}
idle=${3:-30}
for tool in dnsperf knotd; do
  command -v "$tool" >/dev/null || { echo "run-dns.sh: $tool is not installed (Debian: apt-get install dnsperf knot)" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
export KITH_ROOT_PASSPHRASE=bench-passphrase
if [[ -n ${KITH_NATIVE:-} ]]; then
  kith=("$KITH_NATIVE")
else
  ./kith --help >/dev/null # builds .build/kith once
  kith=(dotnet .build/kith/Kith.Cli.dll)
fi
tick=$(getconf CLK_TCK)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime of the whole process
echo "  machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# The fleet: alpha (role dns) plus NAMES extra A records hNNNN and CNAMEs eNNNN -> hNNNN (no services, so the
# agent issues nothing and the measurement is DNS only).
k=("${kith[@]}" --state "$work/state" -f "$work/kith.yaml")
{
  echo "domain: home.arpa"
  echo "machines:"
  echo "  alpha: { addresses: [127.0.0.1], roles: [dns] }"
  echo "dns:"
  echo "  records:"
  for i in $(seq 1 "$names"); do
    printf '    - { name: h%d.home.arpa, type: A, value: 10.%d.%d.%d }\n' "$i" $((i / 65536)) $((i / 256 % 256)) $((i % 256))
    printf '    - { name: e%d.home.arpa, type: CNAME, value: h%d.home.arpa }\n' "$i" "$i"
  done
} >"$work/kith.yaml"
"${k[@]}" init >/dev/null
"${k[@]}" agent init --machine alpha --dir "$work/agent" >/dev/null
"${k[@]}" machine sign alpha --csr "$work/agent/host-ca.csr" --out "$work/host-ca.pem" >/dev/null
"${k[@]}" agent install --dir "$work/agent" --cert "$work/host-ca.pem" --root "$work/state/root/root-ca.pem" >/dev/null
"${k[@]}" apply >/dev/null
"${k[@]}" dns zone --format bind -o "$work/home.arpa.zone" 2>/dev/null

# The query file: a third A of an address name, a third A of a CNAME (a chain of two), a third NXDOMAIN.
awk -v n="$names" 'BEGIN { srand(6); for (q = 0; q < 30000; q++) { i = int(rand() * n) + 1; k = q % 3
  if (k == 0) printf "h%d.home.arpa A\n", i; else if (k == 1) printf "e%d.home.arpa A\n", i; else printf "nx%d.home.arpa A\n", i } }' >"$work/queries"

# measure LABEL PID PORT: dnsperf against the server, its CPU per query
measure() {
  local label=$1 pid=$2 port=$3
  local before after
  before=$(cpu_ticks "$pid")
  dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries" -l "$seconds" -c 4 -q 200 >"$work/perf-$label" 2>&1
  after=$(cpu_ticks "$pid")
  local qps completed lost
  qps=$(awk '/Queries per second:/ { print $4 }' "$work/perf-$label")
  completed=$(awk '/Queries completed:/ { print $3 }' "$work/perf-$label")
  lost=$(awk '/Queries lost:/ { print $3 }' "$work/perf-$label")
  local us
  us=$(echo "($after - $before) * 1000000 / $tick / $completed" | bc -l)
  printf 'RESULT %s: %.0f q/s, %.1f us CPU/query (%s completed, %s lost, %s s)\n' "$label" "$qps" "$us" "$completed" "$lost" "$seconds"
  echo "$qps $us" >"$work/result-$label"
}

# knotd on the same zone
knot_port=$(free_port)
mkdir -p "$work/knot"
cat >"$work/knot/knot.conf" <<CONF
server:
    rundir: "$work/knot"
    listen: 127.0.0.1@$knot_port
database:
    storage: "$work/knot"
log:
  - target: stderr
    any: warning
zone:
  - domain: home.arpa
    file: "$work/home.arpa.zone"
    storage: "$work/knot"
CONF
knotd -c "$work/knot/knot.conf" >"$work/knot.log" 2>&1 &
knot_pid=$!
pids+=("$knot_pid")
until dig +short +time=1 +tries=1 @127.0.0.1 -p "$knot_port" h1.home.arpa A | grep -q .; do
  kill -0 "$knot_pid" 2>/dev/null || { cat "$work/knot.log" >&2; exit 1; }
  sleep 0.2
done
echo "== $(knotd -V 2>&1 | head -1) vs kith: $names A + $names CNAME names, dnsperf -c 4 -q 200 for $seconds s each (A / CNAME chain / NXDOMAIN in thirds)"
measure knotd "$knot_pid" "$knot_port"
kill -TERM "$knot_pid"
wait "$knot_pid" 2>/dev/null || true

# the kith agent
agent_port=$(free_port)
dns_port=$(free_port)
printf 'machine: alpha\ndir: %s\nlisten:\n  - 127.0.0.1:%s\nrevocation_listen: []\ndns_listen: [127.0.0.1:%s]\npeer_sync: false\n' \
  "$work/agent" "$agent_port" "$dns_port" >"$work/agent.yaml"
"${kith[@]}" agent run --config "$work/agent.yaml" >"$work/agent.log" 2>&1 &
agent_pid=$!
pids+=("$agent_pid")
start=$SECONDS
until curl -sf --cacert "$work/state/root/root-ca.pem" "https://127.0.0.1:$agent_port/healthz" >/dev/null; do
  ((SECONDS - start < 60)) || { cat "$work/agent.log" >&2; exit 1; }
  sleep 0.2
done
"${k[@]}" publish --to "https://127.0.0.1:$agent_port" >/dev/null
until dig +short +time=1 +tries=1 @127.0.0.1 -p "$dns_port" h1.home.arpa A | grep -q .; do
  ((SECONDS - start < 60)) || { cat "$work/agent.log" >&2; exit 1; }
  sleep 0.2
done
grep -o 'dns: zones loaded: .*' "$work/agent.log" | head -1 | sed 's/^/  /'
measure "kith agent" "$agent_pid" "$dns_port"
read -r knot_qps knot_us <"$work/result-knotd"
read -r kith_qps kith_us <"$work/result-kith agent"
printf 'RESULT kith/knot: %.2fx the rate, %.2fx the CPU per query (goal: >= 0.7x, <= 2x)\n' \
  "$(echo "$kith_qps / $knot_qps" | bc -l)" "$(echo "$kith_us / $knot_us" | bc -l)"

sleep 2 # let the last replies and GC settle
before=$(cpu_ticks "$agent_pid")
sleep "$idle"
after=$(cpu_ticks "$agent_pid")
printf 'RESULT idle kith agent serving DNS: %.2f %% of one core over %s s (%s ticks)\n' \
  "$(echo "($after - $before) * 100 / $tick / $idle" | bc -l)" "$idle" "$((after - before))"
