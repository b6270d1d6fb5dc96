#!/usr/bin/env bash
# Detector throughput: `tappass scan` (release) over a generated mixed-text corpus (prose, code,
# logs, JSON, UUIDs, hashes, base64, numbers, and a sprinkling of secrets and personal data),
# against GNU grep counting a few of the same literal triggers on the same file in the same run.
# Usage: bench/detectors.sh [MEGABYTES]   (default 32)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-32}
swift build -c release --product tappass
work=$(mktemp -d /var/tmp/tappass-detectors.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$work/corpus.txt" "$size" <<'PY'
import random, sys, uuid, hashlib, base64
random.seed(7)
path, megabytes = sys.argv[1], int(sys.argv[2])
words = "the gateway routes every request to a host and the policy decides what may pass through it".split()
def token(n, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"):
    return "".join(random.choice(alphabet) for _ in range(n))
lines = []
for i in range(4000):
    kind = i % 10
    if kind < 4: lines.append(" ".join(random.choice(words) for _ in range(random.randint(8, 30))) + ".")
    elif kind == 4: lines.append(f'{{"id": "{uuid.UUID(int=random.getrandbits(128))}", "sha": "{hashlib.sha256(str(i).encode()).hexdigest()}", "n": {random.randint(0, 10**12)}}}')
    elif kind == 5: lines.append(f"2026-11-28T10:{i%60:02d}:00Z INFO request done status=200 duration_ms={random.random()*100:.3f} version=1.{i%9}.{i%7}")
    elif kind == 6: lines.append("data = " + base64.b64encode(random.randbytes(48)).decode())
    elif kind == 7: lines.append(f"    def handler_{i}(self, request):\n        return self.route(request, timeout={i % 30})")
    elif kind == 8: lines.append(f"contact user{i}@corp{i%13}.be or card 4111 1111 1111 1111 about IBAN BE68 5390 0754 7034")
    else: lines.append(f"export GITHUB_TOKEN=ghp_{token(36)} and AWS key AKIA{token(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')} DB_PASSWORD={token(20)}")
block = "\n".join(lines) + "\n"
with open(path, "w") as f:
    written = 0
    while written < megabytes << 20:
        f.write(block); written += len(block.encode())
PY
bytes=$(stat -c %s "$work/corpus.txt")
mb=$(python3 -c "print(f'{$bytes / 1048576:.1f}')")
now() { date +%s%N; }
t0=$(now); grep -c -E 'AKIA|ghp_|@|sk-|-----BEGIN' "$work/corpus.txt" >/dev/null; t1=$(now)
.build/release/tappass scan --format json "$work/corpus.txt" > "$work/findings.json"; t2=$(now)
python3 - "$bytes" "$t0" "$t1" "$t2" "$work/findings.json" <<'PY'
import json, sys
size, t0, t1, t2 = (int(x) for x in sys.argv[1:5])
findings = json.load(open(sys.argv[5]))["findings"]
grep_s, scan_s = (t1 - t0) / 1e9, (t2 - t1) / 1e9
mb = size / 1048576
print(f"# Detector throughput (`bench/detectors.sh`), {mb:.1f} MB of mixed text, one run\n")
print("| scanner | seconds | MB/s | vs grep |")
print("|---|---|---|---|")
print(f"| GNU grep -c -E, 5 literal triggers (baseline) | {grep_s:.2f} | {mb/grep_s:,.0f} | 1.00 |")
print(f"| tappass scan: every detector, JSON out ({len(findings):,} findings) | {scan_s:.2f} | {mb/scan_s:,.1f} | {grep_s/scan_s:.3f} |")
PY
