#!/usr/bin/env bash
# Builds the release binary and the benchmark's tools if missing, then drives one tappass under
# sustained load and watches its audit WAL (bench/audit_wal.py; arguments pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/ensure-tools.sh
swift build -c release --product tappass
exec python3 bench/audit_wal.py "$@"
