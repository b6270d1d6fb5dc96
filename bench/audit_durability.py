#!/usr/bin/env python3
"""Audit durability benchmark: what `strict` (a response's last bytes wait for its record's
commit) costs over `batched`, and what `fsync: true` (every commit fsynced) adds, in one
interleaved run on loopback.

Three tappass instances (release build), identical but for `audit:`, in front of the same
nginx mock host. Rounds rotate their order so machine noise hits all alike. Reports latency
p50/p99 at concurrency 1 and 16, JSON and SSE, and requests/s at 16.

Usage: bench/audit.sh (runs this after the writer/verify benchmark), or
       python3 bench/audit_durability.py [--seconds N] [--rounds N]   (needs nginx and wrk)
"""
import argparse
import json
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from gateway_overhead import ROOT, TAPPASS, free_port, wait_port, wrk


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tappass-audit-bench-"))
    mock_port, proxy_port = free_port(), free_port()
    conf = (ROOT / "bench" / "nginx.conf.in").read_text()
    conf = conf.replace("@MOCK_PORT@", str(mock_port)).replace("@PROXY_PORT@", str(proxy_port)).replace("@DIR@", str(work))
    (work / "nginx.conf").write_text(conf)
    nginx = subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    gateways, keys, ports = {}, {}, {}
    try:
        modes = {"batched": "{durability: batched}", "strict": "{durability: strict}",
                 "strict+fsync": "{durability: strict, fsync: true}"}
        for mode, audit in modes.items():
            port = free_port()
            config = work / f"{mode}.yaml"
            config.write_text(f"""
listen: {{address: 127.0.0.1, port: {port}}}
state_dir: {work}/{mode}
admin_socket: {work}/{mode}/admin.sock
log_level: warning
audit: {audit}
upstreams:
  json: {{kind: openai, hosts: [{{url: "http://127.0.0.1:{mock_port}/json/v1", max_concurrent: 1024}}]}}
  sse: {{kind: openai, hosts: [{{url: "http://127.0.0.1:{mock_port}/sse/v1", max_concurrent: 1024}}]}}
models:
  - {{name: bench-json, pool: json}}
  - {{name: bench-sse, pool: sse}}
""")
            keys[mode] = subprocess.run(
                [str(TAPPASS), "keys", "create", "--user", "bench", "--team", "bench", "--config", str(config)],
                capture_output=True, text=True, check=True).stdout.strip()
            gateways[mode] = subprocess.Popen([str(TAPPASS), "serve", "--config", str(config)],
                                              stdout=subprocess.DEVNULL, stderr=open(work / f"{mode}.log", "w"))
            ports[mode] = port
        wait_port(mock_port)
        for port in ports.values():
            wait_port(port)
        time.sleep(1)

        def body(kind):
            return json.dumps({"model": f"bench-{kind}", "stream": kind == "sse",
                               "messages": [{"role": "user", "content": "Say hello."}]})

        scenarios = [("json", 1), ("json", 16), ("sse", 1), ("sse", 16)]
        results = {(m, s): [] for m in ports for s in scenarios}
        for round_index in range(args.rounds):
            for scenario in scenarios:
                order = list(ports)[round_index % 3:] + list(ports)[:round_index % 3]
                for mode in order:
                    url = f"http://127.0.0.1:{ports[mode]}/v1/chat/completions"
                    results[(mode, scenario)].append(wrk(url, body(scenario[0]), keys[mode], scenario[1], args.seconds))
    finally:
        for process in gateways.values():
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)

    for mode in ports:
        verified = subprocess.run([str(TAPPASS), "audit", "verify", "--config", str(work / f"{mode}.yaml")],
                                  capture_output=True, text=True)
        print(f"{mode}: {verified.stdout.strip()}")

    def med(mode, scenario, field):
        return statistics.median(r[field] for r in results[(mode, scenario)])

    print(f"\n# Audit durability ({args.rounds} interleaved rounds x {args.seconds}s per run, medians; "
          f"`bench/audit.sh`)\n")
    print("| scenario | batched | strict | strict − batched | strict + fsync | strict + fsync − batched |")
    print("|---|---|---|---|---|---|")
    for scenario in scenarios:
        kind, connections = scenario
        for field, label in (("p50_us", "p50"), ("p99_us", "p99")):
            b, s, f = (med(m, scenario, field) for m in ("batched", "strict", "strict+fsync"))
            print(f"| {kind} c={connections} latency {label} | {b/1000:.3f} ms | {s/1000:.3f} ms | {(s-b)/1000:+.3f} ms "
                  f"| {f/1000:.3f} ms | {(f-b)/1000:+.3f} ms |")
        if connections > 1:
            b, s, f = (med(m, scenario, "rps") for m in ("batched", "strict", "strict+fsync"))
            print(f"| {kind} c={connections} requests/s | {b:,.0f} | {s:,.0f} | {s/b:.2f}x | {f:,.0f} | {f/b:.2f}x |")
    (work / "results.json").write_text(json.dumps({f"{m}/{k}/{c}": v for (m, (k, c)), v in results.items()}, indent=1))
    print(f"raw results: {work}/results.json")


if __name__ == "__main__":
    main()
