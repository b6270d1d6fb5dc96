"""Fixtures that run the real `tappass` binary and real mock inference hosts on loopback.

The binaries come from the Swift build (`make build`); TAPPASS_BIN_DIR overrides where.
"""
import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("TAPPASS_BIN_DIR", ROOT / ".build" / "debug")).resolve()
TAPPASS = BIN_DIR / "tappass"
MOCK = BIN_DIR / "tappass-mock-upstream"


def _wait_for_line(proc, prefix, timeout=30):
    """Reads the process's stdout until a line starting with `prefix`; returns that line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} before it was ready")
            continue
        if line.startswith(prefix):
            return line.strip()
    raise TimeoutError(f"no '{prefix}' line from {proc.args}")


class MockHost:
    def __init__(self, name):
        self.proc = subprocess.Popen(
            [str(MOCK), "--name", name, "--port", "0"], stdout=subprocess.PIPE, text=True
        )
        line = _wait_for_line(self.proc, "mock-upstream listening on ")
        self.port = int(line.rsplit(":", 1)[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def behave(self, **behavior):
        self._post("/_mock/behavior", behavior)

    def stats(self):
        with urllib.request.urlopen(self.url + "/_mock/stats", timeout=5) as response:
            return json.load(response)

    def _post(self, path, body):
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=5).read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Gateway:
    """A running `tappass serve` with its config file and state folder under tmp_path."""

    def __init__(self, tmp_path, config_text=None, demo=False, extra_args=()):
        self.tmp_path = tmp_path
        self.config_path = tmp_path / "appliance.yaml"
        if config_text is not None:
            self.config_path.write_text(config_text)
        args = [str(TAPPASS), "serve", "--listen", "127.0.0.1:0", *extra_args]
        args += ["--demo"] if demo else ["--config", str(self.config_path)]
        self.stderr = open(tmp_path / "tappass.stderr", "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, text=True, cwd=tmp_path)
        line = _wait_for_line(self.proc, "tappass: listening on ")
        self.port = int(line.split("http://127.0.0.1:", 1)[1].split()[0])
        self.base_url = f"http://127.0.0.1:{self.port}"

    def cli(self, *args, check=True):
        command = [str(TAPPASS), *args, "--config", str(self.config_path)]
        return subprocess.run(command, capture_output=True, text=True, check=check, cwd=self.tmp_path)

    def create_key(self, user="alice", team="eng", models=None):
        args = ["keys", "create", "--user", user, "--team", team]
        if models:
            args += ["--models", models]
        return self.cli(*args).stdout.strip()

    def log(self):
        self.stderr.flush()
        return (self.tmp_path / "tappass.stderr").read_text()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        return self.proc.returncode


def gateway_config(tmp_path, hosts, breaker_failures=3, health_interval="30s", first_byte="10s", idle="5s", extra=""):
    lines = [
        f"state_dir: {tmp_path}/state",
        f"admin_socket: {tmp_path}/state/admin.sock",
        "limits:",
        "  max_body_bytes: 65536",
        "  timeouts:",
        f"    connect: 1s\n    first_byte: {first_byte}\n    idle: {idle}\n    total: 60s",
        "upstreams:",
        "  local:",
        "    kind: llamacpp",
        f"    health: {{interval: {health_interval}, timeout: 1s, unhealthy_after: 1}}",
        f"    breaker: {{failures: {breaker_failures}, open_for: 60s}}",
        "    hosts:",
    ]
    for host in hosts:
        lines.append(f"      - url: {host}/v1")
        lines.append("        api_key: host-secret-do-not-log")
    lines += [
        "models:",
        "  - name: gpt-*",
        "    pool: local",
        "    model: mock-model",
        "  - name: claude-*",
        "    pool: local",
        "    model: mock-model",
        "  - name: text-embedding-*",
        "    pool: local",
        "  - name: echo",
        "    pool: echo",
    ]
    return "\n".join(lines) + "\n" + extra


@pytest.fixture
def mocks():
    hosts = [MockHost("A"), MockHost("B")]
    yield hosts
    for host in hosts:
        host.stop()


@pytest.fixture
def gateway(tmp_path, mocks):
    instance = Gateway(tmp_path, gateway_config(tmp_path, [m.url for m in mocks]))
    yield instance
    instance.stop()


@pytest.fixture
def client(gateway):
    from openai import OpenAI

    return OpenAI(base_url=gateway.base_url + "/v1", api_key=gateway.create_key(), max_retries=0, timeout=20)


@pytest.fixture
def anthropic_client(gateway):
    import anthropic

    return anthropic.Anthropic(base_url=gateway.base_url, api_key=gateway.create_key(), max_retries=0, timeout=20)
