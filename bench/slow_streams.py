#!/usr/bin/env python3
"""Many slow streams, one run on loopback: clients that read a long streamed answer at 1 byte/s
while the host could send it at once. The gateway must hold each stream to a bounded window
(it stops reading the host while its client is not reading) instead of buffering the answer,
and other clients must not notice.

nginx plays the inference host (bench/nginx.conf.in): the probe's JSON model, and a long answer
(--events SSE chunks of ~190 bytes, from a file, sent as fast as it is read). tappass (release
build, shipped defaults; TAPPASS_BIN picks another binary) routes to it. A probe client times
--probes sequential JSON chat completions on one kept-alive connection before, while --streams
streamed completions are open and read 1 byte per second each (socket receive buffer 4 KiB),
and --settle seconds after they are closed; at each point tappass's RSS and the bytes its
sockets from the host have received (the kernel's count, `ss -ti`): a gateway that buffered
answers for slow clients would read the hosts' answers whole. Every slow stream must still be
open and delivering at the end of --hold.

Usage: bench/slow-streams.sh [--streams 1000] [--hold 60] [--probes 300] [--settle 30]
"""
import argparse
import json
import resource
import socket
import sys
import tempfile
import threading
import time
import subprocess
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from connections import probe as probe_once  # noqa: E402
from gateway_overhead import TAPPASS, free_port, rss_kib, start_gateway, start_nginx, wait_port  # noqa: E402

def probe(port, key, count):
    # While the streams start, the hosts' first bursts (kernel buffers fill on every socket) keep
    # both cores busy for seconds: a probe waits them out rather than failing.
    return probe_once(port, key, count, timeout=120)


def write_long_answer(work, events):
    chunk = ("data: " + json.dumps({
        "id": "chatcmpl-long", "object": "chat.completion.chunk", "created": 1700000000, "model": "bench-long",
        "choices": [{"index": 0, "delta": {"content": " the quick brown fox jumps over the lazy dog"}, "finish_reason": None}],
    }) + "\n\n").encode()
    folder = work / "long" / "v1" / "chat"
    folder.mkdir(parents=True)
    work.chmod(0o755)  # nginx's workers read it as www-data
    (work / "long" / "v1" / "models").write_text('{"object":"list","data":[]}')
    with open(folder / "completions", "wb") as answer:
        for _ in range(events):
            answer.write(chunk)
        answer.write(b"data: [DONE]\n\n")


def received_from(port):
    """Bytes received so far on this host's established sockets to `port` (tcp_info)."""
    out = subprocess.run(["ss", "-tniH", "state", "established", f"( dport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    return sum(int(field.split(":", 1)[1]) for field in out.split() if field.startswith("bytes_received:"))


class SlowReaders:
    """Streamed requests whose sockets are read one byte per second each, on a thread."""

    def __init__(self, port, key, count):
        body = json.dumps({"model": "bench-long", "stream": True, "messages": [{"role": "user", "content": "Tell a long story."}]})
        request = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {key}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}").encode()
        self.sockets = []
        for _ in range(count):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", port))
            sock.sendall(request)
            self.sockets.append(sock)
        for sock in self.sockets:
            sock.settimeout(120)
            status = sock.recv(12)
            if status != b"HTTP/1.1 200":
                raise RuntimeError(f"a slow stream was answered {status!r}")
        self.received = [0] * count
        self.closed = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        for sock in self.sockets:
            sock.setblocking(False)
        while not self.stopping.wait(1.0):
            for index, sock in enumerate(self.sockets):
                if sock is None:
                    continue
                try:
                    data = sock.recv(1)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if data == b"":
                    self.closed += 1
                    sock.close()
                    self.sockets[index] = None
                else:
                    self.received[index] += 1

    def close(self):
        self.stopping.set()
        self.thread.join()
        for sock in self.sockets:
            if sock is not None:
                sock.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--hold", type=int, default=60, help="seconds the slow streams stay open")
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--settle", type=int, default=30, help="seconds to wait after closing them")
    parser.add_argument("--events", type=int, default=200_000, help="events in each long answer (~190 bytes each)")
    args = parser.parse_args()
    if not TAPPASS.exists():
        sys.exit(f"{TAPPASS} is missing: build it with 'swift build -c release' (bench/slow-streams.sh does)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # Each stream holds a client socket here and two in tappass (client and host).
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 2 * args.streams + 1024)), hard))

    work = Path(tempfile.mkdtemp(prefix="tappass-slow-streams-"))
    json_port, proxy_port, port = free_port(), free_port(), free_port()
    write_long_answer(work, args.events)
    nginx = start_nginx(work, json_port, proxy_port)
    gateway, key = start_gateway(work, "gateway", port, json_port, pools=("json", "long"), max_concurrent=4096)
    readers = None

    def host_sent():
        return received_from(json_port)

    try:
        wait_port(json_port), wait_port(port)
        time.sleep(1)
        probe(port, key, 50)
        rows = [("before", rss_kib(gateway.pid), host_sent(), *probe(port, key, args.probes))]
        readers = SlowReaders(port, key, args.streams)
        time.sleep(min(10, args.hold))
        rows.append((f"{args.streams:,} slow streams, 10 s in", rss_kib(gateway.pid), host_sent(), *probe(port, key, args.probes)))
        time.sleep(max(0, args.hold - 10))
        rows.append((f"{args.streams:,} slow streams, {args.hold} s in", rss_kib(gateway.pid), host_sent(),
                     *probe(port, key, args.probes)))
        still_open = sum(1 for sock in readers.sockets if sock is not None)
        delivering = sum(1 for count in readers.received if count >= args.hold // 2)
        readers.close()
        readers = None
        time.sleep(args.settle)
        rows.append((f"{args.settle} s after closing them", rss_kib(gateway.pid), host_sent(), *probe(port, key, args.probes)))
        print(f"# Slow streams (`bench/slow-streams.sh {' '.join(sys.argv[1:])}`; {TAPPASS}; each answer "
              f"{args.events:,} events, ~{args.events * 190 / 1e6:.0f} MB; clients read 1 byte/s; probe: {args.probes} "
              f"sequential JSON requests)\n")
        print(f"At {args.hold} s: {still_open:,} of {args.streams:,} streams open, {delivering:,} delivered a byte at least "
              f"every other second.\n")
        print("| state | tappass RSS | received from the host (open sockets) | probe p50 | probe p99 |")
        print("|---|---|---|---|---|")
        for name, rss, sent, p50, p99 in rows:
            print(f"| {name} | {rss / 1024:.1f} MiB | {sent / 1e6:,.0f} MB | {p50:.2f} ms | {p99:.2f} ms |")
    finally:
        if readers is not None:
            readers.close()
        gateway.terminate()
        nginx.terminate()


if __name__ == "__main__":
    main()
