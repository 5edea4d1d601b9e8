#!/usr/bin/env bash
# World switches with 4 and 16 VFs at work (see Benchmarks/WorldSwitch/main.swift): switches and
# jobs per simulated second, real time per simulated second, spread of work across VFs.
#   usage: Benchmarks/world-switch/run.sh [MILLISECONDS]      (from anywhere; default 1000)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product world-switch 2>&1 | tail -n 1
.build/release/world-switch "${1:-1000}"
