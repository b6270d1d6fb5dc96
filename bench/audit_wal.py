#!/usr/bin/env python3
"""Audit WAL under sustained load: one tappass (release build, shipped defaults: strict
durability, default policy) in front of the nginx mock host, driven by wrk at 16 connections for
--seconds (default 600). The WAL's size is sampled every second throughout; then `audit verify`
checks the whole log, and `audit prune` removes every record to show what it gives back.

Reports: the WAL's largest size (the bound is 32 MB past which the writer truncates it, plus
what arrives during one truncation), requests served, the database's bytes per record, verify
time, and the file sizes before and after prune (SQLite keeps freed pages for reuse; the file
shrinks only with VACUUM, which prune does not run on a live log).

Usage: bench/audit-wal.sh [--seconds N] [--connections N]
"""
import argparse
import json
import subprocess
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from gateway_overhead import TAPPASS, free_port, start_gateway, start_nginx, wait_port, wrk


def size(path):
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tappass-wal-bench-"))
    mock_port, proxy_port, port = free_port(), free_port(), free_port()
    nginx = start_nginx(work, mock_port, proxy_port)
    gateway, key = start_gateway(work, "wal", port, mock_port, "log_level: warning\n")
    database = work / "wal" / "audit.sqlite"
    wal = Path(str(database) + "-wal")
    samples = []
    stop = threading.Event()

    def sample():
        while not stop.wait(1.0):
            samples.append(size(wal))

    try:
        wait_port(mock_port)
        wait_port(port)
        time.sleep(1)
        sampler = threading.Thread(target=sample)
        sampler.start()
        body = json.dumps({"model": "bench-json", "messages": [{"role": "user", "content": "Say hello to jan@acme.be."}]})
        result = wrk(f"http://127.0.0.1:{port}/v1/chat/completions", body, key, args.connections, args.seconds)
        stop.set()
        sampler.join()
    finally:
        gateway.terminate()
        gateway.wait(timeout=60)
        nginx.terminate()
        nginx.wait(timeout=10)

    config = work / "wal.yaml"
    records = result["requests"]
    db_bytes = size(database)
    started = time.monotonic()
    verify = subprocess.run([str(TAPPASS), "audit", "verify", "--config", str(config)], capture_output=True, text=True)
    verify_seconds = time.monotonic() - started
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%d")
    prune = subprocess.run([str(TAPPASS), "audit", "prune", "--before", tomorrow, "--config", str(config)],
                           capture_output=True, text=True)
    after = size(database)
    print(f"# Audit WAL under sustained load (`bench/audit-wal.sh --seconds {args.seconds} --connections {args.connections}`)")
    print()
    print("| measure | value |")
    print("|---|---:|")
    print(f"| requests served (each one audit record, strict durability) | {records:,} ({result['rps']:,.0f}/s) |")
    print(f"| WAL size, largest of {len(samples)} one-second samples | {max(samples) / 2**20:.1f} MB |")
    print(f"| WAL size, median sample | {sorted(samples)[len(samples) // 2] / 2**20:.1f} MB |")
    print(f"| database after the run | {db_bytes / 2**20:.1f} MB, {db_bytes / max(records, 1):,.0f} bytes per record |")
    print(f"| `audit verify` | {verify.stdout.strip().splitlines()[0] if verify.stdout.strip() else verify.stderr.strip()} ({verify_seconds:.1f} s) |")
    print(f"| `audit prune --before {tomorrow}` | {prune.stdout.strip() or prune.stderr.strip()} |")
    print(f"| database file after prune | {after / 2**20:.1f} MB (freed pages kept for reuse) |")
    if verify.returncode != 0 or max(samples) > 64 << 20:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
