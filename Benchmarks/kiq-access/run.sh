#!/usr/bin/env bash
# KIQ register access: time per access end to end on the simulated CP and on a stand-in CP, and
# heap allocations on the runtime's access path (counted by malloc-count.c, preloaded, with the
# stand-in CP at two sizes: equal counts mean no allocation per access).
#   usage: Benchmarks/kiq-access/run.sh [N]      (from anywhere; default 100000; needs cc)
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-100000}
swift build -c release --product kiq-access 2>&1 | tail -n 1
.build/release/kiq-access "$count"
.build/release/kiq-access "$count" --echo
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -shared -fPIC -o "$work/malloc-count.so" Benchmarks/kiq-access/malloc-count.c
allocations() {
  LD_PRELOAD="$work/malloc-count.so" .build/release/kiq-access "$1" --echo 2>&1 >/dev/null | awk '/heap allocations/ {print $3}'
}
small=$(allocations 1000)
large=$(allocations 10000)
echo "heap allocations, whole process: $small at 2,000 accesses, $large at 20,000 accesses"
awk -v a="$small" -v b="$large" 'BEGIN {printf "per access: %.3f (difference / 18,000)\n", (b - a) / 18000}' 
