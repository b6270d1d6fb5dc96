#!/usr/bin/env python3
"""Gateway overhead benchmark, one interleaved run on loopback.

Three targets answer the same OpenAI chat-completions request, JSON and SSE:
  direct  - nginx playing the inference host (fixed answers; faster than any gateway)
  proxy   - nginx proxy_pass in front of it: the no-governance baseline
  gateway - tappass (release build) in front of it
Rounds alternate the targets so machine noise hits all three alike. Reports added latency
p50/p99 at concurrency 1 (gateway minus direct), requests/s at concurrency 32 and 128 as a
ratio of the nginx proxy, the same for streaming, and tappass RSS idle and under load. As a ceiling,
tappass answering GET /healthz at concurrency 32 (the HTTP server alone: no upstream call, no
governance, no audit), against the same proxy figure. With --lean, a second tappass with
governance off, batched audit and warnings-only logging joins the rounds: what those cost.
With --before BINARY, an older tappass build joins the rounds (same configuration, its own
state), on the OpenAI and Anthropic paths: this build against that one in the same run.
Also reports tappass CPU time per request (from /proc) for each scenario.

Usage: bench/gateway-overhead.sh [--seconds N] [--rounds N] [--lean] [--before BINARY]   (needs nginx and wrk)
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAPPASS = Path(os.environ.get("TAPPASS_BIN", ROOT / ".build" / "release" / "tappass"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(port)


def cpu_seconds(pid):
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wrk(url, body, key, connections, seconds, method="POST"):
    env = dict(os.environ, BENCH_BODY=body, BENCH_KEY=key or "", BENCH_METHOD=method)
    threads = min(connections, 2)
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
         "-s", str(ROOT / "bench" / "wrk-post.lua"), url],
        capture_output=True, text=True, env=env, check=True,
    ).stdout
    line = next(l for l in out.splitlines() if l.startswith("BENCH "))
    result = json.loads(line[6:])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    if result["errors"] or result["non2xx"]:
        raise RuntimeError(f"{url}: {result['errors']} socket errors, {result['non2xx']} non-2xx")
    return result


def start_nginx(work, mock_port, proxy_port):
    """nginx as the mock inference host (fixed JSON and SSE answers) and as a plain proxy to it."""
    conf = (ROOT / "bench" / "nginx.conf.in").read_text()
    conf = conf.replace("@MOCK_PORT@", str(mock_port)).replace("@PROXY_PORT@", str(proxy_port)).replace("@DIR@", str(work))
    (work / "nginx.conf").write_text(conf)
    return subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-g", "daemon off;"])


def start_gateway(work, name, port, mock_port, extra="", binary=TAPPASS, pools=("json", "sse"), max_concurrent=1024):
    """A tappass instance (state under work/name) routing model bench-P to nginx's /P/v1 for each
    pool P (bench/nginx.conf.in: json, sse, long); returns it and a key."""
    config = work / f"{name}.yaml"
    upstreams = "".join(f"""
  {pool}:
    kind: openai
    hosts: [{{url: "http://127.0.0.1:{mock_port}/{pool}/v1", max_concurrent: {max_concurrent}}}]""" for pool in pools)
    models = "".join(f"\n  - {{name: bench-{pool}, pool: {pool}}}" for pool in pools)
    config.write_text(f"""
listen: {{address: 127.0.0.1, port: {port}}}
state_dir: {work}/{name}
admin_socket: {work}/{name}/admin.sock
upstreams:{upstreams}
models:{models}
""" + extra)
    key = subprocess.run([str(binary), "keys", "create", "--user", "bench", "--team", "bench", "--config", str(config)],
                         capture_output=True, text=True, check=True).stdout.strip()
    log = open(work / f"{name}.log", "w")
    return subprocess.Popen([str(binary), "serve", "--config", str(config)], stdout=subprocess.DEVNULL, stderr=log), key


LEAN = """
log_level: warning
governance: {enabled: false}
audit: {durability: batched}
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lean", action="store_true", help="also run a tappass with governance off, batched audit, warnings only")
    parser.add_argument("--before", type=Path, help="an older tappass binary to run interleaved with this build")
    args = parser.parse_args()
    if not TAPPASS.exists():
        sys.exit(f"{TAPPASS} is missing: build it with 'swift build -c release' (bench/gateway-overhead.sh does)")

    work = Path(tempfile.mkdtemp(prefix="tappass-bench-"))
    mock_port, proxy_port, gateway_port = free_port(), free_port(), free_port()
    nginx = start_nginx(work, mock_port, proxy_port)
    gateway, key = start_gateway(work, "gateway", gateway_port, mock_port)
    lean = None
    if args.lean:
        lean_port = free_port()
        lean, lean_key = start_gateway(work, "lean", lean_port, mock_port, LEAN)
    older = None
    if args.before:
        before_port = free_port()
        older, before_key = start_gateway(work, "before", before_port, mock_port, binary=args.before)
    try:
        wait_port(mock_port), wait_port(proxy_port), wait_port(gateway_port)
        if lean:
            wait_port(lean_port)
        if older:
            wait_port(before_port)
        time.sleep(1)
        idle_rss = rss_kib(gateway.pid)

        def body(model, stream):
            return json.dumps({"model": model, "stream": stream, "messages": [{"role": "user", "content": "Say hello."}]})

        targets = {
            "direct": (f"http://127.0.0.1:{mock_port}/{{kind}}/v1/chat/completions", None),
            "proxy": (f"http://127.0.0.1:{proxy_port}/{{kind}}/v1/chat/completions", None),
            "gateway": (f"http://127.0.0.1:{gateway_port}/v1/chat/completions", key),
        }
        if lean:
            targets["lean"] = (f"http://127.0.0.1:{lean_port}/v1/chat/completions", lean_key)
        if older:
            targets["before"] = (f"http://127.0.0.1:{before_port}/v1/chat/completions", before_key)
        scenarios = [("json", 1), ("json", 32), ("json", 128), ("sse", 1), ("sse", 32)]
        results = {(t, s): [] for t in targets for s in scenarios}
        peak_rss = [idle_rss]

        def sample():
            while not stop.is_set():
                peak_rss[0] = max(peak_rss[0], rss_kib(gateway.pid))
                time.sleep(0.2)

        stop = threading.Event()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        for round_index in range(args.rounds):
            for scenario in scenarios:
                kind, connections = scenario
                order = list(targets) if round_index % 2 == 0 else list(reversed(targets))
                for target in order:
                    url, target_key = targets[target]
                    model = "bench-json" if kind == "json" else "bench-sse"
                    process = {"gateway": gateway, "lean": lean, "before": older}.get(target)
                    before = cpu_seconds(process.pid) if process else 0
                    result = wrk(url.format(kind=kind), body(model, kind == "sse"), target_key, connections, args.seconds)
                    if process:
                        result["cpu_us"] = (cpu_seconds(process.pid) - before) / result["requests"] * 1e6
                    results[(target, scenario)].append(result)
            # The Anthropic path on the same host: what translation adds over the OpenAI path.
            for kind in ("json", "sse"):
                model = "bench-json" if kind == "json" else "bench-sse"
                anthropic_body = json.dumps({"model": model, "max_tokens": 64, "stream": kind == "sse",
                                             "messages": [{"role": "user", "content": "Say hello."}]})
                results.setdefault(("anthropic", (kind, 1)), []).append(
                    wrk(f"http://127.0.0.1:{gateway_port}/v1/messages", anthropic_body, key, 1, args.seconds))
                if older:
                    results.setdefault(("anthropic-before", (kind, 1)), []).append(
                        wrk(f"http://127.0.0.1:{before_port}/v1/messages", anthropic_body, before_key, 1, args.seconds))
                    for connections in (32,):
                        for name, port, target_key in (("anthropic", gateway_port, key), ("anthropic-before", before_port, before_key)):
                            results.setdefault((name, (kind, connections)), []).append(
                                wrk(f"http://127.0.0.1:{port}/v1/messages", anthropic_body, target_key, connections, args.seconds))
            results.setdefault(("healthz", ("get", 32)), []).append(
                wrk(f"http://127.0.0.1:{gateway_port}/healthz", "", None, 32, args.seconds, method="GET"))
        stop.set()
        sampler.join()
        loaded_rss = peak_rss[0]
    finally:
        gateway.send_signal(signal.SIGTERM)
        gateway.wait(timeout=30)
        for process in (lean, older):
            if process:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)

    def med(target, scenario, field):
        return statistics.median(r[field] for r in results[(target, scenario)])

    print(f"\n# Gateway overhead ({args.rounds} interleaved rounds x {args.seconds}s per run, medians; "
          f"`bench/gateway-overhead.sh --seconds {args.seconds} --rounds {args.rounds}{' --lean' if args.lean else ''}`)\n")
    print("| scenario | direct | nginx proxy | tappass | tappass vs direct | tappass / nginx proxy |")
    print("|---|---|---|---|---|---|")
    for kind in ("json", "sse"):
        s = (kind, 1)
        for field, label in (("p50_us", "p50"), ("p99_us", "p99")):
            d, p, g = med("direct", s, field), med("proxy", s, field), med("gateway", s, field)
            print(f"| {kind} c=1 latency {label} | {d/1000:.3f} ms | {p/1000:.3f} ms | {g/1000:.3f} ms | +{(g-d)/1000:.3f} ms | {g/p:.2f}x |")
    for s in scenarios:
        if s[1] == 1:
            continue
        d, p, g = med("direct", s, "rps"), med("proxy", s, "rps"), med("gateway", s, "rps")
        print(f"| {s[0]} c={s[1]} requests/s | {d:,.0f} | {p:,.0f} | {g:,.0f} | {g/d:.2f}x | {g/p:.2f} ({g/p*100:.0f} %) |")
    print("\n| Anthropic path (translated to the same OpenAI host) | tappass /v1/chat/completions | tappass /v1/messages | added by translation |")
    print("|---|---|---|---|")
    for kind in ("json", "sse"):
        s = (kind, 1)
        for field, label in (("p50_us", "p50"), ("p99_us", "p99")):
            o, a = med("gateway", s, field), med("anthropic", s, field)
            print(f"| {kind} c=1 latency {label} | {o/1000:.3f} ms | {a/1000:.3f} ms | {(a-o)/1000:+.3f} ms |")
    if lean:
        print("\n| scenario | tappass | tappass lean (governance off, batched audit, warnings only) | lean / tappass | lean / nginx proxy |")
        print("|---|---|---|---|---|")
        rows = [(s, f) for s in scenarios for f in (("p50_us", "p99_us") if s[1] == 1 else ("rps",))]
        for s, field in rows:
            unit = {"p50_us": "latency p50", "p99_us": "latency p99", "rps": "requests/s"}[field]
            g, l, p = med("gateway", s, field), med("lean", s, field), med("proxy", s, field)
            shown = (lambda v: f"{v/1000:.3f} ms") if s[1] == 1 else (lambda v: f"{v:,.0f}")
            print(f"| {s[0]} c={s[1]} {unit} | {shown(g)} | {shown(l)} | {l/g:.2f}x | {l/p:.2f}x |")
    if older:
        print(f"\n| scenario | this build | before ({args.before}) | this / before |")
        print("|---|---|---|---|")
        rows = [("gateway", s, f) for s in scenarios for f in (("p50_us", "p99_us") if s[1] == 1 else ("rps", "cpu_us"))]
        rows += [("anthropic", (k, c), f) for k in ("json", "sse") for c, fields in ((1, ("p50_us", "p99_us")), (32, ("rps",)))
                 for f in fields]
        for target, s, field in rows:
            other = "before" if target == "gateway" else "anthropic-before"
            unit = {"p50_us": "latency p50", "p99_us": "latency p99", "rps": "requests/s", "cpu_us": "CPU µs/request"}[field]
            path = "openai" if target == "gateway" else "anthropic"
            n, b = med(target, s, field), med(other, s, field)
            shown = (lambda v: f"{v/1000:.3f} ms") if field.endswith("9_us") or field == "p50_us" else (lambda v: f"{v:,.0f}")
            print(f"| {path} {s[0]} c={s[1]} {unit} | {shown(n)} | {shown(b)} | {n/b:.2f}x |")
    h, p = med("healthz", ("get", 32), "rps"), med("proxy", ("json", 32), "rps")
    print(f"\nCeiling: tappass GET /healthz c=32 {h:,.0f} requests/s = {h/p:.2f} ({h/p*100:.0f} %) of the nginx proxy's json c=32")
    cpu = ", ".join(f"{s[0]} c={s[1]} {med('gateway', s, 'cpu_us'):.0f} µs" for s in scenarios)
    print(f"\ntappass CPU time per request (user + system): {cpu}")
    if lean:
        cpu = ", ".join(f"{s[0]} c={s[1]} {med('lean', s, 'cpu_us'):.0f} µs" for s in scenarios)
        print(f"tappass lean CPU time per request: {cpu}")
    print(f"\ntappass RSS: idle {idle_rss/1024:.1f} MiB, peak under load {loaded_rss/1024:.1f} MiB")
    (work / "results.json").write_text(json.dumps({f"{t}/{k}/{c}": v for (t, (k, c)), v in results.items()}, indent=1))
    print(f"raw results: {work}/results.json")


if __name__ == "__main__":
    main()
