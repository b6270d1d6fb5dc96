#!/usr/bin/env python3
"""Governance pipeline overhead, one interleaved run on loopback.

Three tappass instances (release build) in front of the same nginx mock inference host, alike
but for governance: on (the built-in default policy: detectors on the request, the output
filter on the response, model policy, and the audit record keeping the redacted content), on
with the default policy but `audit_content: none`, and off. All keep the audit log (strict
durability). Each sends a 2 KB prompt of ordinary prose with an e-mail address and
a phone number in it (flagged, not redacted, so the host receives the same bytes from both).
Rounds alternate the instances so machine noise hits both alike. Reports latency p50/p99 at
concurrency 1, JSON and SSE, and what governance adds (on minus off) — the issue's budget is
0.3 ms at p50.

Usage: bench/governance-overhead.sh [--seconds N] [--rounds N]   (needs nginx and wrk)
"""
import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gateway_overhead import TAPPASS, free_port, start_gateway, start_nginx, wait_port, wrk

WORDS = ("the policy decides which requests may pass to the inference host and which must be redacted first "
         "so that nobody sends a customer record or a production credential to a model by mistake").split()


def prompt(size=2048):
    text, index = [], 0
    while sum(len(w) + 1 for w in text) < size - 80:
        text.append(WORDS[index % len(WORDS)])
        index += 1
    return " ".join(text) + " Mail jan.peeters@acme.be or call +32 470 12 34 56 about it."


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    if not TAPPASS.exists():
        sys.exit(f"{TAPPASS} is missing: build it with 'swift build -c release' (bench/governance-overhead.sh does)")
    work = Path(tempfile.mkdtemp(prefix="tappass-governance-bench-"))
    mock_port, proxy_port, on_port, off_port = free_port(), free_port(), free_port(), free_port()
    nginx = start_nginx(work, mock_port, proxy_port)
    lean_port = free_port()
    policy = subprocess.run([str(TAPPASS), "policy", "show", "--default"], capture_output=True, text=True, check=True).stdout
    (work / "no-content.yaml").write_text(policy.replace("audit_content: redacted", "audit_content: none"))
    on, on_key = start_gateway(work, "on", on_port, mock_port, extra="governance: {enabled: true}\n")
    lean, lean_key = start_gateway(
        work, "lean", lean_port, mock_port, extra=f"governance: {{enabled: true, policy_file: {work / 'no-content.yaml'}}}\n"
    )
    off, off_key = start_gateway(work, "off", off_port, mock_port, extra="governance: {enabled: false}\n")
    targets = {"on": (on_port, on_key), "lean": (lean_port, lean_key), "off": (off_port, off_key)}
    text = prompt()
    results = {(t, kind): [] for t in targets for kind in ("json", "sse")}
    try:
        for port in (mock_port, on_port, lean_port, off_port):
            wait_port(port)
        time.sleep(1)
        for round_index in range(args.rounds):
            for kind in ("json", "sse"):
                body = json.dumps({"model": f"bench-{kind}", "stream": kind == "sse", "messages": [{"role": "user", "content": text}]})
                order = list(targets) if round_index % 2 == 0 else list(reversed(targets))
                for target in order:
                    port, key = targets[target]
                    results[(target, kind)].append(wrk(f"http://127.0.0.1:{port}/v1/chat/completions", body, key, 1, args.seconds))
    finally:
        for process in (on, lean, off):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)

    def med(target, kind, field):
        return statistics.median(r[field] for r in results[(target, kind)])

    print(f"\n# Governance pipeline overhead ({args.rounds} interleaved rounds x {args.seconds}s, medians; "
          f"`bench/governance-overhead.sh --seconds {args.seconds} --rounds {args.rounds}`)\n")
    print(f"Prompt: {len(text.encode())} bytes of prose with an e-mail address and a phone number (both flagged).\n")
    print("| concurrency 1 | governance off | on, `audit_content: none` | added | on (default policy: content kept, redacted) | added |")
    print("|---|---|---|---|---|---|")
    for kind in ("json", "sse"):
        for field, label in (("p50_us", "p50"), ("p99_us", "p99")):
            a, lean_value, b = med("off", kind, field), med("lean", kind, field), med("on", kind, field)
            print(f"| {kind} latency {label} | {a/1000:.3f} ms | {lean_value/1000:.3f} ms | {(lean_value-a)/1000:+.3f} ms "
                  f"| {b/1000:.3f} ms | {(b-a)/1000:+.3f} ms |")
    (work / "results.json").write_text(json.dumps({f"{t}/{k}": v for (t, k), v in results.items()}, indent=1))
    print(f"\nraw results: {work}/results.json")


if __name__ == "__main__":
    main()
