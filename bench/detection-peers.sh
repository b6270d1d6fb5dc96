#!/usr/bin/env bash
# Detection quality of tappass against detect-secrets, CredSweeper and Presidio's pattern
# recognisers on tests/corpus (generated and external parts), same run, one table
# (bench/detection_peers.py says how each is run and scored). Makes a venv with the peers
# from PyPI in .build/peers-venv (also what tests/corpus/external/build_pii.py needs) and
# builds the release binary.
# Usage: bench/detection-peers.sh [--part generated|external]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/peers-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet detect-secrets credsweeper presidio-analyzer faker python-stdnum
fi
swift build -c release --product tappass
exec "$venv/bin/python" bench/detection_peers.py "$@"
