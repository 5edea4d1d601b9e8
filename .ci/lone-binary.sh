#!/usr/bin/env bash
# A release mxgpu copied alone, as onto the VM that has the VF: built with the Swift runtime
# linked in, it needs no library of the toolchain and no file of the repository (the specs are
# built in), and reads a register, a ring and an MQD of a simulated VF from an unrelated folder
# with an empty environment. Usage: lone-binary.sh MXGPU
set -euo pipefail
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/elsewhere"
cp "$1" "$work/bin/mxgpu"
strip "$work/bin/mxgpu"

# Only the system's libraries: nothing from the toolchain (libswift*, libFoundation*, /opt/swift).
if ldd "$work/bin/mxgpu" | grep -E "libswift|libFoundation|libdispatch|/opt/swift|not found"; then
  echo "error: the lone mxgpu needs a library of the toolchain"; exit 1
fi

run() { (cd "$work/elsewhere" && env -i "$work/bin/mxgpu" "$@"); }
expect() {  # expect PATTERN COMMAND...: the command's whole output (no early-closed pipe) has a line
  local pattern="$1" output
  shift
  output="$(run "$@")"
  if ! grep -q "$pattern" <<<"$output"; then echo "error: 'mxgpu $*' printed no line like '$pattern'"; exit 1; fi
}
expect "^MAILBOX_CONTROL - bif_5_0" read MAILBOX_CONTROL --sim
expect "^kiq_2.1.0: " ring kiq_2.1.0 --sim
expect "^vi_mqd of comp_1.0.0 at 0x" mqd --sim comp_1.0.0
start=$(date +%s%N)
run read CP_HQD_ACTIVE --sim > /dev/null
echo "a lone mxgpu: $(($(stat -c %s "$work/bin/mxgpu") / 1048576)) MiB stripped; read --sim in $((($(date +%s%N) - start) / 1000000)) ms"
