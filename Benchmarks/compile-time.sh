#!/usr/bin/env bash
# Compile cost of the generated register modules: a cold debug `swift build` of each block's
# module, then of all of them together (the MxGPURegisters product), each from a clean scratch
# folder in which only the runtime (MxMMIO) was built first. Reports wall time and the peak
# memory of the largest compiler process (GNU time's maximum resident set size).
#   usage: Benchmarks/compile-time.sh [MODULE ...]     (from the package root)
# Budget (issue "Register API at real scale"): MxGFX80 <= 20 s and <= 1.5 GB; all four <= 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-bench
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(MxGFX80 MxBIF50 MxGMC81 MxOSS30)

measure() { # label, swift build arguments...
  local label=$1; shift
  rm -rf "$scratch"
  swift build --scratch-path "$scratch" --target MxMMIO >/dev/null 2>&1
  /usr/bin/time -v swift build --scratch-path "$scratch" "$@" >/dev/null 2>"$scratch/time.txt"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$scratch/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.2f", $2 / 1048576}' "$scratch/time.txt")
  printf '%-16s %10s %8s GB\n' "$label" "$wall" "$rss"
}

printf '%-16s %10s %11s\n' "module" "wall" "peak RSS"
for module in "${modules[@]}"; do measure "$module" --target "$module"; done
[ $# -gt 0 ] || measure "all (product)" --product MxGPURegisters
rm -rf "$scratch"
