"""sd_notify without systemd: a NOTIFY_SOCKET listener like systemd's, on a temp path. READY
after the listener is bound with a one-line STATUS, WATCHDOG pings at a third of WATCHDOG_USEC,
RELOADING (with MONOTONIC_USEC) then READY around a SIGHUP, STOPPING on SIGTERM, exit 0."""
import os
import re
import signal
import socket
import subprocess
import time

from conftest import TAPPASS, _wait_for_line


def receive_until(listener, key, deadline=20):
    """Datagrams as field dicts, up to and including the first that has `key`."""
    seen = []
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        listener.settimeout(max(0.1, end - time.monotonic()))
        fields = dict(item.split("=", 1) for item in listener.recv(4096).decode().splitlines() if "=" in item)
        seen.append(fields)
        if key in fields:
            return seen
    raise AssertionError(f"no {key} in {seen}")


def test_ready_watchdog_reloading_and_stopping_are_sent_to_notify_socket(tmp_path):
    path = str(tmp_path / "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    proc = subprocess.Popen(
        [str(TAPPASS), "serve", "--demo", "--listen", "127.0.0.1:0"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, env=dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="900000"),
    )
    try:
        _wait_for_line(proc, "tappass: listening on ")
        ready = receive_until(listener, "READY")[-1]
        assert ready["READY"] == "1"
        assert re.fullmatch(r"serving 1 model, 1/1 hosts healthy, license: evaluation, (29|30) days left", ready["STATUS"])
        # Pings at a third of the interval while the event loops and the audit writer answer.
        started = time.monotonic()
        receive_until(listener, "WATCHDOG", deadline=3)
        receive_until(listener, "WATCHDOG", deadline=3)
        assert time.monotonic() - started < 2.5

        proc.send_signal(signal.SIGHUP)
        reloading = receive_until(listener, "RELOADING")[-1]
        assert reloading["RELOADING"] == "1" and int(reloading["MONOTONIC_USEC"]) > 0
        assert receive_until(listener, "READY")[-1]["READY"] == "1"

        proc.send_signal(signal.SIGTERM)
        assert receive_until(listener, "STOPPING")[-1]["STOPPING"] == "1"
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        listener.close()
