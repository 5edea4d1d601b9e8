#!/usr/bin/env bash
# A VF's full bring-up on the simulator: real time per bring-up (virtual and real-time host),
# virtual time in exclusive mode, four VFs together, and heap allocations per bring-up (counted
# by the preloaded counter of Benchmarks/kiq-access, at two counts: the difference over the
# difference in bring-ups).
#   usage: Benchmarks/vf-bring-up/run.sh [N]      (from anywhere; default 200; needs cc)
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-200}
swift build -c release --product vf-bring-up 2>&1 | tail -n 1
.build/release/vf-bring-up "$count"
.build/release/vf-bring-up 20 --real-time
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -shared -fPIC -o "$work/malloc-count.so" Benchmarks/kiq-access/malloc-count.c
allocations() {
  LD_PRELOAD="$work/malloc-count.so" .build/release/vf-bring-up "$1" 2>&1 >/dev/null | awk '/heap allocations/ {print $3}'
}
small=$(allocations 10)
large=$(allocations 110)
echo "heap allocations, whole process: $small at 10 bring-ups, $large at 110"
awk -v a="$small" -v b="$large" 'BEGIN {printf "per bring-up and teardown: %.0f (difference / 100)\n", (b - a) / 100}'
