#!/usr/bin/env bash
# Both plugins in both ways a target can hold its inputs: the subset file and its own spec left
# among the sources, or excluded from them (as docs/Plugin.md tells a command-plugin target to).
# A scratch package depends on MxGPUKit by path; each of its four targets prints a built-in
# register and its own, so a target that lost either does not compile. Then the two setups that
# ask for nothing must fail with a reason. No warning is allowed but SwiftPM's own one for the
# command-plugin target that leaves its inputs among the sources (an undocumented setup).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
kit="$(basename "$root")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

inputs='exclude: ["mxgpukit.subset", "Handshake.xml"]'
plugin="plugins: [.plugin(name: \"MxGPUKitPlugin\", package: \"$kit\")]"
manifest() {  # manifest [EXTRA-TARGET]
  cat > "$work/Package.swift" <<MANIFEST
// swift-tools-version: 6.0
import PackageDescription
let mmio: [Target.Dependency] = [.product(name: "MxMMIO", package: "$kit")]
let package = Package(
  name: "PluginSetups",
  dependencies: [.package(path: "$root")],
  targets: [
    .executableTarget(name: "BuildShared", dependencies: mmio, $plugin),
    .executableTarget(name: "BuildExcluded", dependencies: mmio, $inputs, $plugin),
    .executableTarget(name: "CommandShared", dependencies: mmio),
    .executableTarget(name: "CommandExcluded", dependencies: mmio, $inputs),
    $1
  ]
)
MANIFEST
}

for target in BuildShared BuildExcluded CommandShared CommandExcluded; do
  mkdir -p "$work/Sources/$target"
  cp "$root/Examples/DriverExample/Sources/DriverExample/Handshake.xml" "$work/Sources/$target/"
  echo "registers MAILBOX_CONTROL" > "$work/Sources/$target/mxgpukit.subset"
  cat > "$work/Sources/$target/main.swift" <<'SWIFT'
import MxMMIO

var handshake = RegisterValue<DRIVER_HANDSHAKE>(rawValue: 0)
handshake[DRIVER_HANDSHAKE.SEQUENCE] = 2
handshake[DRIVER_HANDSHAKE.STAGE] = .STAGE_READY
print(handshake)
print(RegisterValue<MAILBOX_CONTROL>(rawValue: 0x1))
SWIFT
done
manifest ""

fail() { echo "error: $*"; exit 1; }
swift package --package-path "$work" --allow-writing-to-package-directory mxgpukit-generate \
  --target CommandShared --target CommandExcluded 2>&1 | tee "$work/generate.log" | { grep -v "^\[" || true; }
swift build --package-path "$work" 2>&1 | tee "$work/build.log" | { grep -vE "^\[[0-9]+/[0-9]+\]" || true; }
grep -q "Compiling\|Build complete" "$work/build.log" || fail "the scratch package did not build"
# SwiftPM's warning about unhandled files lists them on the lines after it; only CommandShared's
# may be there.
if grep -v "^ *$work/Sources/CommandShared/" "$work/build.log" | grep -v "found [0-9]* file(s) which are unhandled" \
  | grep -q "warning:\|^ *$work/Sources/"; then
  fail "a documented setup warns (see above)"
fi
for target in BuildShared BuildExcluded CommandShared CommandExcluded; do
  output=$(swift run --skip-build --package-path "$work" "$target")
  expected=$'DRIVER_HANDSHAKE(0x0002_0002: SEQUENCE=2 STAGE=STAGE_READY(2))\nMAILBOX_CONTROL(0x0000_0001: TRN_MSG_VALID=1 TRN_MSG_ACK=0 RCV_MSG_VALID=0 RCV_MSG_ACK=0)'
  [ "$output" = "$expected" ] || fail "$target printed '$output', not '$expected'"
  echo "$target: both registers"
done

# Asking for nothing is an error, with the reason, from either plugin.
mkdir -p "$work/Sources/Empty"
echo 'print("unreachable")' > "$work/Sources/Empty/main.swift"
manifest '.executableTarget(name: "Empty", dependencies: mmio),'
if swift package --package-path "$work" --allow-writing-to-package-directory mxgpukit-generate --target Empty \
  > "$work/empty-command.log" 2>&1; then
  fail "the command plugin succeeded on a target with no inputs"
fi
grep -q "target 'Empty' has no mxgpukit.subset and no .xml spec in its folder" "$work/empty-command.log" \
  || { cat "$work/empty-command.log"; fail "the command plugin's error does not say why"; }
echo "command plugin, no inputs: refused"
manifest ".executableTarget(name: \"Empty\", dependencies: mmio, $plugin),"
if swift build --package-path "$work" > "$work/empty-build.log" 2>&1; then
  fail "the build plugin succeeded on a target with no inputs"
fi
grep -q "target 'Empty' uses the MxGPUKit plugin but its folder has no mxgpukit.subset and no .xml spec" \
  "$work/empty-build.log" || { cat "$work/empty-build.log"; fail "the build plugin's error does not say why"; }
echo "build plugin, no inputs: refused"
