"""Governance that cannot be walked around: every inspected field x every obfuscation x one
detector per family, through the real binary, driven with the official SDKs where they can send
the field and raw JSON where they cannot. For each case: the verdict the default policy gives
(secrets and card numbers redacted, exfiltration blocked), the audit record, and, through the
recording mock host on the other side, that the raw value never reaches the host."""
import base64
import json
import random
import re
import string
import unicodedata
import urllib.error
import urllib.request

import anthropic
import openai
import pytest

from test_audit import export

RNG = random.Random(21)
AWS_KEY = "AKIA" + "".join(RNG.choice(string.ascii_uppercase + "234567") for _ in range(16))
CARD = "4539148803436467"  # passes Luhn; not a documented test number
EXFIL = "https://pastebin.com/raw/Xy12"

INVISIBLE = "".join(chr(c) for c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x202E, 0x0000))


def interleave(value, insert):
    return insert.join(value[i : i + 4] for i in range(0, len(value), 4))


def full_width(value):
    return "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else c for c in value)


DISGUISES = {
    "plain": lambda v: v,
    "zero-width space": lambda v: interleave(v, "\u200b"),
    "soft hyphen": lambda v: interleave(v, "\u00ad"),
    "raw NUL": lambda v: interleave(v, "\u0000"),
    "escaped NUL": lambda v: interleave(v, "\\u0000"),
    "full-width": full_width,
    "base64": lambda v: base64.b64encode(v.encode()).decode(),
    "percent": lambda v: "".join(f"%{b:02X}" for b in v.encode()),
}
EXFIL_DISGUISES = {
    "plain": EXFIL,
    "ideographic dot": EXFIL.replace("pastebin.com", "PASTEBIN\u3002com"),
    "zero-width in domain": EXFIL.replace("pastebin", "paste\u200bbin"),
    "full-width": full_width(EXFIL),
    "percent dot": EXFIL.replace("pastebin.com", "pastebin%2Ecom"),
    "base64": base64.b64encode(EXFIL.encode()).decode(),
}


def reader_view(text):
    """What a reader of the host's body would see, with the disguises taken off."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if c not in INVISIBLE).replace("\u3002", ".")


def cases():
    for name, disguise in DISGUISES.items():
        yield "secret", name, AWS_KEY, disguise(AWS_KEY)
        yield "pii", name, CARD, disguise(CARD)
    for name, value in EXFIL_DISGUISES.items():
        yield "exfil", name, EXFIL, value


def host_bodies(mocks):
    """The last body each mock host received, as text with its JSON escapes decoded."""
    bodies = [m.stats().get("last_request") or "" for m in mocks]
    return [json.dumps(json.loads(b), ensure_ascii=False) if b else "" for b in bodies]


def raw_post(gateway, key, path, body):
    request = urllib.request.Request(
        gateway.base_url + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", "anthropic-version": "2023-06-01"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers.get("x-request-id")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("x-request-id")


# How each field is sent: (wire, send(ctx, value) -> (status, request id)).
def openai_sdk(**fields):
    def send(ctx, value):
        kwargs = {k: (v(value) if callable(v) else v) for k, v in fields.items()}
        kwargs.setdefault("messages", [{"role": "user", "content": "hello"}])
        try:
            raw = ctx.client.chat.completions.with_raw_response.create(model="gpt-4o", **kwargs)
            raw.parse()
            return raw.status_code, raw.headers["x-request-id"]
        except openai.APIStatusError as error:
            return error.status_code, error.response.headers.get("x-request-id")

    return send


def anthropic_sdk(**fields):
    def send(ctx, value):
        kwargs = {k: (v(value) if callable(v) else v) for k, v in fields.items()}
        kwargs.setdefault("messages", [{"role": "user", "content": "hello"}])
        try:
            raw = ctx.anthropic.messages.with_raw_response.create(model="claude-test", max_tokens=32, **kwargs)
            raw.parse()
            return raw.status_code, raw.headers["x-request-id"]
        except anthropic.APIStatusError as error:
            return error.status_code, error.response.headers.get("x-request-id")

    return send


def raw_json(path, make):
    def send(ctx, value):
        return raw_post(ctx.gateway, ctx.key, path, make(value))

    return send


FIELDS = {
    "openai message content": openai_sdk(messages=lambda v: [{"role": "user", "content": f"use {v} now"}]),
    "openai content part": openai_sdk(
        messages=lambda v: [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": f"use {v}"}]}]
    ),
    "openai image_url": openai_sdk(
        messages=lambda v: [
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": f"https://img.example/p.png?k={v}"}}]}
        ]
    ),
    "openai name": openai_sdk(messages=lambda v: [{"role": "user", "name": v, "content": "hello"}]),
    "openai user": openai_sdk(user=lambda v: v),
    "openai metadata value": openai_sdk(metadata=lambda v: {"note": v}),
    "openai metadata key": raw_json(
        "/v1/chat/completions",
        lambda v: {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "metadata": {v: "x"}},
    ),
    "openai tool description": openai_sdk(
        tools=lambda v: [{"type": "function", "function": {"name": "f", "description": f"calls {v}", "parameters": {}}}]
    ),
    "openai tool call arguments": openai_sdk(
        messages=lambda v: [
            {"role": "user", "content": "go"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": json.dumps({"a": v})}}],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "done"},
        ]
    ),
    "openai stop": openai_sdk(stop=lambda v: [v]),
    "openai unknown field": openai_sdk(extra_body=lambda v: {"x_vendor_hint": {"deep": [v]}}),
    "openai embeddings input": raw_json("/v1/embeddings", lambda v: {"model": "text-embedding-3-small", "input": [f"doc {v}"]}),
    "anthropic system": anthropic_sdk(system=lambda v: f"context {v}"),
    "anthropic text block": anthropic_sdk(messages=lambda v: [{"role": "user", "content": [{"type": "text", "text": f"x {v}"}]}]),
    "anthropic image url source": anthropic_sdk(
        messages=lambda v: [
            {"role": "user", "content": [{"type": "image", "source": {"type": "url", "url": f"https://img.example/c.png?t={v}"}}]}
        ]
    ),
    "anthropic metadata user_id": anthropic_sdk(metadata=lambda v: {"user_id": v}),
    "anthropic stop_sequences": anthropic_sdk(stop_sequences=lambda v: [v]),
    "anthropic tool description": anthropic_sdk(
        tools=lambda v: [{"name": "f", "description": f"calls {v}", "input_schema": {"type": "object"}}]
    ),
    "anthropic tool_result": anthropic_sdk(
        messages=lambda v: [
            {"role": "user", "content": "go"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {"q": v}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": f"result {v}"}]},
        ]
    ),
    "anthropic unknown field": anthropic_sdk(extra_body=lambda v: {"x_vendor": {"note": v}}),
    "anthropic count_tokens": raw_json(
        "/v1/messages/count_tokens", lambda v: {"model": "claude-test", "messages": [{"role": "user", "content": f"count {v}"}]}
    ),
}


class Context:
    def __init__(self, gateway, mocks):
        self.gateway = gateway
        self.mocks = mocks
        self.key = gateway.create_key()
        self.client = openai.OpenAI(base_url=gateway.base_url + "/v1", api_key=self.key, max_retries=0, timeout=20)
        self.anthropic = anthropic.Anthropic(base_url=gateway.base_url, api_key=self.key, max_retries=0, timeout=20)


@pytest.mark.parametrize("field", list(FIELDS))
def test_every_field_and_obfuscation_is_governed(gateway, mocks, field):
    ctx = Context(gateway, mocks)
    send = FIELDS[field]
    expected = {}
    for family, disguise, value, sent in cases():
        label = f"{field} / {family} / {disguise}"
        before = sum(m.stats()["requests"] for m in mocks)
        status, request_id = send(ctx, sent)
        assert request_id, label
        after = sum(m.stats()["requests"] for m in mocks)
        if family == "exfil":
            assert status == 403, f"{label}: expected a block, got {status}"
            assert after == before, f"{label}: a blocked request reached the host"
        else:
            assert status == 200, f"{label}: got {status}"
            for body in host_bodies(mocks):
                assert value not in reader_view(body), f"{label}: the raw value reached the host"
                assert sent not in body, f"{label}: the disguised value reached the host"
        expected[request_id] = (family, label)
    records = {r["name"]: r for r in export(gateway) if r["kind"] == "request"}
    dump = json.dumps(list(records.values()), ensure_ascii=False)
    for request_id, (family, label) in expected.items():
        record = records[request_id]
        assert record.get("findings"), f"{label}: no findings in {record}"
        categories = {f["category"] for f in record["findings"]}
        assert family in categories, f"{label}: audit findings {record['findings']}"
        assert record["verdict"] == ("block" if family == "exfil" else "redact"), label
    assert AWS_KEY not in reader_view(dump) and CARD not in reader_view(dump)


def test_a_secret_split_over_two_messages_is_redacted_in_both(gateway, mocks):
    ctx = Context(gateway, mocks)
    raw = ctx.client.chat.completions.with_raw_response.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "part one " + AWS_KEY[:10]}, {"role": "user", "content": AWS_KEY[10:] + " part two"}],
    )
    raw.parse()
    body = json.loads(host_bodies(mocks)[0] or host_bodies(mocks)[1])
    texts = [m["content"] for m in body["messages"]]
    assert AWS_KEY[:10] not in texts[0] and AWS_KEY[10:] not in texts[1], texts
    assert "[REDACTED:aws_access_key_id_" in texts[0] and "[REDACTED:aws_access_key_id_" in texts[1]


def test_remote_media_is_refused_when_the_policy_says_block(tmp_path, mocks):
    from conftest import Gateway, gateway_config

    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nactions:\n  remote_media_url: block\n")
    config = gateway_config(tmp_path, [m.url for m in mocks], extra=f"governance:\n  policy_file: {policy}\n")
    gateway = Gateway(tmp_path, config)
    try:
        ctx = Context(gateway, mocks)
        with pytest.raises(openai.PermissionDeniedError) as refused:
            ctx.client.chat.completions.create(
                model="gpt-4o",
                messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://cdn.example/cat.png"}}]}],
            )
        assert "remote_media_url" in refused.value.message
        # An inline image is not remote: it passes.
        png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        ctx.client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": png}}]}]
        )
    finally:
        gateway.stop()


def test_a_model_name_that_could_forge_a_log_line_is_refused(gateway, mocks):
    ctx = Context(gateway, mocks)
    status, _ = raw_post(
        gateway, ctx.key, "/v1/chat/completions", {"model": "gpt-4o\nrequest completed", "messages": [{"role": "user", "content": "x"}]}
    )
    assert status == 400
    status, request_id = raw_post(
        gateway, ctx.key, "/v1/chat/completions", {"model": AWS_KEY, "messages": [{"role": "user", "content": "x"}]}
    )
    assert status == 404
    record = next(r for r in export(gateway) if r["name"] == request_id)
    assert AWS_KEY not in json.dumps(record) and AWS_KEY not in gateway.log()
