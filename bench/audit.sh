#!/usr/bin/env bash
# Audit log benchmarks: the writer's sustained records/s (batched and strict) and `audit verify`
# of 1,000,000 records, each against a same-run baseline (tappass-audit-bench); then what strict
# durability adds over batched per request (bench/audit_durability.py, nginx + wrk).
# Usage: bench/audit.sh [--records N] [--verify-records N]   (durability: DURABILITY_ARGS="--seconds 2 --rounds 20", the default)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/ensure-tools.sh
swift build -c release --product tappass
swift build -c release --product tappass-audit-bench
work=$(mktemp -d /var/tmp/tappass-audit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "# Audit writer and verifier (\`bench/audit.sh $*\`)"
echo
.build/release/tappass-audit-bench --work "$work" "$@"
# The same 1,000,000-record log through the CLI, as an auditor runs it.
printf 'state_dir: %s/state\nadmin_socket: %s/state/admin.sock\n' "$work" "$work" > "$work/appliance.yaml"
start=$(date +%s%N)
.build/release/tappass audit verify --config "$work/appliance.yaml" 2>/dev/null
end=$(date +%s%N)
echo "\`tappass audit verify\` (CLI, whole process): $(( (end - start) / 1000000 )) ms"
python3 bench/audit_durability.py ${DURABILITY_ARGS:-}
