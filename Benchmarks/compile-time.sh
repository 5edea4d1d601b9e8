#!/usr/bin/env bash
# Compile cost of the generated register modules: a cold debug `swift build` of each block's
# module, then of all of them together (a consumer of the MxGPURegisters product), each from a
# clean scratch folder in which only the runtime (MxMMIO) was built first. Reports wall time, the processor
# time of every process (user + system: the work, whatever the parallelism) and the peak memory
# of the largest compiler process (GNU time's maximum resident set size).
#   usage: Benchmarks/compile-time.sh [MODULE ...]     (from the package root)
# Budget (issue "Register API at real scale"): MxGFX80 <= 20 s and <= 1.5 GB; all four <= 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-bench
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(MxRuntimeRegisters MxSharedEnums MxGFX80 MxBIF50 MxGMC81 MxOSS30)

measure() { # label, swift build arguments...
  local label=$1; shift
  rm -rf "$scratch"
  swift build --scratch-path "$scratch" "${package[@]}" --target MxMMIO >/dev/null 2>&1
  /usr/bin/time -v swift build --scratch-path "$scratch" "${package[@]}" "$@" >/dev/null 2>"$scratch/time.txt"
  local wall cpu rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$scratch/time.txt")
  cpu=$(awk -F': ' '/(User|System) time/ {total += $2} END {printf "%.1f", total}' "$scratch/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.2f", $2 / 1048576}' "$scratch/time.txt")
  printf '%-16s %10s %9s %8s GB\n' "$label" "$wall" "$cpu" "$rss"
}

printf '%-16s %10s %9s %11s\n' "module" "wall" "cpu (s)" "peak RSS"
package=()
for module in "${modules[@]}"; do measure "$module" --target "$module"; done
if [ $# -eq 0 ]; then
  # All blocks together as a consumer gets them: a package whose one target depends on the
  # MxGPURegisters product. (`swift build --product MxGPURegisters` here would build every target
  # of MxGPUKit and its plugins' tools: an automatic library product is no build unit of its own.)
  consumer="$(mktemp -d)"
  root="$PWD"
  # shellcheck source=consumer-package.sh
  source Benchmarks/consumer-package.sh
  consumer_package "$consumer" "$(products MxGPURegisters)" "import MxGFX80"
  package=(--package-path "$consumer")
  measure "all (product)"
  rm -rf "$consumer"
fi
rm -rf "$scratch"
