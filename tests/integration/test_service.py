"""The `tappass` process: demo mode, keys applied live, SIGTERM drain, config errors."""
import json
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import openai
import pytest
from openai import OpenAI

from conftest import TAPPASS, Gateway, gateway_config


def test_demo_mode_streams_the_echo_model(tmp_path):
    demo = Gateway(tmp_path, demo=True)
    try:
        client = OpenAI(base_url=demo.base_url + "/v1", api_key="tp-demo-key", max_retries=0)
        message = "Governed  words,\nexactly as sent, " + " ".join(f"word{i}" for i in range(30)) + "."
        stream = client.chat.completions.create(
            model="claude-sonnet-4-5", messages=[{"role": "user", "content": message}], stream=True
        )
        pieces = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
        assert "".join(pieces) == message
        # Word by word, a short window behind the echo model (the output filter's hold-back).
        assert len(pieces) >= 20, "streamed as it is generated"
        assert (tmp_path / ".tappass-demo" / "keys.sqlite").exists()
        with pytest.raises(openai.AuthenticationError):
            OpenAI(base_url=demo.base_url + "/v1", api_key="sk-other", max_retries=0).models.list()
    finally:
        assert demo.stop() == 0


def test_keys_created_and_revoked_apply_at_once(gateway):
    key = gateway.create_key("bob")
    client = OpenAI(base_url=gateway.base_url + "/v1", api_key=key, max_retries=0)
    assert [m.id for m in client.models.list()] == ["echo"]
    listed = json.loads(gateway.cli("keys", "list", "--json").stdout)
    key_id = next(k["id"] for k in listed if k["user"] == "bob")
    assert "secret" not in json.dumps(listed) and key not in json.dumps(listed)
    gateway.cli("keys", "revoke", key_id)
    with pytest.raises(openai.AuthenticationError) as raised:
        client.models.list()
    assert "revoked" in raised.value.body["message"]


def test_keys_work_without_a_running_service(tmp_path):
    config = tmp_path / "appliance.yaml"
    config.write_text(f"state_dir: {tmp_path}/state\nadmin_socket: {tmp_path}/state/admin.sock\n")
    created = subprocess.run([str(TAPPASS), "keys", "create", "--user", "u", "--team", "t", "--expires", "2030-01-01", "--config", str(config)],
                             capture_output=True, text=True, check=True)
    assert created.stdout.startswith("tp_")
    listed = subprocess.run([str(TAPPASS), "keys", "list", "--config", str(config)], capture_output=True, text=True, check=True)
    assert "2030-01-02" in listed.stdout and "active" in listed.stdout


def test_sigterm_drains_in_flight_streams_then_exits_0(tmp_path, mocks):
    gateway = Gateway(tmp_path, gateway_config(tmp_path, [m.url for m in mocks]))
    for mock in mocks:
        mock.behave(chunk_delay_ms=50, reply_words=["w"] * 30)
    client = OpenAI(base_url=gateway.base_url + "/v1", api_key=gateway.create_key(), max_retries=0)
    stream = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True)
    first = next(iter(stream))
    gateway.proc.send_signal(signal.SIGTERM)
    rest = list(stream)
    text = (first.choices[0].delta.content or "") + "".join(c.choices[0].delta.content or "" for c in rest if c.choices)
    assert text == " ".join(["w"] * 30)
    assert gateway.proc.wait(timeout=20) == 0
    gateway.stderr.close()


def test_health_ready_and_metrics(gateway, client):
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    for path in ("/healthz", "/readyz"):
        with urllib.request.urlopen(gateway.base_url + path, timeout=5) as response:
            assert response.status == 200
    with urllib.request.urlopen(gateway.base_url + "/readyz", timeout=5) as response:
        assert json.loads(response.read()) == {"status": "ready"}
    status = gateway.cli("status")
    assert status.stdout.startswith("ready: serving ") and "hosts healthy" in status.stdout
    metrics = urllib.request.urlopen(gateway.base_url + "/metrics", timeout=5).read().decode()
    assert 'tappass_requests_total{route="/v1/chat/completions",model="gpt-4o",status="200"} 1' in metrics
    assert "tappass_upstream_breaker_state" in metrics


def test_readyz_fails_when_no_host_is_healthy(tmp_path, mocks):
    config = gateway_config(tmp_path, [m.url for m in mocks], health_interval="200ms")
    config = config.replace("  - name: echo\n    pool: echo\n", "")
    gateway = Gateway(tmp_path, config)
    try:
        for mock in mocks:
            mock.behave(health_status=500)
        deadline = time.monotonic() + 5
        status = 200
        while time.monotonic() < deadline and status == 200:
            try:
                status = urllib.request.urlopen(gateway.base_url + "/readyz", timeout=2).status
            except urllib.error.HTTPError as error:
                status = error.code
            time.sleep(0.1)
        assert status == 503
    finally:
        gateway.stop()


@pytest.mark.parametrize(
    "text, located",
    [
        ("listen:\n  port: eighty\n", "appliance.yaml:2:9: listen.port: expected an integer"),
        ("upstreams:\n  gpu:\n    kind: vllm\n    hosts:\n      - url: nope\n", "appliance.yaml:5:14: upstreams.gpu.hosts[0].url"),
        ("models:\n  - name: x\n    pool: missing\n", "appliance.yaml:3:11: models[0].pool: no pool named 'missing'"),
    ],
)
def test_invalid_config_is_located_and_nothing_starts(tmp_path, text, located):
    config = tmp_path / "appliance.yaml"
    config.write_text(text)
    checked = subprocess.run([str(TAPPASS), "config", "check", "--config", str(config)], capture_output=True, text=True)
    assert checked.returncode == 2
    assert located in checked.stderr
    served = subprocess.run([str(TAPPASS), "serve", "--config", str(config)], capture_output=True, text=True, timeout=30)
    assert served.returncode == 2 and "listening" not in served.stdout


def test_config_check_prints_the_effective_config_with_secrets_masked(gateway):
    checked = gateway.cli("config", "check")
    assert checked.stdout.splitlines()[0].endswith("appliance.yaml: OK")
    assert "host-secret-do-not-log" not in checked.stdout
    assert "max_json_depth: 64" in checked.stdout and "kind: llamacpp" in checked.stdout
