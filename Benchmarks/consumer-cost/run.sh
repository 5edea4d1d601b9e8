#!/usr/bin/env bash
# What a consumer pays, cold: three empty consumer packages depend on MxGPUKit by path, each
# built from nothing (its own .build, debug, as `swift build` builds a dependency), side by side
# in one run:
#   (a) MxMMIO with a build-plugin subset of about 50 registers (CP_HQD_*);
#   (b) MxVirtualFunction, the runtime;
#   (c) every library product.
# Prints wall time, and how many Swift modules were compiled, for each. Usage: run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=../consumer-package.sh
source "$root/Benchmarks/consumer-package.sh"
names=$(sed -n 's/^ *\.library(name: "\([A-Za-z0-9]*\)".*/\1/p' "$root/Package.swift")
names+=" $(sed -n '/^let generatedBlocks = \[/,/\]/p' "$root/Package.swift" | grep -o '"Mx[A-Za-z0-9]*"' | tr -d '"')"
names+=" MxGPURegisters"
consumer() { consumer_package "$work/$1" "${@:2}"; }

consumer subset "$(products MxMMIO)" "import MxMMIO" "$plugin"
echo "registers CP_HQD_*" > "$work/subset/Sources/Consumer/mxgpukit.subset"
consumer runtime "$(products MxVirtualFunction)" "import MxVirtualFunction"
all_imports=""
for p in $names; do [ "$p" = MxGPURegisters ] || all_imports+="import $p "; done  # a product of modules
# shellcheck disable=SC2086
consumer everything "$(products $names)" "$all_imports"

cold() {  # cold NAME: seconds of a build from nothing, and the modules it compiled
  local start end
  start=$(date +%s.%N)
  if ! swift build --package-path "$work/$1" > "$work/$1.log" 2>&1; then
    grep -E "error" "$work/$1.log" >&2
    echo "failed -"
    return
  fi
  end=$(date +%s.%N)
  printf '%.1f %s\n' "$(echo "$end - $start" | bc)" \
    "$( (grep -o 'Compiling [A-Za-z0-9_-]*' "$work/$1.log" || true) | sort -u | wc -l)"
}
printf '%-52s %8s %8s\n' "consumer" "cold (s)" "modules"
read -r seconds modules < <(cold subset)
printf '%-52s %8s %8s\n' "(a) MxMMIO + plugin subset CP_HQD_*" "$seconds" "$modules"
read -r seconds modules < <(cold runtime)
printf '%-52s %8s %8s\n' "(b) MxVirtualFunction" "$seconds" "$modules"
read -r seconds modules < <(cold everything)
printf '%-52s %8s %8s\n' "(c) every library product ($(echo $names | wc -w))" "$seconds" "$modules"
