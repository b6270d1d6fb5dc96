#!/usr/bin/env bash
# Builds the release binary and the benchmark's tools if missing, then measures admission under
# overload (bench/admission.py): more clients than the host's max_concurrent. Arguments pass
# through (--clients, --max-concurrent, --seconds, --rounds, --before BINARY).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/ensure-tools.sh
swift build -c release --product tappass
exec python3 bench/admission.py "$@"
