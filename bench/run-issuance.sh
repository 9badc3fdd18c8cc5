#!/usr/bin/env bash
# Leaf issuance, measured side by side in one run: openssl's raw ECDSA P-256 sign rate (one core), the
# BenchmarkDotNet benchmarks (kith vs the bare CertificateRequest loop), and the multi-thread driver.
# Usage: bench/run-issuance.sh [seconds per throughput run, default 5] [rounds, default 3]
# Each throughput figure is the best of its rounds (1 and 2 threads alternate), because other work on the
# machine takes whole cores away at times; `openssl speed -multi 2` shows how much of a second core there was.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
rounds="${2:-3}"
project=bench/Kith.Bench
log="$(mktemp -d)"
trap 'rm -rf "$log"' EXIT

openssl_sign_rate() {
  # The row reads: " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  54500.0  18000.0" (sign/s, verify/s).
  openssl speed -seconds "$seconds" "$@" ecdsap256 2>/dev/null | awk '/ecdsa \(nistp256\)/ { print $(NF-1) }'
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $(openssl version)"

echo "== openssl speed -seconds $seconds ecdsap256 (one core)"
openssl_before=$(openssl_sign_rate)
echo "sign/s: $openssl_before"

echo "== build (Release)"
dotnet build "$project" -c Release --nologo -v quiet >/dev/null

echo "== BenchmarkDotNet (short job: 1 launch, 3 warmup, 7 iterations)"
dotnet run -c Release --no-build --project "$project" -- --filter '*LeafIssuanceBenchmarks*' \
  --launchCount 1 --warmupCount 3 --iterationCount 7 | tee "$log/bdn.txt" | grep -E '^\||^RESULT'

echo "== throughput driver, ${seconds}s each, $rounds rounds"
for mode in "" "--new-key"; do
  for _ in $(seq "$rounds"); do
    for threads in 1 2; do
      dotnet run -c Release --no-build --project "$project" -- throughput --threads "$threads" --seconds "$seconds" $mode | tee -a "$log/throughput.txt"
    done
  done
done

echo "== openssl speed -multi 2 (two processes: how much of a second core the machine has now)"
openssl_multi=$(openssl_sign_rate -multi 2)
echo "sign/s: $openssl_multi"

echo "== openssl speed again (load drifts while the rest runs)"
openssl_after=$(openssl_sign_rate)
echo "sign/s: $openssl_after"

# bdn NAME 3 = ops/s from the mean, bdn NAME 4 = from the fastest iteration.
bdn() { awk -v name="$1" -v f="$2" '$1 == "RESULT" && $2 == name { sub(".*=", "", $f); print $f }' "$log/bdn.txt"; }
driver() { awk -v t="$1" -v k="$2" '$2 == "threads=" t && $3 == "new-key=" k { sub("certs/s=", "", $6); if ($6 + 0 > best) best = $6 + 0 } END { print best }' "$log/throughput.txt"; }

awk -v o1="$openssl_before" -v o2="$openssl_after" -v om="$openssl_multi" \
    -v raw="$(bdn Raw_EcdsaSignHash 4)" -v ks="$(bdn Kith_SignOnly 4)" -v bs="$(bdn Bare_CertificateRequest_SignOnly 4)" \
    -v kn="$(bdn Kith_NewKey 4)" -v bn="$(bdn Bare_NewKey 4)" \
    -v rawm="$(bdn Raw_EcdsaSignHash 3)" -v ksm="$(bdn Kith_SignOnly 3)" -v bsm="$(bdn Bare_CertificateRequest_SignOnly 3)" \
    -v knm="$(bdn Kith_NewKey 3)" -v bnm="$(bdn Bare_NewKey 3)" \
    -v s1="$(driver 1 no)" -v s2="$(driver 2 no)" -v n1="$(driver 1 yes)" -v n2="$(driver 2 yes)" '
function verdict(ok) { return ok ? "MET" : "NOT MET" }
BEGIN {
  o = (o1 + o2) / 2
  printf "\n== summary (per second; openssl = mean of its two runs; BDN = fastest iteration, mean in brackets)\n"
  printf "openssl speed ecdsap256 sign/s        %9.0f  (%.0f before, %.0f after)\n", o, o1, o2
  printf ".NET ECDsa.TrySignHash alone          %9.0f  (%.0f)  %.0f%% of openssl\n", raw, rawm, 100 * raw / o
  printf "kith sign-only (BDN)                  %9.0f  (%.0f)\n", ks, ksm
  printf "bare CertificateRequest sign-only     %9.0f  (%.0f)\n", bs, bsm
  printf "kith new key (BDN)                    %9.0f  (%.0f)\n", kn, knm
  printf "bare new key (BDN)                    %9.0f  (%.0f)\n", bn, bnm
  printf "openssl speed -multi 2 sign/s         %9.0f  (%.2fx one process)\n", om, om / o
  printf "driver sign-only, 1 / 2 threads       %9.0f / %.0f  (best of rounds)\n", s1, s2
  printf "driver new key,   1 / 2 threads       %9.0f / %.0f  (best of rounds)\n", n1, n2
  printf "\n== goals\n"
  printf "sign-only >= 60%% of openssl           %5.0f%%   %s\n", 100 * ks / o, verdict(ks >= 0.6 * o)
  printf "sign-only >= 6x bare                  %5.1fx   %s\n", ks / bs, verdict(ks >= 6 * bs)
  printf "new key >= 2.5x bare                  %5.1fx   %s\n", kn / bn, verdict(kn >= 2.5 * bn)
  printf "2 threads >= 1.5x 1 thread (sign)     %5.2fx   %s\n", s2 / s1, verdict(s2 >= 1.5 * s1)
  printf "2 threads >= 1.5x 1 thread (new key)  %5.2fx   %s\n", n2 / n1, verdict(n2 >= 1.5 * n1)
}'
