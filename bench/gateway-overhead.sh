#!/usr/bin/env bash
# Builds the release binary and the benchmark's tools if missing, then runs the interleaved
# overhead benchmark (bench/gateway_overhead.py). Arguments pass through (--seconds, --rounds,
# --lean, --before BINARY: an older build interleaved with this one).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/ensure-tools.sh
swift build -c release --product tappass
exec python3 bench/gateway_overhead.py "$@"
