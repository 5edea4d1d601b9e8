#!/usr/bin/env bash
# libFuzzer for the spec pipeline and the PM4 decoder.
#   usage: Tests/Fuzz/fuzz.sh [SECONDS] [spec|pm4|both]     (from anywhere; default 60 s, both)
# Long runs: Tests/Fuzz/fuzz.sh 3600 spec   — the corpus grows in .build-fuzz/corpus-*, crashes
# land in .build-fuzz/artifacts/ (turn each into a fixture or a regression test).
#
# Built with swiftc directly (-sanitize=fuzzer,address): SwiftPM links an executable's own main,
# which clashes with libFuzzer's. The system libxml2 is not instrumented, so coverage counts the
# Swift side only. Exits non-zero on any crash, hang (> 10 s per input), leak-free ASan report or
# failed property.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-60}"
which="${2:-both}"
out="$root/.build-fuzz"
mkdir -p "$out/obj" "$out/artifacts"
flags=(-swift-version 6 -O -g -sanitize=fuzzer,address -parse-as-library -wmo -I "$out/obj"
  -module-cache-path "$out/module-cache" -I "$root/Sources/CLibXML2" -Xcc -I/usr/include/libxml2)

built=()  # the folders of the modules built so far: each module may import any of them
module() {  # module NAME FOLDER [extra flags...]
  local name=$1 folder=$2; shift 2
  local object="$out/obj/$name.o"
  built+=("$folder")
  # Rebuild only when a source of this module or of one before it (which it may import) is newer
  # than the object, or this script is: a module built against a stale or missing dependency
  # must not be kept.
  if [ -f "$object" ] && [ ! "$0" -nt "$object" ] \
    && [ -z "$(find "${built[@]}" -name '*.swift' -newer "$object" | head -n 1)" ]; then return; fi
  echo "fuzz: building $name"
  swiftc "${flags[@]}" "$@" -module-name "$name" -emit-module -emit-module-path "$out/obj/$name.swiftmodule" \
    -c $(find "$folder" -name '*.swift' | sort) -o "$object"
}
module MxLock "$root/Sources/MxLock"
module MxSpecModel "$root/Sources/MxSpecModel"
module MxSpecLoader "$root/Sources/MxSpecLoader"
module MxSpecValidator "$root/Sources/MxSpecValidator"
module MxSwiftEmitter "$root/Sources/MxSwiftEmitter"
module MxHeaderImport "$root/Sources/MxHeaderImport"
module MxBuiltInSpecs "$root/Generated/MxBuiltInSpecs"
module MxGenerator "$root/Sources/MxGenerator"
module MxMMIO "$root/Sources/MxMMIO" -enable-experimental-feature Volatile
module MxPM4 "$root/Sources/MxPM4"
module MxPM4Packets "$root/Generated/MxPM4Packets"

objects=("$out"/obj/*.o)
# lld: gold warns about every ASan check symbol it cannot export.
flags+=(-use-ld=lld)
swiftc "${flags[@]}" -module-name SpecFuzzer "$root/Tests/Fuzz/SpecFuzzer.swift" \
  "${objects[@]}" -lxml2 -o "$out/fuzz-spec"
swiftc "${flags[@]}" -module-name PM4Fuzzer "$root/Tests/Fuzz/PM4Fuzzer.swift" \
  "${objects[@]}" -lxml2 -o "$out/fuzz-pm4"

# Seeds: the real specs (the two large register blocks excepted: one execution of them takes
# seconds), every bad-spec fixture and the golden spec; the PM4 corpus (appendix B and one file
# per decoder error).
seed() {  # seed CORPUS FILES...
  local corpus=$1; shift
  mkdir -p "$corpus"
  for file in "$@"; do cp "$file" "$corpus/seed-$(echo "$file" | sed "s|$root/||; s|/|_|g")"; done
}
seed "$out/corpus-spec" $(find "$root/Specs" "$root/Tests/Fixtures/BadSpecs" "$root/Tests/Fixtures/Golden" \
  "$root/Tests/Fixtures/MultipleErrors.xml" -name '*.xml' -size -100k)
seed "$out/corpus-pm4" "$root"/Tests/Fixtures/PM4Corpus/*.bin

export ASAN_OPTIONS=detect_leaks=0
run() {  # run NAME MAX_LEN
  echo "fuzz: $1 for $seconds s"
  "$out/fuzz-$1" -max_total_time="$seconds" -timeout=10 -max_len="$2" -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/$1-" "$out/corpus-$1" 2>&1 | tee "$out/fuzz-$1.log" | grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|ERROR|panic|Fatal|stat::" || true
  grep -q "^Done [0-9]* runs" "$out/fuzz-$1.log" || { echo "error: fuzz-$1 failed (see $out/fuzz-$1.log and $out/artifacts)"; tail -n 40 "$out/fuzz-$1.log"; exit 1; }
}
case "$which" in
  spec) run spec 65536 ;;
  pm4) run pm4 4096 ;;
  both) run spec 65536; run pm4 4096 ;;
  *) echo "usage: $0 [SECONDS] [spec|pm4|both]" >&2; exit 2 ;;
esac
