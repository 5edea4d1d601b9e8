#!/usr/bin/env bash
# How the release `gen --check` on every spec compares with libxml2 alone: `xmllint --noout
# --relaxng` of the same files against the same schema (parse + schema validation only).
# `gen --check` does that and more: semantic validation, emitting all of Generated/ in memory and
# comparing it with the folder. Both are run ROUNDS times alternately in one run; the medians and
# their ratio are printed (target: gen / xmllint <= 3).
#   usage: Benchmarks/gen-vs-xmllint/run.sh [ROUNDS]      (from anywhere; default 7; needs libxml2-utils)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-7}
command -v xmllint >/dev/null || { echo "error: xmllint not found (apt-get install libxml2-utils)" >&2; exit 1; }
swift build -c release --product gen 2>&1 | tail -n 1
gen=.build/release/gen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$gen" schema >"$work/schema.rng"
mapfile -t specs < <(find Specs -name '*.xml' | sort)

seconds() {  # seconds COMMAND...: wall time of one run
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "error: $* failed" >&2; exit 1; }
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN {printf "%.4f\n", ns / 1e9}' 
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

for _ in $(seq "$rounds"); do
  seconds "$gen" --check >>"$work/gen.txt"
  seconds xmllint --noout --relaxng "$work/schema.rng" "${specs[@]}" >>"$work/xmllint.txt"
done
gen_s=$(median <"$work/gen.txt")
xml_s=$(median <"$work/xmllint.txt")
echo "files: ${#specs[@]} ($(cat "${specs[@]}" | wc -c) bytes), rounds: $rounds"
echo "gen --check (release):           ${gen_s} s"
echo "xmllint --noout --relaxng:       ${xml_s} s"
echo "ratio gen / xmllint:             $(awk -v g="$gen_s" -v x="$xml_s" 'BEGIN {printf "%.2f", g / x}')"
