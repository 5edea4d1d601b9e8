#!/usr/bin/env bash
# Compute submissions (docs/Work.md), in one run:
# - end to end on whole simulated VFs in virtual time (submit → the CP runs the IB → fence → IV
#   entry → the waiter resumes): real time per submission, with one VF and with four sharing
#   the host, and the fence latency in virtual time;
# - the runtime's own part of a submission (frame, fence, commit) in instructions (callgrind),
#   against vid.h-style C writing the same ring dwords (reference.c, clang -O2): same ring
#   contents, and the ratio;
# - heap allocations of the whole process at two submission counts (malloc-count.c, preloaded):
#   equal counts mean none per submission.
#   usage: Benchmarks/submission/run.sh [N]      (from anywhere; default 100000; needs cc, valgrind)
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-100000}
swift build -c release --product submission 2>&1 | tail -n 1
binary=.build/release/submission
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "end to end:"
"$binary" "$count"
"$binary" "$count" --vfs 4

cc -O2 -o "$work/reference" Benchmarks/submission/reference.c
instructions() { # binary, function, arguments…
  local binary=$1 function=$2
  shift 2
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" --toggle-collect="$function" "$binary" "$@" \
    >"$work/out.txt" 2>"$work/cg.txt"
  awk '/Collected :/ {print $4}' "$work/cg.txt"
}
frames=10000
c_ir=$(instructions "$work/reference" submission_c_frame "$frames")
c_out=$(cat "$work/out.txt")
swift_ir=$(instructions "$binary" submission_swift_frame "$frames" --frame)
swift_out=$(cat "$work/out.txt")
echo "the runtime's part of $frames submissions (HDP flush, IB, HDP invalidate, fence, 233 NOP pads, commit):"
echo "  C (vid.h macros, clang -O2)   $c_ir instructions   $c_out"
echo "  Swift (SubmissionFrame.write) $swift_ir instructions   $swift_out"
awk -v s="$swift_ir" -v c="$c_ir" -v n="$frames" \
  'BEGIN { printf "  per submission: C %.0f, Swift %.0f; Swift / C: %.3f (target <= 1.0)\n", c / n, s / n, s / c }'
[ "$c_out" = "$swift_out" ] || { echo "  MISMATCH: the rings differ"; exit 1; }

cc -O2 -shared -fPIC -o "$work/malloc-count.so" Benchmarks/kiq-access/malloc-count.c
allocations() { # arguments…
  LD_PRELOAD="$work/malloc-count.so" "$binary" "$@" 2>&1 >/dev/null | awk '/heap allocations/ {print $3}'
}
small=$(allocations 2000)
large=$(allocations 20000)
echo "heap allocations of the whole process, end to end: $small at 2,000 submissions, $large at 20,000"
awk -v a="$small" -v b="$large" 'BEGIN {printf "  per submission: %.3f (difference / 18,000)\n", (b - a) / 18000}'
small=$(allocations 2000 --frame)
large=$(allocations 20000 --frame)
echo "heap allocations, the runtime's part alone: $small at 2,000 submissions, $large at 20,000"
