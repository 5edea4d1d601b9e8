#!/usr/bin/env bash
# Embedded Swift: the runtime's register access and every generated module a driver uses compile with
# -enable-experimental-feature Embedded (no Foundation, no existentials on the access path),
# and so does a driver-style use of them.
#   usage: .ci/embedded-check.sh      (from the package root)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
embedded=(-enable-experimental-feature Embedded -target x86_64-unknown-linux-gnu -wmo -parse-as-library -I "$work")

swiftc "${embedded[@]}" -enable-experimental-feature Volatile -module-name MxMMIO \
  -emit-module -emit-module-path "$work/MxMMIO.swiftmodule" -c "$root"/Sources/MxMMIO/*.swift -o "$work/MxMMIO.o"
swiftc "${embedded[@]}" -module-name MxPM4 \
  -emit-module -emit-module-path "$work/MxPM4.swiftmodule" -c "$root"/Sources/MxPM4/*.swift -o "$work/MxPM4.o"
swiftc "${embedded[@]}" -enable-experimental-feature Volatile -module-name MxMemory \
  -emit-module -emit-module-path "$work/MxMemory.swiftmodule" -c "$root"/Sources/MxMemory/*.swift -o "$work/MxMemory.o"
# MxRuntimeRegisters and MxSharedEnums first: the blocks and the MQD import them. MxBuiltInSpecs is
# the tools' data, not a driver's.
modules=(MxRuntimeRegisters MxSharedEnums)
for folder in "$root"/Generated/*/; do
  case "$(basename "$folder")" in MxRuntimeRegisters | MxSharedEnums | MxBuiltInSpecs) ;; *) modules+=("$(basename "$folder")") ;; esac
done
for module in "${modules[@]}"; do
  folder="$root/Generated/$module/"
  echo "embedded: $module"
  swiftc "${embedded[@]}" -module-name "$module" -emit-module -emit-module-path "$work/$module.swiftmodule" \
    -c "$folder"*.swift -o "$work/$module.o"
done
cat > "$work/Use.swift" <<'SWIFT'
import MxBIF50
import MxChips
import MxGFX80
import MxMMIO
import MxMemory
import MxStructures
import MxPM4
import MxPM4Packets

public func requestFullAccess(_ bar: MappedMMIOBus) -> Bool {
  bar.write(MAILBOX_MSGBUF_TRN_DW0.self) { $0[MAILBOX_MSGBUF_TRN_DW0.MSGBUF_DATA] = 1 }
  bar.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = true }
  bar.apply(Tonga.xgpu_tonga_golden_common_all)
  return bar.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.TRN_MSG_ACK]
}

public func kiqWrite(_ ring: inout PM4Ring, register: UInt32, value: UInt32) throws(PM4EncodingError) {
  try WRITE_DATA(DST_SEL: .REGISTER, WR_ONE_ADDR: true, DST_ADDR_LO: register).encode(into: &ring, payload: CollectionOfOne(value))
}

public func initQueue(_ mqd: vi_mqd, ring: UInt64) throws(AddressError) {
  mqd.cp_hqd_pq_control[CP_HQD_PQ_CONTROL.QUEUE_SIZE] = 17
  try mqd.cp_hqd_pq_base.set(ring)
}
SWIFT
swiftc "${embedded[@]}" -O -module-name Use -c "$work/Use.swift" -o "$work/Use.o"
echo "embedded: runtimes, ${#modules[@]} generated modules and a use site compile"
