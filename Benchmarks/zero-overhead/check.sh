#!/usr/bin/env bash
# Zero-overhead check: field updates through generated registers, compiled with -O, must have no
# more instructions than the C REG_SET_FIELD pattern compiled with clang -O2 (the same count is
# the target). Prints both listings; exits 1 if any Swift function is longer.
#   usage: Benchmarks/zero-overhead/check.sh      (from the package root)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Interfaces of the runtime and the generated block, built with -O as a release build does
# (their @inlinable bodies, and what cross-module optimization serializes, are what inlines).
swiftc -O -enable-experimental-feature Volatile -wmo -parse-as-library -module-name MxMMIO \
  -emit-module -emit-module-path "$work/MxMMIO.swiftmodule" "$root"/Sources/MxMMIO/*.swift
swiftc -O -wmo -parse-as-library -module-name MxRuntimeRegisters -I "$work" \
  -emit-module -emit-module-path "$work/MxRuntimeRegisters.swiftmodule" "$root"/Generated/MxRuntimeRegisters/*.swift
swiftc -O -wmo -parse-as-library -module-name MxSharedEnums -I "$work" \
  -emit-module -emit-module-path "$work/MxSharedEnums.swiftmodule" "$root"/Generated/MxSharedEnums/*.swift
swiftc -O -wmo -parse-as-library -module-name MxBIF50 -I "$work" \
  -emit-module -emit-module-path "$work/MxBIF50.swiftmodule" "$root"/Generated/MxBIF50/*.swift
swiftc -O -parse-as-library -module-name ZeroOverhead -I "$work" -S "$here/Modify.swift" -o "$work/swift.s"
clang -O2 -S "$here/modify.c" -o "$work/c.s"

# Instructions of one function: the lines between its label and the end of its section.
body() { # file symbol
  awk -v sym="$2" '$0 ~ "^"sym":" {on=1; next} on && /^\.Lfunc_end|\.cfi_endproc/ {exit} on' "$1" |
    grep -E '^\s+[a-z]' | grep -vE '^\s+\.' || true
}

status=0
for name in setValid setDebugSelect readAck setSaveAreaCached setPortArbitration; do
  swift_symbol=$(grep -oE "^\\\$s12ZeroOverhead${#name}${name}[A-Za-z0-9_]*:" "$work/swift.s" | head -1 | tr -d ':')
  swift_body=$(body "$work/swift.s" "\\$swift_symbol")
  c_body=$(body "$work/c.s" "$name")
  s=$(printf '%s\n' "$swift_body" | grep -c . || true)
  c=$(printf '%s\n' "$c_body" | grep -c . || true)
  echo "== $name: Swift $s instructions, C $c"
  paste <(printf '%s\n' "$swift_body") <(printf '%s\n' "$c_body") | sed 's/^/   /'
  if [ "$s" -gt "$c" ] || [ "$s" -eq 0 ]; then status=1; echo "   FAIL: Swift is longer than C"; fi
done
exit $status
