"""`tappass config reload` and SIGHUP: routes change live, a bad file changes nothing and is
named, and the audit log records both."""
import signal
import time

import openai
import pytest

from conftest import Gateway, gateway_config
from test_audit import export

MISTRAL = "  - name: mistral-small\n    pool: local\n    model: mock-model\n"


def ask(client, model):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])


def test_config_reload_applies_routes_live_and_refuses_a_bad_file(tmp_path, mocks):
    config = gateway_config(tmp_path, [m.url for m in mocks])
    gateway = Gateway(tmp_path, config)
    try:
        client = openai.OpenAI(base_url=gateway.base_url + "/v1", api_key=gateway.create_key(), max_retries=0, timeout=20)
        with pytest.raises(openai.NotFoundError):
            ask(client, "mistral-small")
        # A route added to the file is served after the reload, with no restart.
        with_mistral = config.replace("models:\n", "models:\n" + MISTRAL)
        gateway.config_path.write_text(with_mistral)
        good = gateway.cli("config", "reload")
        assert "applied: models" in good.stdout
        assert ask(client, "mistral-small").choices[0].message.content
        # A broken file is refused with its location, and the running routes stay.
        gateway.config_path.write_text(with_mistral.replace("max_body_bytes: 65536", "max_body_bytes: lots"))
        bad = gateway.cli("config", "reload", check=False)
        assert bad.returncode == 2
        assert f"{gateway.config_path}:4:" in bad.stderr and "limits.max_body_bytes" in bad.stderr
        assert "running configuration stays" in bad.stderr
        assert ask(client, "mistral-small").choices[0].message.content
        # SIGHUP (`systemctl reload`) re-reads the file too; a new state folder waits for a restart.
        gateway.config_path.write_text(config.replace(f"state_dir: {tmp_path}/state", f"state_dir: {tmp_path}/elsewhere"))
        gateway.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while True:
            try:
                ask(client, "mistral-small")
            except openai.NotFoundError:
                break
            assert time.time() < deadline, "SIGHUP did not reload the configuration"
            time.sleep(0.1)
        assert ask(client, "gpt-4o").choices[0].message.content
    finally:
        gateway.stop()
    assert "host-secret-do-not-log" not in (tmp_path / "tappass.stderr").read_text()
    gateway.config_path.write_text(config)  # the state folder the service used
    events = [(r["name"], r["detail"]) for r in export(gateway) if r["kind"] == "event" and r["name"].startswith("config.")]
    assert [name for name, _ in events] == ["config.reloaded", "config.rejected", "config.reloaded"]
    assert events[0][1]["applied"] == "models" and events[0][1]["restart_required"] == ""
    assert "max_body_bytes" in events[1][1]["error"]
    assert events[2][1]["applied"] == "models" and events[2][1]["restart_required"] == "state_dir"
