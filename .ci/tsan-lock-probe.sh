#!/usr/bin/env bash
# ThreadSanitizer sees MxLock's Lock but not Synchronization.Mutex (Swift 6.3.1, Linux): the same
# two-thread program over each, built with -sanitize=thread. The Mutex build must report (TSan is
# live and the program would catch a lock it cannot see); the Lock build must not.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

probe() {  # $1: the lock type's declaration; the rest: extra sources
  local declaration="$1"; shift
  cat >"$work/main.swift" <<SWIFT
import Foundation
import Synchronization
final class Box: Sendable { $declaration }
let box = Box()
// Both threads wait at a start line, so that their updates interleave however loaded the machine.
let ready = Atomic<Int>(0)
let done = Atomic<Bool>(false)
let thread = Thread {
  ready.add(1, ordering: .relaxed)
  while ready.load(ordering: .relaxed) < 2 {}
  for i in 0..<50000 { box.state.withLock { \$0.append(i) } }
  done.store(true, ordering: .sequentiallyConsistent)
}
thread.start()
ready.add(1, ordering: .relaxed)
while ready.load(ordering: .relaxed) < 2 {}
for i in 0..<50000 { box.state.withLock { \$0.append(-i) } }
while !done.load(ordering: .sequentiallyConsistent) {}
print(box.state.withLock { \$0.count })
SWIFT
  swiftc -sanitize=thread -swift-version 6 -module-name Probe "$work/main.swift" "$@" -o "$work/probe"
  TSAN_OPTIONS=halt_on_error=1:exitcode=86 "$work/probe" >"$work/out" 2>&1 && return 0 || return $?
}

# A race is reported only when TSan saw both threads' accesses: try the Mutex up to five times.
reported=0
for attempt in 1 2 3 4 5; do
  status=0
  probe 'let state = Mutex<[Int]>([])' || status=$?
  if [ "$status" -eq 86 ] && grep -q "ThreadSanitizer" "$work/out"; then reported=$attempt; break; fi
done
if [ "$reported" -eq 0 ]; then
  cat "$work/out"; echo "error: ThreadSanitizer did not report the unseen Mutex in five runs: the probe proves nothing"; exit 1
fi
echo "Synchronization.Mutex: reported (run $reported), as expected"

status=0
probe 'let state = Lock<[Int]>([])' Sources/MxLock/Lock.swift || status=$?
if [ "$status" -ne 0 ] || grep -q "ThreadSanitizer" "$work/out"; then
  cat "$work/out"; echo "error: ThreadSanitizer reported on MxLock's Lock (status $status)"; exit 1
fi
grep -qx 100000 "$work/out" || { cat "$work/out"; echo "error: updates were lost under Lock"; exit 1; }
echo "MxLock.Lock: no report, 100000 updates"
