#!/usr/bin/env bash
# Builds the release binary and the benchmark's tools if missing, then measures many idle
# kept-alive client connections (bench/connections.py). Arguments pass through
# (--connections, --probes).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/ensure-tools.sh
swift build -c release --product tappass
exec python3 bench/connections.py "$@"
