#!/usr/bin/env bash
# Foundation benchmarks: import rate and peak memory at 100k and 1M customers, field
# seal/open rates beside `openssl speed`. Release build; figures go to stdout.
#   Benchmarks/run.sh            # 100k and 1M
#   Benchmarks/run.sh 20000      # a quick run with one size
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product consentry-bench >&2
bench=.build/release/consentry-bench
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(openssl version)"
echo "== field crypto (one core)"
"$bench" crypto 3
echo "-- openssl speed -evp aes-256-gcm (same core, for comparison; bytes/s per block size)"
openssl speed -seconds 2 -bytes 64 -evp aes-256-gcm 2>/dev/null | tail -1
openssl speed -seconds 2 -bytes 64 -hmac sha256 2>/dev/null | tail -1 || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
for n in "${sizes[@]}"; do
  echo "== import of $n customers"
  "$bench" import "$n"
done
