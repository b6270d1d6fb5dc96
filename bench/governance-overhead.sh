#!/usr/bin/env bash
# Builds the release binary and the benchmark's tools if missing, then runs the interleaved
# governance on/off benchmark (bench/governance_overhead.py). Arguments pass through.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/ensure-tools.sh
swift build -c release --product tappass
exec python3 bench/governance_overhead.py "$@"
