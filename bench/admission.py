#!/usr/bin/env python3
"""Admission under overload: more clients than a host's `max_concurrent`, one run on loopback.

nginx plays one inference host per pool (bench/nginx.conf.in, fixed answers); tappass (release
build, shipped defaults: max_concurrent 64 per host, queue depth 256, wait 10 s) routes to it. wrk at C connections, JSON and
SSE; reports requests/s, p50/p99 and the share refused (non-2xx). With --before BINARY, an older
build runs the same scenario in the same run (interleaved rounds).

Usage: bench/admission.sh [--clients 128] [--max-concurrent 64] [--seconds 5] [--rounds 3] [--before BINARY]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gateway_overhead import ROOT, TAPPASS, free_port, start_gateway, start_nginx, wait_port  # noqa: E402


def wrk(url, body, key, connections, seconds):
    env = dict(os.environ, BENCH_BODY=body, BENCH_KEY=key, BENCH_METHOD="POST")
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "30s",
                          "-s", str(ROOT / "bench" / "wrk-post.lua"), url],
                         capture_output=True, text=True, env=env, check=True).stdout
    result = json.loads(next(line for line in out.splitlines() if line.startswith("BENCH "))[6:])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=128)
    parser.add_argument("--max-concurrent", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path)
    args = parser.parse_args()
    if not TAPPASS.exists():
        sys.exit(f"{TAPPASS} is missing: build it with 'swift build -c release' (bench/admission.sh does)")

    work = Path(tempfile.mkdtemp(prefix="tappass-admission-"))
    mock_port, proxy_port = free_port(), free_port()
    nginx = start_nginx(work, mock_port, proxy_port)
    builds = {"this build": TAPPASS}
    if args.before:
        builds["before"] = args.before
    gateways = {}
    try:
        for name, binary in builds.items():
            port = free_port()
            process, key = start_gateway(work, name.replace(" ", "-"), port, mock_port, binary=binary)
            gateways[name] = (process, key, port)
            config = work / f"{name.replace(' ', '-')}.yaml"
            # One host per pool at the chosen limit (the template allows 1024).
            config.write_text(config.read_text().replace("max_concurrent: 1024", f"max_concurrent: {args.max_concurrent}"))
            process.terminate()
            process.wait()
            process = subprocess.Popen([str(binary), "serve", "--config", str(config)], stdout=subprocess.DEVNULL,
                                       stderr=open(work / f"{name.replace(' ', '-')}.log", "w"))
            gateways[name] = (process, key, port)
        wait_port(mock_port)
        for _, _, port in gateways.values():
            wait_port(port)
        results = {}
        for round_index in range(args.rounds):
            order = list(gateways) if round_index % 2 == 0 else list(reversed(gateways))
            for kind in ("json", "sse"):
                for name in order:
                    _, key, port = gateways[name]
                    body = json.dumps({"model": f"bench-{kind}", "stream": kind == "sse",
                                       "messages": [{"role": "user", "content": "Say hello."}]})
                    results.setdefault((name, kind), []).append(
                        wrk(f"http://127.0.0.1:{port}/v1/chat/completions", body, key, args.clients, args.seconds))
        print(f"# Admission: {args.clients} clients, one host per pool at max_concurrent {args.max_concurrent} "
              f"({args.rounds} rounds x {args.seconds}s, medians; `bench/admission.sh {' '.join(sys.argv[1:])}`)\n")
        print("| build | kind | answers/s | of them served (2xx)/s | p50 | p99 | refused (non-2xx) |")
        print("|---|---|---|---|---|---|---|")
        for (name, kind), runs in results.items():
            refused = sum(r["non2xx"] + r["errors"] for r in runs) / max(1, sum(r["requests"] for r in runs))
            rps = statistics.median(r["rps"] for r in runs)
            print(f"| {name} | {kind} | {rps:,.0f} | {rps * (1 - refused):,.0f} | "
                  f"{statistics.median(r['p50_us'] for r in runs) / 1000:.2f} ms | "
                  f"{statistics.median(r['p99_us'] for r in runs) / 1000:.2f} ms | {refused:.1%} |")
    finally:
        for process, _, _ in gateways.values():
            process.terminate()
        nginx.terminate()


if __name__ == "__main__":
    main()
