#!/usr/bin/env bash
# PM4 encoding cost: the KIQ bring-up stream (SET_RESOURCES, 8 MAP_QUEUES) plus N KIQ register
# accesses (COPY_DATA reads and WRITE_DATA writes, alternating) into a 1 MiB ring, built with the
# generated Swift builders (Benchmarks/PM4Encode) and with vid.h-style C (reference.c, clang -O2).
# Reports instructions inside the encode function (callgrind, so it is exact and repeatable),
# their ratio (target <= 1.1), that both rings hold the same bytes, and heap allocations.
#   usage: Benchmarks/pm4-encode/run.sh [N]      (from the package root; default 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
packets=${1:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

swift build -c release --product pm4-encode >/dev/null
clang -O2 -o "$work/reference" Benchmarks/pm4-encode/reference.c
swift_bin=.build/release/pm4-encode

instructions() { # binary, function pattern
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" --toggle-collect="$2" "$1" "$packets" >"$work/out.txt" 2>"$work/cg.txt"
  awk '/Collected :/ {print $4}' "$work/cg.txt"
}
c_ir=$(instructions "$work/reference" encode_stream)
c_out=$(cat "$work/out.txt")
swift_ir=$(instructions "$swift_bin" pm4_swift_encode_stream)
swift_out=$(cat "$work/out.txt")

allocations() { # binary, packets
  valgrind --tool=memcheck "$1" "$2" 2>&1 >/dev/null | awk '/total heap usage/ {print $5}' | tr -d ','
}
allocs_small=$(allocations "$swift_bin" 1000)
allocs_large=$(allocations "$swift_bin" "$packets")

echo "stream: bring-up + $packets KIQ register accesses"
echo "  C (vid.h macros, clang -O2)  $c_ir instructions   $c_out"
echo "  Swift (generated builders)   $swift_ir instructions   $swift_out"
awk -v s="$swift_ir" -v c="$c_ir" 'BEGIN { printf "  Swift / C: %.3f (target <= 1.1)\n", s / c }'
echo "  heap allocations of the whole Swift process: $allocs_small at 1000 packets, $allocs_large at $packets"
[ "$c_out" = "$swift_out" ] || { echo "  MISMATCH: the rings differ"; exit 1; }
[ "$allocs_small" = "$allocs_large" ] || { echo "  the encode path allocates"; exit 1; }
echo "  same ring contents; the encode path allocates nothing"
