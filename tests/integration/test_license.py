"""Offline license activation through the real binary: the customer's activation request, the
vendor's issuing tool (with the development key that debug builds trust), activation through the
running service and without one, the audit events, and fail-closed serving when the evaluation
period is over."""
import base64
import json
import re
import subprocess
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import BIN_DIR, ROOT, TAPPASS, Gateway, gateway_config

ISSUER = BIN_DIR / "tappass-license-issuer"
DEV_KEY = ROOT / "Tests" / "Fixtures" / "license" / "development-vendor.key"


def activation_request(tmp_path):
    path = tmp_path / "activation-request.json"
    subprocess.run([str(TAPPASS), "license", "request", "--output", str(path)], check=True, capture_output=True, text=True)
    request = json.loads(path.read_text())
    assert request["format"] == "tappass-activation-request/1" and len(request["machine"]) == 64
    machine_id = Path("/etc/machine-id").read_text().strip()
    assert machine_id not in path.read_text()  # the raw machine id never leaves the box
    return path


def issue(tmp_path, request, name="license.json", *extra, seats=50):
    out = tmp_path / name
    subprocess.run(
        [str(ISSUER), "issue", "--signing-key", str(DEV_KEY), "--key-id", "tappass-development", "--request", str(request),
         "--customer", "Acme Corp", "--org-id", "acme", "--seats", str(seats), "--output", str(out), *extra],
        check=True, capture_output=True, text=True,
    )
    return out


def show(gateway):
    return json.loads(gateway.cli("license", "show", "--json").stdout)


def metrics(gateway):
    return urllib.request.urlopen(gateway.base_url + "/metrics", timeout=5).read().decode()


def events(gateway, name):
    lines = gateway.cli("audit", "export").stdout.splitlines()
    return [r for r in map(json.loads, lines) if r["kind"] == "event" and r["name"] == name]


def test_offline_activation_through_the_running_service(gateway, tmp_path):
    assert show(gateway)["state"] == "evaluation" and show(gateway)["serving"]
    request = activation_request(tmp_path)
    license_file = issue(tmp_path, request, "license.json", "--edition", "enterprise", "--days", "365")

    done = gateway.cli("license", "activate", str(license_file))
    assert done.stdout.startswith("activated: licensed to Acme Corp (enterprise, 50 seats)")
    status = show(gateway)
    assert (status["state"], status["customer"], status["org_id"], status["seats"]) == ("licensed", "Acme Corp", "acme", 50)
    activated = events(gateway, "license.activated")
    assert len(activated) == 1
    assert activated[0]["detail"]["license_id"] == status["license_id"]
    assert activated[0]["detail"]["source"] == str(license_file)
    assert activated[0]["detail"]["key_id"] == "tappass-development"

    # A tampered copy (more seats): refused with the reason, exit 2, the license in force stays.
    envelope = json.loads(license_file.read_text())
    terms = json.loads(base64.b64decode(envelope["payload"]))
    terms["seats"] = 5000
    envelope["payload"] = base64.b64encode(json.dumps(terms).encode()).decode()
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(envelope))
    refused = gateway.cli("license", "activate", str(tampered), check=False)
    assert refused.returncode == 2
    assert "bad_signature" in refused.stderr and "the license in force stays" in refused.stderr
    assert show(gateway)["license_id"] == status["license_id"] and show(gateway)["seats"] == 50

    # A license for another machine, properly signed: refused too.
    other = json.loads(request.read_text())
    other["machine"] = "ab" * 32
    other["components"] = [dict(c, digest=f"{i:02x}" * 32) for i, c in enumerate(other["components"])]
    other_request = tmp_path / "other-request.json"
    other_request.write_text(json.dumps(other))
    wrong = gateway.cli("license", "activate", str(issue(tmp_path, other_request, "other.json")), check=False)
    assert wrong.returncode == 2 and "wrong_machine" in wrong.stderr

    # Another box told it is this one (its /etc/machine-id copied): the machine-id fingerprint
    # and component match, the box's other components do not. Shown where this host has more
    # than its machine id to bind to (a container may have nothing else).
    mine = json.loads(request.read_text())
    if len(mine["components"]) >= 2:
        copied = dict(mine, components=[c if c["kind"] == "machine-id" else dict(c, digest="cd" * 32) for c in mine["components"]])
        copied_request = tmp_path / "copied-request.json"
        copied_request.write_text(json.dumps(copied))
        impostor = gateway.cli("license", "activate", str(issue(tmp_path, copied_request, "copied.json")), check=False)
        assert impostor.returncode == 2 and "wrong_machine" in impostor.stderr and "machine components" in impostor.stderr

    # Not a license at all: the file is named in the refusal, nothing changes.
    garbage = tmp_path / "notes.txt"
    garbage.write_text("hello")
    assert gateway.cli("license", "activate", str(garbage), check=False).returncode == 2

    codes = [e["detail"]["code"] for e in events(gateway, "license.refused")]
    assert codes == ["bad_signature", "wrong_machine"] + ["wrong_machine"] * (len(mine["components"]) >= 2) + ["malformed"]
    assert all(e["detail"]["source"].endswith((".json", ".txt")) for e in events(gateway, "license.refused"))
    assert gateway.cli("audit", "verify").stdout.startswith("OK: ")


def test_an_ended_evaluation_fails_closed_until_a_license_is_activated(tmp_path, mocks):
    import anthropic
    import openai

    license_dir = tmp_path / "state" / "license"
    license_dir.mkdir(parents=True)
    started = datetime.now(timezone.utc) - timedelta(days=31)
    (license_dir / "evaluation-start").write_text(started.strftime("%Y-%m-%dT%H:%M:%SZ") + "\n")
    gateway = Gateway(tmp_path, gateway_config(tmp_path, [m.url for m in mocks]))
    try:
        key = gateway.create_key()
        client = openai.OpenAI(base_url=gateway.base_url + "/v1", api_key=key, max_retries=0, timeout=20)
        with pytest.raises(openai.InternalServerError) as raised:
            client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
        assert raised.value.status_code == 503 and raised.value.code == "license_required"
        assert "evaluation period ended" in raised.value.message
        claude = anthropic.Anthropic(base_url=gateway.base_url, api_key=key, max_retries=0, timeout=20)
        with pytest.raises(anthropic.APIStatusError) as refused:
            claude.messages.create(model="claude-x", max_tokens=5, messages=[{"role": "user", "content": "hi"}])
        assert refused.value.status_code == 503
        with pytest.raises(urllib.error.HTTPError) as ready:
            urllib.request.urlopen(gateway.base_url + "/readyz", timeout=5)
        # Strangers learn only that it is not ready; administrators learn why.
        assert ready.value.code == 503 and json.loads(ready.value.read()) == {"status": "not_ready"}
        status = gateway.cli("status", check=False)
        assert status.returncode == 1 and "not ready" in status.stdout and "license" in status.stdout
        assert show(gateway)["state"] == "evaluation-ended" and not show(gateway)["serving"]
        assert mocks[0].stats()["requests"] + mocks[1].stats()["requests"] == 0

        assert "tappass_license_serving 0" in metrics(gateway)

        # Activation applies at once: the same client is served, no restart.
        gateway.cli("license", "activate", str(issue(tmp_path, activation_request(tmp_path), "license.json", "--days", "10")))
        answer = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
        assert answer.choices[0].message.content
        scraped = metrics(gateway)
        assert "tappass_license_serving 1" in scraped
        until = float(re.search(r"^tappass_license_valid_until_timestamp_seconds (\S+)$", scraped, re.M).group(1))
        assert abs(until - (datetime.now(timezone.utc) + timedelta(days=10)).timestamp()) < 120
        assert "the license or evaluation period ends soon" in gateway.log()
        states = [e["detail"]["state"] for e in events(gateway, "license.state")]
        assert states == ["evaluation-ended", "licensed"]
    finally:
        gateway.stop()


def test_activation_without_a_running_service(tmp_path, mocks):
    config = tmp_path / "appliance.yaml"
    config.write_text(gateway_config(tmp_path, [m.url for m in mocks]))
    license_file = issue(tmp_path, activation_request(tmp_path), "license.json", "--days", "30", seats=1)

    def cli(*args, check=True):
        return subprocess.run([str(TAPPASS), *args, "--config", str(config)], capture_output=True, text=True, check=check)

    assert cli("license", "activate", str(license_file)).stdout.startswith("activated: licensed to Acme Corp (enterprise, 1 seat)")
    expired = issue(tmp_path, activation_request(tmp_path), "expired.json", "--not-before", "2025-01-01T00:00:00Z", "--days", "30")
    refused = cli("license", "activate", str(expired), check=False)
    assert refused.returncode == 2 and "expired" in refused.stderr
    assert "Acme Corp" in cli("license", "show").stdout
    # Keys made with no service running count against the seats too.
    cli("keys", "create", "--user", "alice", "--team", "eng")
    second = cli("keys", "create", "--user", "bob", "--team", "eng", check=False)
    assert second.returncode == 1 and "the license covers 1 seat and" in second.stderr

    gateway = Gateway(tmp_path, None)
    try:
        status = show(gateway)
        assert status["state"] == "licensed" and status["serving"]
        names = [e["detail"].get("code") for e in events(gateway, "license.refused")]
        assert names == ["expired"] and len(events(gateway, "license.activated")) == 1
        assert gateway.cli("audit", "verify").stdout.startswith("OK: ")
    finally:
        gateway.stop()


def test_an_installed_license_edited_on_disk_is_refused_at_start(tmp_path, mocks):
    config = tmp_path / "appliance.yaml"
    config.write_text(gateway_config(tmp_path, [m.url for m in mocks]))
    license_file = issue(tmp_path, activation_request(tmp_path))
    subprocess.run([str(TAPPASS), "license", "activate", str(license_file), "--config", str(config)], check=True, capture_output=True)
    installed = tmp_path / "state" / "license" / "license.json"
    envelope = json.loads(installed.read_text())
    terms = json.loads(base64.b64decode(envelope["payload"]))
    terms["not_after"] = "2099-01-01T00:00:00Z"
    envelope["payload"] = base64.b64encode(json.dumps(terms).encode()).decode()
    installed.write_text(json.dumps(envelope))

    gateway = Gateway(tmp_path, None)
    try:
        status = show(gateway)
        assert (status["state"], status["serving"]) == ("invalid", False) and "bad_signature" in status["detail"]
        request = urllib.request.Request(
            gateway.base_url + "/v1/chat/completions",
            data=json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}).encode(),
            headers={"Authorization": f"Bearer {gateway.create_key()}", "Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 503
        assert json.loads(refused.value.read())["error"]["code"] == "license_required"
        refusals = events(gateway, "license.refused")
        assert [(e["detail"]["code"], e["detail"]["source"]) for e in refusals] == [("bad_signature", str(installed))]
        assert "the installed license is refused" in gateway.log()
    finally:
        gateway.stop()


def test_keys_are_limited_to_the_licensed_seats(gateway, tmp_path):
    for user in ("alice", "bob", "carol", "dave"):  # evaluation: no seat limit
        gateway.create_key(user=user)
    gateway.cli("license", "activate", str(issue(tmp_path, activation_request(tmp_path), seats=5)))
    gateway.create_key(user="erin")
    full = gateway.cli("keys", "create", "--user", "frank", "--team", "eng", check=False)
    assert full.returncode == 1 and "the license covers 5 seats" in full.stderr and "'frank'" in full.stderr
    gateway.create_key(user="alice")  # a seated user's second key takes no seat
    # Revoking bob's only key frees his seat.
    bob = next(k for k in json.loads(gateway.cli("keys", "list", "--json").stdout) if k["user"] == "bob")
    gateway.cli("keys", "revoke", bob["id"])
    assert gateway.create_key(user="frank").startswith("tp_")
    assert gateway.cli("keys", "create", "--user", "grace", "--team", "eng", check=False).returncode == 1


def test_the_owners_undo_attempts_change_nothing(tmp_path, mocks):
    """Replaying an older re-issue, deleting the license and its history, deleting or editing the
    evaluation's start: each refused or ineffective, through the real binary, with the service
    stopped in between (the state folder and the audit log are all that remains)."""
    config = gateway_config(tmp_path, [m.url for m in mocks])
    license_dir = tmp_path / "state" / "license"
    gateway = Gateway(tmp_path, config)
    try:
        # The evaluation started at the first start, and the audit log knows it.
        assert show(gateway)["state"] == "evaluation"
        assert len(events(gateway, "license.evaluation_started")) == 1
        request = activation_request(tmp_path)
        big = issue(tmp_path, request, "big.json", "--license-id", "lic-acme", "--issued-at", "2026-01-01T00:00:00Z", seats=500)
        small = issue(tmp_path, request, "small.json", "--license-id", "lic-acme", "--issued-at", "2026-06-01T00:00:00Z", seats=5)
        gateway.cli("license", "activate", str(big))
        gateway.cli("license", "activate", str(small))
        assert show(gateway)["seats"] == 5
        # The vendor's downgrade sticks: the older file with the same id is refused.
        replay = gateway.cli("license", "activate", str(big), check=False)
        assert replay.returncode == 2 and "superseded" in replay.stderr
        # Re-activating the file in force is harmless.
        assert gateway.cli("license", "activate", str(small)).returncode == 0
    finally:
        gateway.stop()

    # Offline: the license and its history deleted, then the old file replayed.
    (license_dir / "license.json").unlink()
    (license_dir / "activated").unlink()
    replay = subprocess.run([str(TAPPASS), "license", "activate", str(big), "--config", str(tmp_path / "appliance.yaml")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert replay.returncode == 2 and "superseded" in replay.stderr, replay.stderr

    gateway = Gateway(tmp_path, config)
    try:
        # No license now, and no new evaluation on a machine that held one.
        status = show(gateway)
        assert status["state"] == "invalid" and not status["serving"] and "evaluation" in status["detail"]
    finally:
        gateway.stop()


def test_an_evaluation_cannot_be_restarted_by_deleting_or_editing_its_file(tmp_path, mocks):
    config = gateway_config(tmp_path, [m.url for m in mocks])
    license_dir = tmp_path / "state" / "license"
    license_dir.mkdir(parents=True)
    started = datetime.now(timezone.utc) - timedelta(days=31)
    (license_dir / "evaluation-start").write_text(started.strftime("%Y-%m-%dT%H:%M:%SZ") + "\n")
    gateway = Gateway(tmp_path, config)
    try:
        assert show(gateway)["state"] == "evaluation-ended"
    finally:
        gateway.stop()
    (license_dir / "evaluation-start").unlink()
    gateway = Gateway(tmp_path, config)
    try:
        assert show(gateway)["state"] == "evaluation-ended", "a deleted file restarted the evaluation"
    finally:
        gateway.stop()
    (license_dir / "evaluation-start").write_text("2099-01-01T00:00:00Z\n")
    gateway = Gateway(tmp_path, config)
    try:
        status = show(gateway)
        assert status["state"] == "evaluation-ended" or "state_tampered" in status["detail"], status
        assert not status["serving"]
    finally:
        gateway.stop()


def test_an_oversized_file_is_refused_alike_through_the_service_and_offline(gateway, tmp_path):
    huge = tmp_path / "huge.json"
    huge.write_bytes(b'{"format": "' + b"x" * (100 << 20) + b'"}')
    refused = gateway.cli("license", "activate", str(huge), check=False)
    assert refused.returncode == 2 and "larger than a license can be" in refused.stderr
    assert events(gateway, "license.refused")[-1]["detail"]["code"] == "malformed"
    gateway.stop()
    offline = subprocess.run([str(TAPPASS), "license", "activate", str(huge), "--config", str(gateway.config_path)],
                             capture_output=True, text=True, cwd=tmp_path)
    assert offline.returncode == 2 and "larger than a license can be" in offline.stderr
    duplicated = tmp_path / "dup.json"
    duplicated.write_text('{"format": "tappass-license/1", "format": "x"}')
    again = subprocess.run([str(TAPPASS), "license", "activate", str(duplicated), "--config", str(gateway.config_path)],
                           capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 2 and "appears twice" in again.stderr


def test_a_license_with_fewer_seats_than_users_says_who_is_over_and_until_when(gateway, tmp_path):
    for user in ("alice", "bob", "carol"):
        gateway.create_key(user=user)
    license_file = issue(tmp_path, activation_request(tmp_path), "two-seats.json", seats=2)
    done = gateway.cli("license", "activate", str(license_file)).stdout
    assert "3 users hold active keys for 2 seats: 1 over (carol), served until" in done, done
    assert "then refused" in done
    status = show(gateway)
    assert status["seat_holders"] == ["alice", "bob"] and status["over_seats"] == ["carol"] and status["seat_grace_ends"]
    listed = gateway.cli("keys", "list").stdout
    assert [line for line in listed.splitlines() if "carol" in line][0].endswith("(beyond the license's seats)")
    assert "tappass_license_seats 2" in metrics(gateway) and "tappass_license_seat_users 3" in metrics(gateway)
    assert "more users hold active keys than the license has seats" in gateway.log()


def test_the_issuer_refuses_to_sign_what_an_appliance_would_refuse(tmp_path):
    request = activation_request(tmp_path)
    for extra in (["--seats", "0"], ["--issued-at", "2099-01-01T00:00:00Z"], ["--days", "0"]):
        refused = subprocess.run(
            [str(ISSUER), "issue", "--signing-key", str(DEV_KEY), "--key-id", "tappass-development", "--request", str(request),
             "--customer", "Acme Corp", "--org-id", "acme", "--output", str(tmp_path / "x.json"), *extra],
            capture_output=True, text=True,
        )
        assert refused.returncode != 0 and not (tmp_path / "x.json").exists(), extra
