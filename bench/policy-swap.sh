#!/usr/bin/env bash
# Builds the release binary and the benchmark's tools if missing, then measures signed policy
# bundles applied live (bench/policy_swap.py): import-to-applied time, and the swap's effect on
# requests/s and latency under load. Arguments pass through (--seconds, --rounds, --connections,
# --every, --probes).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/ensure-tools.sh
swift build -c release --product tappass
exec python3 bench/policy_swap.py "$@"
