#!/usr/bin/env bash
# Detector throughput on one core: `tappass scan --stats` (release) reports the detectors' own
# time (no file reading, no JSON output) over two generated corpora of prose, code, logs, JSON,
# UUIDs, hashes, base64 and numbers:
#   mixed  about one line in 50 carries secrets or personal data (a finding per ~4 kB);
#   dense  one line in five does (a finding per ~170 bytes: a worst case, not typical traffic).
# Baseline, same run and file: GNU grep counting five literal triggers, and `wc -l` (reading).
#   unicode the mixed corpus with prose in French and German (accents, capitals, non-breaking
#           spaces) and one line in 100 disguised (zero-width characters, full-width forms):
#           what the normalized view costs when text is not plain ASCII.
# The detectors run five times per corpus: the fastest run and the median are reported.
# BEFORE=path/to/an/older/tappass runs that binary too, interleaved run by run with this build's,
# so a change is measured against the build before it in the same run.
# Then short texts: the detectors' time per scan of a ~40-byte text (a stream window).
# Usage: [BEFORE=…] bench/detectors.sh [MEGABYTES]   (default 32)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-32}
swift build -c release --product tappass
work=$(mktemp -d /var/tmp/tappass-detectors.XXXXXX)
trap 'rm -rf "$work"' EXIT
generate() {
python3 - "$1" "$size" "$2" <<'PY'
import random, sys, uuid, hashlib, base64
random.seed(7)
path, megabytes, density = sys.argv[1], int(sys.argv[2]), sys.argv[3]
words = "the gateway routes every request to a host and the policy decides what may pass through it".split()
if density == "unicode":
    words += "Élise a reçu la décision du comité à 14\u00a0h, Größe Übersicht für die Straße déjà vu naïve".split()
def token(n, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"):
    return "".join(random.choice(alphabet) for _ in range(n))
lines = []
period = 10 if density == "dense" else 100
def disguise(line):
    if density != "unicode" or random.random() > 0.01: return line
    return line.replace("ghp_", "ghp\u200b_").replace("AKIA", "\uff21\uff2b\uff29\uff21")
for i in range(4000):
    kind = i % period
    if kind == 8: lines.append(f"contact user{i}@corp{i%13}.be or card 4539 1488 0343 6467 about IBAN BE76 5390 0754 7181")
    elif kind == 9: lines.append(disguise(f"export GITHUB_TOKEN=ghp_{token(36)} and AWS key AKIA{token(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')} DB_PASSWORD={token(20)}"))
    else:
        kind %= 8
        if kind < 4: lines.append(" ".join(random.choice(words) for _ in range(random.randint(8, 30))) + ".")
        elif kind == 4: lines.append(f'{{"id": "{uuid.UUID(int=random.getrandbits(128))}", "sha": "{hashlib.sha256(str(i).encode()).hexdigest()}", "n": {random.randint(0, 10**12)}}}')
        elif kind == 5: lines.append(f"2026-11-28T10:{i%60:02d}:00Z INFO request done status=200 duration_ms={random.random()*100:.3f} version=1.{i%9}.{i%7}")
        elif kind == 6: lines.append("data = " + base64.b64encode(random.randbytes(48)).decode())
        else: lines.append(f"    def handler_{i}(self, request):\n        return self.route(request, timeout={i % 30})")
block = "\n".join(lines) + "\n"
with open(path, "w") as f:
    written = 0
    while written < megabytes << 20:
        f.write(block); written += len(block.encode())
PY
}
now() { date +%s%N; }
echo "# Detector throughput (\`bench/detectors.sh $size\`), one core, one run"
echo
echo "| corpus | scanner | MB/s | vs grep |"
echo "|---|---|---:|---:|"
for density in mixed dense unicode; do
  generate "$work/$density.txt" "$density"
  bytes=$(stat -c %s "$work/$density.txt")
  cat "$work/$density.txt" > /dev/null
  t0=$(now); wc -l "$work/$density.txt" > /dev/null; t1=$(now)
  grep -c -E 'AKIA|ghp_|@|sk-|-----BEGIN' "$work/$density.txt" > /dev/null; t2=$(now)
  # Five runs each, interleaved with the build before when given: the fastest (the one other
  # tenants of the machine disturbed least) and the median.
  : > "$work/stats"
  : > "$work/stats-before"
  for run in 1 2 3 4 5; do
    .build/release/tappass scan --stats --format json "$work/$density.txt" 2>> "$work/stats" > /dev/null
    if [ -n "${BEFORE:-}" ]; then
      "$BEFORE" scan --stats --format json "$work/$density.txt" 2>> "$work/stats-before" > /dev/null
    fi
  done
  python3 - "$bytes" "$t0" "$t1" "$t2" "$work/stats" "$density" "$work/stats-before" <<'PY'
import re, sys
size, t0, t1, t2 = (int(x) for x in sys.argv[1:5])
density = sys.argv[6]
mb = size / 1048576
grep_rate = mb / ((t2 - t1) / 1e9)
for label, path in (("", sys.argv[5]), (" (build before)", sys.argv[7])):
    stats = open(path).read()
    times = sorted(float(x) for x in re.findall(r"detectors ([0-9.]+) s", stats))
    if not times:
        continue
    seconds, median = times[0], times[len(times) // 2]
    findings = int(re.search(r"(\d+) findings", stats).group(1))
    if not label:
        print(f"| {density} ({mb:.0f} MB, {findings:,} findings) | wc -l (reading) | {mb / ((t1 - t0) / 1e9):,.0f} | |")
        print(f"| | GNU grep -c -E, 5 literal triggers (baseline) | {grep_rate:,.0f} | 1.00 |")
    else:
        print(f"| | build before: {findings:,} findings | | |")
    print(f"| | tappass detectors{label}: fastest of 5 | {mb / seconds:,.1f} | {mb / seconds / grep_rate:.3f} |")
    print(f"| | tappass detectors{label}: median of 5 | {mb / median:,.1f} | {mb / median / grep_rate:.3f} |")
PY
done
# Short texts: 200,000 prompts or stream windows of ~40 bytes, one scan each (`--jsonl`): the
# detectors' own time per scan, which every streamed chunk pays.
python3 - "$work/short.jsonl" <<'PY'
import json, random, sys
random.seed(1)
words = "the gateway routes every request to a host and the policy decides what may pass through it".split()
with open(sys.argv[1], "w") as f:
    for i in range(200000):
        f.write(json.dumps({"id": str(i), "text": " ".join(random.choice(words) for _ in range(8))[:44]}) + "\n")
PY
echo
echo "| short texts (200,000 x ~40 bytes) | µs per scan, fastest of 3 |"
echo "|---|---:|"
for binary in .build/release/tappass ${BEFORE:-}; do
  best=$(for run in 1 2 3; do "$binary" scan --stats --jsonl "$work/short.jsonl" 2>&1 > /dev/null | sed -n 's/.*detectors \([0-9.]*\) s.*/\1/p'; done | sort -n | head -1)
  label=$([ "$binary" = .build/release/tappass ] && echo "this build" || echo "build before")
  echo "| $label | $(python3 -c "print(f'{$best * 1e6 / 200000:.2f}')") |"
done
