#!/usr/bin/env bash
# What a consumer target pays for the registers it picks: a scratch package depends on MxGPUKit
# by path and uses the build plugin; after a warm-up build, the subset file is switched and the
# incremental `swift build` of the target timed (the plugin's `gen target` run plus compiling the
# generated files; the faster of two), next to a no-op build. Compared in one run: one register,
# about 50, then the four whole blocks.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=../consumer-package.sh
source "$root/Benchmarks/consumer-package.sh"
consumer_package "$work" "$(products MxMMIO)" "import MxMMIO" "$plugin"
subset="$work/Sources/Consumer/mxgpukit.subset"

build() { swift build --package-path "$work" --target Consumer 2>&1 | grep -E "error|warning" || true; }
seconds() {  # seconds COMMAND...: wall time of one run
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
min() { echo "if ($1 < $2) $1 else $2" | bc; }
timed() {  # timed SUBSET-LINE: the faster of two incremental builds after switching to it
  local first second
  echo "registers CP_HQD_ACTIVE" > "$subset"
  build
  echo "$1" > "$subset"
  first=$(seconds build)
  echo "registers CP_HQD_ACTIVE" > "$subset"
  build
  echo "$1" > "$subset"
  second=$(seconds build)
  min "$first" "$second"
}
count() {
  # Every register is a caseless enum (enum types of fields are structs); one in a shared layout
  # conforms to the layout's protocol.
  grep -c "^public enum " \
    "$work"/.build/plugins/outputs/*/Consumer/destination/MxGPUKitPlugin/MxGPUKit/MxGPUKitRegisters*.swift \
    | awk -F: '{s += $2} END {print s}'
}
gen_tool() { find "$work/.build" -path "*/debug/gen-tool" -type f | head -n 1; }

echo "registers CP_HQD_ACTIVE" > "$subset"
echo "warm-up (gen, MxMMIO, the plugin)..." >&2
build
noop=$(min "$(seconds build)" "$(seconds build)")
generation=$(min "$(seconds "$(gen_tool)" target --quiet --module Consumer --subset "$subset" --output "$work/scratch")" \
  "$(seconds "$(gen_tool)" target --quiet --module Consumer --subset "$subset" --output "$work/scratch")")
from_xml=$(seconds "$(gen_tool)" target --quiet --module Consumer --specs "$root/Specs" --subset "$subset" \
  --output "$work/scratch")
one=$(timed "registers CP_HQD_VMID")
fifty=$(timed "registers CP_HQD_*")
fifty_count=$(count)
all=$(timed "blocks bif_5_0 gfx_8_0 gmc_8_1 oss_3_0")
all_count=$(count)
printf 'no-op build %.2f s; gen target alone (debug, one register) %.2f s (with --specs, reading the XML: %.2f s)\n' \
  "$noop" "$generation" "$from_xml"
printf '%-40s %9s %10s %14s\n' "subset" "registers" "build (s)" "above no-op"
row() { printf '%-40s %9s %10.2f %14.2f\n' "$1" "$2" "$3" "$(echo "$3 - $noop" | bc)"; }
row "registers CP_HQD_VMID" 1 "$one"
row "registers CP_HQD_*" "$fifty_count" "$fifty"
row "blocks bif_5_0 gfx_8_0 gmc_8_1 oss_3_0" "$all_count" "$all"
echo "whole blocks / CP_HQD_* (above no-op) = $(echo "scale=1; ($all - $noop) / ($fifty - $noop)" | bc)"
