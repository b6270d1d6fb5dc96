"""sd_notify readiness without systemd: a NOTIFY_SOCKET listener like systemd's, on a temp path."""
import os
import signal
import socket
import subprocess

from conftest import TAPPASS, _wait_for_line


def test_ready_then_stopping_are_sent_to_notify_socket(tmp_path):
    path = str(tmp_path / "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(20)
    proc = subprocess.Popen(
        [str(TAPPASS), "serve", "--demo", "--listen", "127.0.0.1:0"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, env=dict(os.environ, NOTIFY_SOCKET=path),
    )
    try:
        line = _wait_for_line(proc, "tappass: listening on ")
        ready = listener.recv(4096).decode()
        fields = dict(item.split("=", 1) for item in ready.splitlines())
        assert fields["READY"] == "1"
        assert fields["STATUS"].startswith("Serving on 127.0.0.1:") and fields["STATUS"].split(":")[-1] in line
        proc.send_signal(signal.SIGTERM)
        stopping = listener.recv(4096).decode()
        assert "STOPPING=1" in stopping.splitlines()
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        listener.close()
