#!/usr/bin/env bash
# Builds the release binary and the benchmark's tools if missing, then measures many clients
# reading long streamed answers at 1 byte/s (bench/slow_streams.py). Arguments pass through
# (--streams, --hold, --probes, --settle, --events); TAPPASS_BIN picks another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/ensure-tools.sh
swift build -c release --product tappass
exec python3 bench/slow_streams.py "$@"
