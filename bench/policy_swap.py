#!/usr/bin/env python3
"""Signed policy bundles applied live: how long an import takes to be in force, and what the
swap does to requests under steady load. One run on loopback.

nginx plays the inference host (bench/nginx.conf.in); tappass (release build, shipped defaults:
default policy, strict audit, info logging) routes to it. A signing key is pinned through the
admin socket, then bundles 1..N are built and signed with the same binary. Two bundles alternate
in what they say about the model `bench-probe` (denied / allowed), so a client can see which one
is in force.

  import-to-applied: from the start of `tappass policy import FILE` until the first answer judged
                     by the new bundle (a client polling on one keep-alive connection), and the
                     command's own wall time (process start, admin socket, verify, fsync, swap)
                     beside a bare process start; and that a request sent once the command has
                     returned meets the new bundle.
  swap under load:   wrk at C connections, JSON and SSE, in alternating windows: steady (no
                     import) and importing (a new bundle every --every seconds); requests/s,
                     p50/p99 and errors per window. Any failed or non-2xx request fails the run.

Usage: bench/policy-swap.sh [--seconds N] [--rounds N] [--connections C] [--every S]
"""
import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gateway_overhead import TAPPASS, free_port, start_gateway, start_nginx, wait_port, wrk  # noqa: E402

POLICY = """version: 1
name: bench-{version}
actions:
  secret: redact
  pii: {pii}
models:
  deny: [{deny}]
"""


def cli(config, *args):
    return subprocess.run([str(TAPPASS), *map(str, args), "--config", str(config)], capture_output=True, text=True, check=True)


def make_bundles(work, config, count):
    """Bundles 1..count, signed by one pinned key; odd versions deny bench-probe, even allow it."""
    workstation = work / "workstation"
    (workstation / "src").mkdir(parents=True)
    subprocess.run([str(TAPPASS), "policy", "keygen", "--out", workstation / "signer"], capture_output=True, check=True)
    cli(config, "policy", "trust", "add", workstation / "signer.pub", "--org", "bench")
    bundles = []
    for version in range(1, count + 1):
        deny = "bench-probe" if version % 2 else "nothing-*"
        pii = "flag" if version % 2 else "redact"
        (workstation / "src" / "policy.yaml").write_text(POLICY.format(version=version, deny=deny, pii=pii))
        out = workstation / f"b{version}.tpb"
        subprocess.run([str(TAPPASS), "policy", "build", workstation / "src", "--org", "bench", "--bundle-version", str(version),
                        "-o", out], capture_output=True, check=True)
        subprocess.run([str(TAPPASS), "policy", "sign", out, "--key", workstation / "signer"], capture_output=True, check=True)
        bundles.append(out)
    return bundles


class Probe:
    """Asks for bench-probe in a loop on one keep-alive connection; notes when the answer flips."""

    def __init__(self, port, key):
        self.port, self.key = port, key
        self.flips = []  # (monotonic time, allowed)
        self.stop = threading.Event()
        self.allowed = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def ask(self, connection):
        body = json.dumps({"model": "bench-probe", "messages": [{"role": "user", "content": "ping"}]})
        connection.request("POST", "/v1/chat/completions", body,
                           {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        if response.status not in (200, 403):
            raise RuntimeError(f"probe: status {response.status}")
        return response.status == 200

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self.stop.is_set():
            allowed = self.ask(connection)
            if allowed != self.allowed:
                self.allowed = allowed
                self.flips.append((time.monotonic(), allowed))


def import_bundle(config, bundle):
    start = time.monotonic()
    out = cli(config, "policy", "import", bundle).stdout
    if "imported: bundle version" not in out:
        raise RuntimeError(f"import {bundle}: {out}")
    return start, time.monotonic()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=6, help="length of each load window")
    parser.add_argument("--rounds", type=int, default=3, help="steady/importing window pairs per kind")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--every", type=float, default=0.25, help="seconds between imports while importing")
    parser.add_argument("--probes", type=int, default=20, help="imports timed with the polling probe")
    args = parser.parse_args()
    if not TAPPASS.exists():
        sys.exit(f"{TAPPASS} is missing: build it with 'swift build -c release' (bench/policy-swap.sh does)")

    work = Path(tempfile.mkdtemp(prefix="tappass-swap-"))
    mock_port, proxy_port, gateway_port = free_port(), free_port(), free_port()
    nginx = start_nginx(work, mock_port, proxy_port)
    # One more model on the JSON pool, for the probe: listed after the template's models.
    gateway, key = start_gateway(work, "gateway", gateway_port, mock_port, "  - {name: bench-probe, pool: json}\n")
    config = work / "gateway.yaml"
    try:
        wait_port(mock_port), wait_port(gateway_port)
        time.sleep(0.5)
        windows = 2 * args.rounds * int(args.seconds / args.every + 2)
        bundles = iter(make_bundles(work, config, args.probes + windows))

        # 1. Import-to-applied, with nothing else running but the probe.
        probe = Probe(gateway_port, key)
        probe.thread.start()
        applied, commands, in_force_on_return = [], [], 0
        checker = Probe(gateway_port, key)
        check_connection = http.client.HTTPConnection("127.0.0.1", gateway_port, timeout=10)
        for _ in range(args.probes):
            time.sleep(0.1)
            seen = len(probe.flips)
            before = checker.ask(check_connection)
            start, end = import_bundle(config, next(bundles))
            commands.append(end - start)
            # A request sent after the command returned meets the new bundle.
            in_force_on_return += checker.ask(check_connection) != before
            deadline = time.monotonic() + 5
            while len(probe.flips) == seen and time.monotonic() < deadline:
                time.sleep(0.001)
            if len(probe.flips) == seen:
                raise RuntimeError("the probe never saw the new bundle in force")
            applied.append(probe.flips[seen][0] - start)
        probe.stop.set()
        probe.thread.join()
        spawn = []
        for _ in range(10):
            start = time.monotonic()
            subprocess.run([str(TAPPASS), "--version"], capture_output=True, check=True)
            spawn.append(time.monotonic() - start)

        # 2. Steady and importing windows, alternating, JSON and SSE.
        def body(model, stream):
            return json.dumps({"model": model, "stream": stream, "messages": [{"role": "user", "content": "Say hello."}]})

        results = {}
        imports_done = [0]
        for round_index in range(args.rounds):
            for kind in ("json", "sse"):
                order = ("steady", "importing") if round_index % 2 == 0 else ("importing", "steady")
                for window in order:
                    stop = threading.Event()

                    def importer():
                        while not stop.wait(args.every):
                            import_bundle(config, next(bundles))
                            imports_done[0] += 1

                    thread = threading.Thread(target=importer, daemon=True)
                    if window == "importing":
                        thread.start()
                    result = wrk(f"http://127.0.0.1:{gateway_port}/v1/chat/completions",
                                 body(f"bench-{kind}", kind == "sse"), key, args.connections, args.seconds)
                    stop.set()
                    if window == "importing":
                        thread.join()
                    results.setdefault((kind, window), []).append(result)

        ms = 1000
        print(f"tappass policy-swap benchmark ({TAPPASS}), command: bench/policy-swap.sh " + " ".join(sys.argv[1:]))
        print(f"\nimport-to-applied over {len(applied)} imports (bundle of ~100 bytes of policy, one signature):")
        print(f"  first request judged by the new bundle: p50 {statistics.median(applied) * ms:.1f} ms, "
              f"max {max(applied) * ms:.1f} ms after the import began")
        print(f"  'tappass policy import' wall time:      p50 {statistics.median(commands) * ms:.1f} ms, "
              f"max {max(commands) * ms:.1f} ms")
        print(f"  of which starting a tappass process:    p50 {statistics.median(spawn) * ms:.1f} ms ('tappass --version')")
        print(f"  in force when the command returned:     {in_force_on_return}/{len(applied)}")
        print(f"\nswap under load: wrk -c {args.connections}, {args.seconds} s windows x {args.rounds}, "
              f"a new bundle every {args.every} s while importing ({imports_done[0]} imports in all)")
        print(f"  {'kind':5} {'window':10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7}")
        for (kind, window), runs in sorted(results.items()):
            rps = statistics.median(r["rps"] for r in runs)
            p50 = statistics.median(r["p50_us"] for r in runs) / 1000
            p99 = statistics.median(r["p99_us"] for r in runs) / 1000
            failed = sum(r["errors"] + r["non2xx"] for r in runs)
            print(f"  {kind:5} {window:10} {rps:9.0f} {p50:8.2f} {p99:8.2f} {failed:7d}")
    finally:
        gateway.terminate()
        nginx.terminate()
        gateway.wait(timeout=20)
        nginx.wait(timeout=20)


if __name__ == "__main__":
    main()
