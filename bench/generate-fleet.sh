#!/usr/bin/env bash
# Writes a kith.yaml for MACHINES machines with ENDPOINTS single-name services each (default 1000 × 10).
# Usage: bench/generate-fleet.sh [MACHINES] [ENDPOINTS] > fleet.yaml
set -euo pipefail
machines=${1:-1000}
endpoints=${2:-10}
awk -v machines="$machines" -v endpoints="$endpoints" 'BEGIN {
  print "domain: fleet.internal"
  print "ca: { key: ecdsa-p256, leaf_validity: 7d, name_constraints: endpoints }"
  print "machines:"
  for (m = 0; m < machines; m++)
    printf "  m%d: { addresses: [10.%d.%d.1] }\n", m, int(m / 250), m % 250
  print "services:"
  for (m = 0; m < machines; m++)
    for (e = 0; e < endpoints; e++)
      printf "  s%d-%d: { machine: m%d, endpoints: [s%d-%d.fleet.internal], files: { dir: /srv/tls/s%d-%d } }\n", m, e, m, m, e, m, e
}'
