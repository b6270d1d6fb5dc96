"""Signed policy bundles authored with the real binary on an "offline workstation": keygen,
build, sign (two signers for a threshold), verify against pinned keys or a license's keys; what
other tools write (GNU tar, Python's tarfile in ustar format) reads the same; refusals exit 2
and name what is wrong."""
import base64
import hashlib
import io
import json
import re
import subprocess
import tarfile
import threading
import time
import urllib.request

import pytest

from conftest import TAPPASS, Gateway
from test_license import activation_request, issue

POLICY = "version: 1\nname: acme-2026-12\nactions:\n  secret: block\n  pii: redact\n"


def run(*args, check=True):
    result = subprocess.run([str(TAPPASS), "policy", *map(str, args)], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"tappass policy {' '.join(map(str, args))}: exit {result.returncode}: {result.stderr}")
    return result


@pytest.fixture
def workstation(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "policy.yaml").write_text(POLICY)
    for name in ("alice", "bob"):
        key_id = run("keygen", "--out", tmp_path / name).stdout.split()[2]
        assert len(key_id) == 64
    assert oct((tmp_path / "alice").stat().st_mode & 0o777) == "0o600"
    return tmp_path


def build_and_sign(ws, version, *signers, name="p.tpb", extra=()):
    out = ws / name
    run("build", ws / "src", "--org", "acme", "--bundle-version", version, "-o", out, *extra)
    for signer in signers:
        run("sign", out, "--key", ws / signer)
    return out


def test_keygen_build_sign_verify_with_a_threshold(workstation):
    ws = workstation
    bundle = build_and_sign(ws, 5, "alice", "bob")
    ok = run("verify", bundle, "--trust", ws / "alice.pub", "--trust", ws / "bob.pub", "--org", "acme", "--threshold", "2")
    assert "OK (version 5 for acme" in ok.stdout and "(2 of 2 needed)" in ok.stdout
    assert "rules against the built-in default policy" in ok.stdout and "~ actions.secret: redact -> block" in ok.stdout

    # The readable diff against a policy named on the line: each changed rule by its path.
    (ws / "current.yaml").write_text(
        "version: 1\nname: acme-2026-11\nactions:\n  secret: flag\n  email: flag\n"
        "exfiltration:\n  domains: [pastebin.com]\n"
    )
    against = run("verify", bundle, "--trust", ws / "alice.pub", "--org", "acme", "--against", ws / "current.yaml")
    changes = against.stdout.split("rules against " + str(ws / "current.yaml") + ": ")[1].splitlines()
    assert changes == [
        "5 changed", "  - actions.email: flag", "  + actions.pii: redact", "  ~ actions.secret: flag -> block",
        "  - exfiltration.domains: pastebin.com", "  ~ name: acme-2026-11 -> acme-2026-12",
    ], against.stdout

    # The same folder builds the same bytes (before signatures).
    run("build", ws / "src", "--org", "acme", "--bundle-version", 5, "-o", ws / "a.tpb")
    with tarfile.open(ws / "a.tpb") as archive:
        assert sorted(archive.getnames()) == ["manifest.json", "policy.yaml", "signatures.json"]

    one = build_and_sign(ws, 5, "alice", name="one.tpb")
    refused = run("verify", one, "--trust", ws / "alice.pub", "--trust", ws / "bob.pub", "--org", "acme", "--threshold", "2",
                  check=False)
    assert refused.returncode == 2 and "too_few_signatures: 1 distinct trusted key signed; 2 must" in refused.stderr
    again = run("sign", one, "--key", ws / "alice", check=False)
    assert again.returncode == 2 and "already signed" in again.stderr
    other = run("verify", one, "--trust", ws / "alice.pub", "--org", "globex", check=False)
    assert other.returncode == 2 and "wrong_org" in other.stderr
    assert run("keygen", "--out", ws / "alice", check=False).returncode == 1, "a key is never overwritten"


def test_a_license_names_the_keys_the_org_and_the_threshold(workstation, tmp_path):
    ws = workstation
    public = {name: (ws / f"{name}.pub").read_text().strip() for name in ("alice", "bob")}
    # The key id is the SHA-256 of the raw public key: what keygen printed, what the vendor writes.
    ids = {name: hashlib.sha256(base64.b64decode(public[name])).hexdigest() for name in public}
    license_file = issue(tmp_path, activation_request(tmp_path), "license.json",
                         "--policy-key", f"{ids['alice']}={public['alice']}", "--policy-key", f"{ids['bob']}={public['bob']}",
                         "--policy-threshold", "2")
    both = build_and_sign(ws, 7, "alice", "bob")
    assert "OK (version 7 for acme" in run("verify", both, "--license", license_file).stdout
    one = build_and_sign(ws, 7, "bob", name="one.tpb")
    refused = run("verify", one, "--license", license_file, check=False)
    assert refused.returncode == 2 and "too_few_signatures" in refused.stderr


def test_archives_other_tools_write(workstation):
    ws = workstation
    signed = build_and_sign(ws, 5, "alice")
    with tarfile.open(signed) as archive:
        files = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    trust = ("--trust", ws / "alice.pub", "--org", "acme")

    # Python's tarfile in ustar format, and GNU tar, from the same files: the same bundle.
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    (ws / "py.tpb").write_bytes(buffer.getvalue())
    assert "OK" in run("verify", ws / "py.tpb", *trust).stdout
    (ws / "x").mkdir()
    for name, data in files.items():
        (ws / "x" / name).write_bytes(data)
    subprocess.run(["tar", "--format=ustar", "-czf", ws / "gnu.tpb", "-C", ws / "x", *files], check=True)
    assert "OK" in run("verify", ws / "gnu.tpb", *trust).stdout

    # A symbolic link added by another tool is refused by name.
    (ws / "x" / "evil").symlink_to("/etc/shadow")
    subprocess.run(["tar", "--format=ustar", "-czf", ws / "link.tpb", "-C", ws / "x", *files, "evil"], check=True)
    refused = run("verify", ws / "link.tpb", *trust, check=False)
    assert refused.returncode == 2 and "evil: a symbolic link" in refused.stderr

    # A policy that changed after signing.
    (ws / "x" / "policy.yaml").write_text(POLICY.replace("block", "allow"))
    subprocess.run(["tar", "--format=ustar", "-czf", ws / "changed.tpb", "-C", ws / "x", *files], check=True)
    refused = run("verify", ws / "changed.tpb", *trust, check=False)
    assert refused.returncode == 2 and "payload_mismatch: policy.yaml" in refused.stderr


def test_bad_inputs_change_nothing_and_say_why(workstation):
    ws = workstation
    (ws / "src" / "policy.yaml").write_text("version: 1\nactions:\n  secret: obliterate\n")
    bad = run("build", ws / "src", "--org", "acme", "--bundle-version", 5, "-o", ws / "bad.tpb", check=False)
    assert bad.returncode == 2 and "invalid policy" in bad.stderr and "policy.yaml" in bad.stderr
    assert not (ws / "bad.tpb").exists()
    (ws / "license.tpb").write_text('{"format": "tappass-license/1"}')
    refused = run("verify", ws / "license.tpb", "--trust", ws / "alice.pub", "--org", "acme", check=False)
    assert refused.returncode == 2 and "not a gzip file" in refused.stderr
    missing = run("verify", ws / "nope.tpb", "--trust", ws / "alice.pub", "--org", "acme", check=False)
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    nobody = run("verify", ws / "license.tpb", check=False)
    assert nobody.returncode != 0 and "--license FILE, or --trust KEY.pub" in nobody.stderr


def test_import_through_the_running_service_applies_live_without_dropping_a_request(gateway, client, workstation):
    import openai
    from test_governance import SECRET

    ws = workstation
    assert "org acme" in gateway.cli("policy", "trust", "add", ws / "alice.pub", "--org", "acme").stdout
    ask = [{"role": "user", "content": f"deploy with {SECRET} please"}]
    strict = POLICY
    (ws / "src" / "policy.yaml").write_text(strict)
    first = build_and_sign(ws, 1, "alice", name="b1.tpb")
    (ws / "src" / "policy.yaml").write_text(POLICY.replace("secret: block", "secret: allow").replace("acme-2026-12", "acme-relaxed"))
    second = build_and_sign(ws, 2, "alice", name="b2.tpb")

    stop, failures, done = threading.Event(), [], [0]

    def traffic():
        while not stop.is_set():
            try:
                stream = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True)
                assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
                client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
                done[0] += 2
            except Exception as error:  # noqa: BLE001 - every failure is the finding
                failures.append(repr(error))

    worker = threading.Thread(target=traffic)
    worker.start()
    try:
        time.sleep(0.5)
        assert "imported: bundle version 1 for acme" in gateway.cli("policy", "import", first).stdout
        with pytest.raises(openai.PermissionDeniedError):
            client.chat.completions.create(model="gpt-4o", messages=ask)
        assert "imported: bundle version 2" in gateway.cli("policy", "import", second).stdout
        assert client.chat.completions.create(model="gpt-4o", messages=ask).choices[0].message.content is not None
        again = gateway.cli("policy", "import", first)
        assert "unchanged: bundle version 1 is installed already" in again.stdout
        (ws / "src" / "policy.yaml").write_text(strict.replace("acme-2026-12", "acme-older"))
        older = build_and_sign(ws, 1, "alice", name="older.tpb")
        refused = gateway.cli("policy", "import", older, check=False)
        assert refused.returncode == 2 and "not_newer" in refused.stderr
        time.sleep(0.5)
    finally:
        stop.set()
        worker.join()
    assert failures == [] and done[0] >= 4

    shown = gateway.cli("policy", "show").stdout
    assert "in force: policy 'acme-relaxed' from signed bundle version 2" in shown and "version: bundle:2" in shown
    metrics = urllib.request.urlopen(gateway.base_url + "/metrics", timeout=5).read().decode()
    assert "tappass_policy_bundle_version 2.0" in metrics or "tappass_policy_bundle_version 2\n" in metrics
    rolled = gateway.cli("policy", "rollback", "1")
    assert "in force again: bundle version 1" in rolled.stdout
    with pytest.raises(openai.PermissionDeniedError):
        client.chat.completions.create(model="gpt-4o", messages=ask)
    conflict = gateway.cli("policy", "reload", check=False)
    assert conflict.returncode == 2 and "signed policy bundle (version 1) is in force" in conflict.stderr

    events = [json.loads(line) for line in gateway.cli("audit", "export").stdout.splitlines()]
    # Every governed request names exactly the one policy that judged it: the default's digest
    # before the first import, then each bundle in turn, and the probes the version they met.
    requests = [e for e in events if e["kind"] == "request" and e.get("endpoint") == "/v1/chat/completions"]
    assert len(requests) >= done[0] and all("policy" in e for e in requests)
    versions = {e["policy"] for e in requests}
    assert {"bundle:1", "bundle:2"} <= versions and len(versions - {"bundle:1", "bundle:2"}) == 1, versions
    (default_version,) = versions - {"bundle:1", "bundle:2"}
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", default_version)
    blocked = [e for e in requests if e.get("verdict") == "block"]
    assert [e["policy"] for e in blocked] == ["bundle:1", "bundle:1"]
    allowed_secret = [
        e for e in requests if e["policy"] == "bundle:2" and any(f["category"] == "secret" for f in e.get("findings", []))
    ]
    assert allowed_secret and all(e["verdict"] != "block" for e in allowed_secret)
    names = [e["name"] for e in events if e["kind"] == "event" and e["name"].startswith("policy.")]
    assert names.count("policy.bundle_imported") == 2 and "policy.bundle_refused" in names
    assert "policy.bundle_unchanged" in names and "policy.bundle_rolled_back" in names and "policy.trust_pinned" in names
    refused_event = next(e for e in events if e.get("name") == "policy.bundle_refused")
    assert refused_event["detail"]["code"] == "not_newer" and refused_event["detail"]["digest"]

    # The bundle in force survives a restart: governance state is the state folder's.
    gateway.stop()
    restarted = Gateway(gateway.tmp_path)
    try:
        assert "from signed bundle version 1" in restarted.cli("policy", "show").stdout
    finally:
        restarted.stop()


def test_import_on_the_state_folder_when_no_service_runs(workstation, tmp_path):
    ws = workstation
    config = tmp_path / "appliance.yaml"
    config.write_text(f"state_dir: {tmp_path}/state\nadmin_socket: {tmp_path}/state/admin.sock\n")
    bundle = build_and_sign(ws, 3, "alice", "bob")
    subprocess.run([str(TAPPASS), "policy", "trust", "add", ws / "alice.pub", "--org", "acme", "--config", config], check=True)
    no_threshold = subprocess.run([str(TAPPASS), "policy", "trust", "add", ws / "bob.pub", "--org", "acme", "--threshold", "3",
                                   "--config", config], capture_output=True, text=True)
    assert no_threshold.returncode == 2 and "could never be met" in no_threshold.stderr
    imported = subprocess.run([str(TAPPASS), "policy", "import", bundle, "--config", config], capture_output=True, text=True)
    assert imported.returncode == 0 and "imported: bundle version 3" in imported.stdout
    status = subprocess.run([str(TAPPASS), "policy", "status", "--json", "--config", config], capture_output=True, text=True,
                            check=True)
    assert json.loads(status.stdout)["highest"] == 3
    assert (tmp_path / "state" / "policy" / "current").resolve().name == "3"


def test_an_inbox_folder_takes_dropped_bundles(mocks, workstation, tmp_path):
    from conftest import gateway_config

    ws = workstation
    inbox = tmp_path / "inbox"
    gateway = Gateway(tmp_path, gateway_config(tmp_path, [m.url for m in mocks], extra=f"governance:\n  bundle_inbox: {inbox}\n"))
    try:
        gateway.cli("policy", "trust", "add", ws / "alice.pub", "--org", "acme")
        good = build_and_sign(ws, 9, "alice", name="good.tpb")
        unsigned = build_and_sign(ws, 10, name="unsigned.tpb")
        deadline = time.monotonic() + 10
        while not inbox.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        # Copied in as a USB auto-mount script would: under another name, then renamed.
        big = ws / "big.tpb"
        big.write_bytes(b"\0" * (5 << 20))
        for source in (good, unsigned, big):
            (inbox / (source.name + ".part")).write_bytes(source.read_bytes())
            (inbox / (source.name + ".part")).rename(inbox / source.name)
        deadline = time.monotonic() + 20
        names = ("good.tpb", "unsigned.tpb", "big.tpb")
        while time.monotonic() < deadline and any((inbox / n).exists() for n in names):
            time.sleep(0.2)
        accepted = [p.name for p in (inbox / "accepted").iterdir()]
        reasons = {p.name.split("-", 1)[1]: p.read_text() for p in (inbox / "refused").iterdir() if p.name.endswith(".reason")}
        assert len(accepted) == 1 and accepted[0].endswith("-good.tpb")
        assert "too_few_signatures" in reasons["unsigned.tpb.reason"]
        assert "more than a bundle may be" in reasons["big.tpb.reason"]
        assert "from signed bundle version 9" in gateway.cli("policy", "show").stdout
    finally:
        gateway.stop()
