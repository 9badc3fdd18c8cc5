#!/usr/bin/env bash
# Measures `kith apply` on a generated fleet (MACHINES × ENDPOINTS, default 1000 × 10) and `kith list`
# over an issuance log of LIST_ROWS certificates (default 100,000), beside the status quo they replace:
# a hand-run openssl script (genpkey + req + x509 per certificate), timed on OPENSSL_SAMPLE certificates.
# Usage: bench/run-fleet.sh [MACHINES] [ENDPOINTS] [LIST_ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
machines=${1:-1000}
endpoints=${2:-10}
rows=${3:-100000}
sample=${OPENSSL_SAMPLE:-200}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KITH_ROOT_PASSPHRASE=bench-passphrase

./kith --help >/dev/null # build once, outside the measurements
dotnet build -c Release bench/Kith.Bench -v quiet -nologo >/dev/null

settle() { # file creation here costs ~150-250 µs an inode and suffers from earlier writeback and discards:
  # wait (at most 2 minutes) until the disk has been idle for 10 s
  sync
  for _ in $(seq 60); do
    pressure=$(awk '/^some/ { split($2, a, "="); print int(a[2]) }' /proc/pressure/io 2>/dev/null || echo 0)
    ((pressure < 3)) && break
    sleep 2
  done
  echo "  (disk idle: io pressure ${pressure:-?}% over 10 s)"
}

measure() { # label, command...: wall seconds and peak RSS of one run
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r wall rss <"$work/time"
  printf '%-44s %8.2f s  %8.1f MiB\n' "$label" "$wall" "$(echo "$rss / 1024" | bc -l)"
}

echo "== kith apply: $machines machines × $endpoints endpoints"
bench/generate-fleet.sh "$machines" "$endpoints" >"$work/fleet.yaml"
./kith --state "$work/state" -f "$work/fleet.yaml" init >/dev/null
measure "kith plan (everything to create)" ./kith --state "$work/state" -f "$work/fleet.yaml" plan
settle
measure "kith apply ($((machines * endpoints)) certificates)" ./kith --state "$work/state" -f "$work/fleet.yaml" apply
tail -1 "$work/out"
echo "files written: $(find "$work/state/out" -type f | wc -l)"
measure "kith apply again (nothing to do)" ./kith --state "$work/state" -f "$work/fleet.yaml" apply

echo "== the status quo: a hand-run openssl script, $sample leaves from one intermediate"
ossl="$work/openssl"
mkdir -p "$ossl"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$ossl/ca.key" -out "$ossl/ca.pem" -subj "/CN=hand CA" -days 365 2>/dev/null
cat >"$ossl/leaves.sh" <<SCRIPT
for i in \$(seq 1 $sample); do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$ossl/\$i.key" 2>/dev/null
  openssl req -new -key "$ossl/\$i.key" -subj "/CN=s\$i.fleet.internal" -out "$ossl/\$i.csr" 2>/dev/null
  openssl x509 -req -in "$ossl/\$i.csr" -CA "$ossl/ca.pem" -CAkey "$ossl/ca.key" -CAcreateserial -days 7 -out "$ossl/\$i.pem" -extfile <(printf 'subjectAltName=DNS:s%s.fleet.internal\n' \$i) 2>/dev/null
done
SCRIPT
measure "openssl script ($sample certificates)" bash "$ossl/leaves.sh"
read -r wall _ <"$work/time"
echo "  openssl script rate: $(echo "$sample / $wall" | bc -l | xargs printf '%.0f') certificates/s; $((machines * endpoints)) would take $(echo "$machines * $endpoints * $wall / $sample" | bc -l | xargs printf '%.0f') s"

echo "== kith list over $rows certificates"
./kith --state "$work/list" -f "$work/fleet.yaml" init >/dev/null
dotnet run -c Release --no-build --project bench/Kith.Bench -- seed-store "$work/list/kith.db" "$rows" $((machines * endpoints))
for run in 1 2 3; do
  measure "kith list (run $run)" ./kith --state "$work/list" list
done
echo "  rows shown: $(($(wc -l <"$work/out") - 2))"
measure "kith list --all" ./kith --state "$work/list" list --all
measure "kith list --json" ./kith --state "$work/list" list --json
measure "kith list --expiring 1d" ./kith --state "$work/list" list --expiring 1d

echo "== the same with the native (NativeAOT) executable"
native=$(deploy/publish-native.sh "$work/native")
for run in 1 2 3; do
  measure "native kith list (run $run)" "$native" --state "$work/list" list
done
measure "native kith list --all" "$native" --state "$work/list" list --all
"$native" --state "$work/native-state" -f "$work/fleet.yaml" init >/dev/null
settle
measure "native kith apply ($((machines * endpoints)) certificates)" "$native" --state "$work/native-state" -f "$work/fleet.yaml" apply
