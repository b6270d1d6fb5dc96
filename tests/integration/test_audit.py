"""The audit log through the real binary: records for real SDK calls, the CLI, a kill -9 under
load, and a full disk (a real small filesystem)."""
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import TAPPASS, Gateway, gateway_config


def export(gateway, *args):
    return [json.loads(line) for line in gateway.cli("audit", "export", *args).stdout.splitlines() if line]


def chat(base_url, key, content="hello", stream=False, timeout=10):
    body = {"model": "gpt-4o", "stream": stream, "messages": [{"role": "user", "content": content}]}
    request = urllib.request.Request(
        base_url + "/v1/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.headers.get("x-request-id"), response.read()


def test_sdk_calls_leave_one_record_each(gateway, client, anthropic_client):
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    completion = raw.parse()
    with client.chat.completions.with_streaming_response.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True, stream_options={"include_usage": True}
    ) as streamed:
        stream_id = streamed.headers["x-request-id"]
        chunks = list(streamed.parse())
    message = anthropic_client.messages.with_raw_response.create(
        model="claude-gateway-test", max_tokens=50, messages=[{"role": "user", "content": "hi"}]
    )
    records = {r["name"]: r for r in export(gateway) if r["kind"] == "request"}

    plain = records[raw.headers["x-request-id"]]
    assert plain["client"] == "openai-python"
    assert plain["endpoint"] == "/v1/chat/completions"
    assert (plain["model"], plain["routed_model"]) == ("gpt-4o", "mock-model")
    assert plain["host"].startswith("local/")
    assert (plain["status"], plain["outcome"], plain["verdict"]) == (200, "completed", "allow")
    assert plain["tokens_in"] == completion.usage.prompt_tokens and plain["tokens_out"] == completion.usage.completion_tokens
    assert plain["user"] == "alice" and plain["team"] == "eng" and plain["key_id"]
    # Each names the policy that judged it, as `policy show` names the one in force.
    shown = gateway.cli("policy", "show").stdout
    version = shown.split("version: ")[1].split()[0]
    digest = shown.split("document sha256: ")[1].split()[0]
    assert version == "sha256:" + digest[:16] and len(digest) == 64
    # An auditor can reproduce it from the document itself (here the built-in default's).
    assert digest == hashlib.sha256(gateway.cli("policy", "show", "--default").stdout[:-1].encode()).hexdigest()
    assert {records[i]["policy"] for i in (raw.headers["x-request-id"], stream_id, message.headers["x-request-id"])} == {version}

    streamed_record = records[stream_id]
    assert streamed_record["outcome"] == "completed"
    assert streamed_record["tokens_out"] == chunks[-1].usage.completion_tokens
    assert 0 < streamed_record["first_token_ms"] <= streamed_record["latency_ms"]

    anthropic_record = records[message.headers["x-request-id"]]
    assert anthropic_record["client"] == "anthropic-python"
    assert anthropic_record["endpoint"] == "/v1/messages"
    assert anthropic_record["tokens_out"] == message.parse().usage.output_tokens

    # The key creations are security events; no record carries a key. Content is kept as the
    # default policy says: redacted (test_governance.py checks what that means).
    events = [r["name"] for r in export(gateway) if r["kind"] == "event"]
    assert events.count("key.created") == 2 and "service.started" in events and "policy.applied" in events
    text = gateway.cli("audit", "export").stdout
    assert "tp_" not in text and "host-secret" not in text
    assert plain["detail"] == {"request": ["hi"], "response": "Hello from the mock host."}

    verified = gateway.cli("audit", "verify")
    assert verified.stdout.startswith("OK: ") and "records" in verified.stdout


def test_refusals_are_recorded_with_their_status(gateway, client):
    import openai

    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gpt-4o", messages="not a list")
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "hi"}])
    records = export(gateway, "--status", "404")
    assert [(r["model"], r["outcome"], r["user"]) for r in records] == [("nope", "refused", "alice")]
    assert len(export(gateway, "--status", "400")) == 1


def test_query_export_prove_and_prune_through_the_running_service(gateway, client):
    for _ in range(5):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    table = gateway.cli("audit", "query", "--user", "alice").stdout.splitlines()
    assert table[0].startswith("SEQ") and len(table) == 6
    csv = gateway.cli("audit", "export", "--format", "csv", "--team", "eng").stdout.splitlines()
    assert csv[0].startswith("seq,time,kind") and len(csv) == 6

    checkpoints = gateway.tmp_path / "checkpoints.json"
    gateway.cli("audit", "checkpoint", "export", "--output", str(checkpoints))
    exported = json.loads(checkpoints.read_text())
    proof_path = gateway.tmp_path / "proof.json"
    proof_path.write_text(gateway.cli("audit", "prove", "--seq", "3").stdout)
    def check_proof():
        command = [str(TAPPASS), "audit", "check-proof", str(proof_path), "--public-key", exported["public_key"]]
        return subprocess.run(command, capture_output=True, text=True)

    checked = check_proof()
    assert checked.returncode == 0 and checked.stdout.startswith("OK: record 3"), checked.stderr
    forged = json.loads(proof_path.read_text())
    forged["leaf_hash"] = "00" * 32
    proof_path.write_text(json.dumps(forged))
    assert check_proof().returncode == 1

    time.sleep(0.01)
    pruned = gateway.cli("audit", "prune", "--before", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1)))
    assert pruned.stdout.startswith("pruned ")
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "after"}])
    verified = gateway.cli("audit", "verify", "--checkpoint", str(checkpoints))
    assert verified.returncode == 0, verified.stdout
    assert "pruned through" in verified.stdout
    assert export(gateway)[-1]["outcome"] == "completed"


def test_kill_9_under_load_loses_no_record_of_a_completed_response(tmp_path, mocks):
    gateway = Gateway(tmp_path, gateway_config(tmp_path, [m.url for m in mocks]))
    key = gateway.create_key()
    completed, stop = [], threading.Event()

    def load():
        while not stop.is_set():
            try:
                status, request_id, body = chat(gateway.base_url, key, stream=len(completed) % 2 == 0)
                if status == 200 and (b"[DONE]" in body or b'"choices"' in body):
                    completed.append(request_id)
            except Exception:
                return

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    gateway.proc.send_signal(signal.SIGKILL)
    gateway.proc.wait()
    stop.set()
    for thread in threads:
        thread.join()
    gateway.stderr.close()
    assert len(completed) > 50

    database = tmp_path / "state" / "audit.sqlite"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        recorded = {row[0] for row in db.execute("SELECT name FROM entry WHERE kind = 'request'")}
    missing = [r for r in completed if r not in recorded]
    assert missing == []
    verified = gateway.cli("audit", "verify")
    assert verified.stdout.startswith("OK: ")

    # The service starts again on the same log and goes on appending to the same chain.
    again = Gateway(tmp_path, None)
    try:
        chat(again.base_url, key)
        assert again.cli("audit", "verify").stdout.startswith("OK: ")
    finally:
        again.stop()


@pytest.fixture
def small_filesystem(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)])


def test_full_disk_fails_closed_with_503_and_recovers_by_itself(tmp_path, mocks, small_filesystem):
    extra = f"audit:\n  path: {small_filesystem}/audit.sqlite\n"
    gateway = Gateway(tmp_path, gateway_config(tmp_path, [m.url for m in mocks], extra=extra))
    try:
        key = gateway.create_key()
        assert chat(gateway.base_url, key)[0] == 200
        filler = small_filesystem / "filler"
        with open(filler, "wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        refused = []
        for _ in range(40):
            try:
                chat(gateway.base_url, key, content="x" * 2000)
            except urllib.error.HTTPError as error:
                refused.append((error.code, json.loads(error.read())))
                if len(refused) >= 2:
                    break
        assert refused, "a full disk never refused a request"
        status, body = refused[-1]
        assert status == 503 and body["error"]["code"] == "governance_unavailable"
        assert "audit log cannot be written" in body["error"]["message"]
        assert "audit log cannot be written" in gateway.log()
        # Ready no more while it cannot record.
        with pytest.raises(urllib.error.HTTPError) as ready:
            urllib.request.urlopen(gateway.base_url + "/readyz", timeout=5)
        assert ready.value.code == 503

        filler.unlink()
        deadline = time.monotonic() + 10
        while True:
            try:
                assert chat(gateway.base_url, key)[0] == 200
                break
            except urllib.error.HTTPError:
                assert time.monotonic() < deadline, "did not recover after space came back"
                time.sleep(0.3)
        assert "audit log writable again" in gateway.log()
    finally:
        gateway.stop()
    verified = gateway.cli("audit", "verify")
    assert verified.stdout.startswith("OK: "), verified.stdout
