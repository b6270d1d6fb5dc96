#!/usr/bin/env python3
"""Many idle kept-alive client connections, one run on loopback: what they cost the gateway and
whether other clients notice.

nginx plays the inference host (bench/nginx.conf.in); tappass (release build, shipped defaults)
routes to it. A probe client times --probes sequential JSON chat completions on one kept-alive
connection (p50/p99) before, while --connections other connections each made one request and
then stay open and silent, and after they are closed; tappass's RSS at each point. Every held
connection must still be open when the probe runs (the idle timeout is 75 s by default; the run
takes less), and --settle seconds after they are closed, the RSS again.

Usage: bench/connections.sh [--connections 10000] [--probes 500] [--settle 60]
"""
import argparse
import http.client
import json
import resource
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gateway_overhead import TAPPASS, free_port, rss_kib, start_gateway, start_nginx, wait_port  # noqa: E402


def probe(port, key, count, timeout=10):
    """Latencies in ms of `count` sequential requests on one kept-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    body = json.dumps({"model": "bench-json", "messages": [{"role": "user", "content": "Say hello."}]})
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    times = []
    for _ in range(count):
        start = time.perf_counter()
        connection.request("POST", "/v1/chat/completions", body, headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"probe: status {response.status}")
        times.append((time.perf_counter() - start) * 1000)
    connection.close()
    times.sort()
    return statistics.median(times), times[int(0.99 * (len(times) - 1))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--settle", type=int, default=60, help="seconds to wait after closing them")
    args = parser.parse_args()
    if not TAPPASS.exists():
        sys.exit(f"{TAPPASS} is missing: build it with 'swift build -c release' (bench/connections.sh does)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.connections + 1024)), hard))

    work = Path(tempfile.mkdtemp(prefix="tappass-connections-"))
    mock_port, proxy_port, port = free_port(), free_port(), free_port()
    nginx = start_nginx(work, mock_port, proxy_port)
    gateway, key = start_gateway(work, "gateway", port, mock_port)
    held = []
    try:
        wait_port(mock_port), wait_port(port)
        time.sleep(1)
        probe(port, key, 50)
        rows = [("before", rss_kib(gateway.pid), *probe(port, key, args.probes))]
        start = time.monotonic()
        for _ in range(args.connections):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
            if not sock.recv(4096).startswith(b"HTTP/1.1 200"):
                raise RuntimeError("a held connection's request failed")
            held.append(sock)
        opened = time.monotonic() - start
        time.sleep(1)
        rows.append((f"{args.connections:,} idle connections held", rss_kib(gateway.pid), *probe(port, key, args.probes)))
        # Every held connection is still open: a read finds nothing waiting, not an EOF.
        for sock in held:
            sock.setblocking(False)
            try:
                if sock.recv(1) == b"":
                    raise RuntimeError("a held connection was closed")
            except BlockingIOError:
                pass
        for sock in held:
            sock.close()
        held = []
        time.sleep(args.settle)
        rows.append((f"{args.settle} s after closing them", rss_kib(gateway.pid), *probe(port, key, args.probes)))
        print(f"# Idle connections (`bench/connections.sh {' '.join(sys.argv[1:])}`; {args.connections:,} opened in "
              f"{opened:.1f} s, each after one request; probe: {args.probes} sequential JSON requests)\n")
        print("| state | tappass RSS | probe p50 | probe p99 |")
        print("|---|---|---|---|")
        for name, rss, p50, p99 in rows:
            print(f"| {name} | {rss / 1024:.1f} MiB | {p50:.2f} ms | {p99:.2f} ms |")
    finally:
        for sock in held:
            sock.close()
        gateway.terminate()
        nginx.terminate()


if __name__ == "__main__":
    main()
