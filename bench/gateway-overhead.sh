#!/usr/bin/env bash
# Builds the release binary and the benchmark's tools if missing, then runs the interleaved
# overhead benchmark (bench/gateway_overhead.py). Arguments pass through (--seconds, --rounds).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
swift build -c release --product tappass
exec python3 bench/gateway_overhead.py "$@"
