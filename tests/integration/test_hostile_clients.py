"""Clients that would hold the gateway without using it: a request head dribbled a byte at a
time (slowloris), a body that never finishes, a kept-alive connection left silent. Each is
closed after its timeout (listen.header_timeout / body_timeout / idle_timeout) while other
clients are served, and a slow answer that is streaming is not cut by them."""
import json
import socket
import time
import urllib.request

import pytest

from conftest import Gateway, gateway_config

DEADLINES = "listen:\n  header_timeout: 1s\n  body_timeout: 1s\n  idle_timeout: 1s\n"


@pytest.fixture
def strict_gateway(tmp_path, mocks):
    instance = Gateway(tmp_path, gateway_config(tmp_path, [m.url for m in mocks], extra=DEADLINES))
    yield instance
    instance.stop()


def closed_within(sock, seconds, dribble=None):
    """Seconds until the server closes `sock` (reads EOF or a reset), sending `dribble` bytes one
    at a time every 0.2 s meanwhile; None if it stays open."""
    sock.settimeout(0.2)
    start = time.monotonic()
    pending = list(dribble or b"")
    while time.monotonic() - start < seconds:
        try:
            if pending:
                sock.send(bytes([pending.pop(0)]))
            data = sock.recv(65536)
            if data == b"":
                return time.monotonic() - start
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
    return None


def connect(gateway):
    return socket.create_connection(("127.0.0.1", gateway.port), timeout=5)


def test_a_dribbled_request_head_is_cut_at_the_header_timeout(strict_gateway):
    sock = connect(strict_gateway)
    sock.send(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
    elapsed = closed_within(sock, 5, dribble=b"X-Slow: " + b"a" * 40)
    assert elapsed is not None and 0.8 <= elapsed <= 2.5, elapsed


def test_a_body_that_never_finishes_is_cut_at_the_body_timeout(strict_gateway):
    sock = connect(strict_gateway)
    sock.send(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 1000\r\n\r\n{\"model\":")
    elapsed = closed_within(sock, 5)
    assert elapsed is not None and elapsed <= 2.5, elapsed


def test_a_silent_kept_alive_connection_is_closed_at_the_idle_timeout(strict_gateway):
    sock = connect(strict_gateway)
    sock.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.settimeout(5)
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    elapsed = closed_within(sock, 5)
    assert elapsed is not None and 0.8 <= elapsed <= 2.5, elapsed


def test_many_held_connections_do_not_stop_others_and_all_are_let_go(strict_gateway):
    held = []
    for _ in range(200):
        sock = connect(strict_gateway)
        sock.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Never-Ends: ")
        held.append(sock)
    start = time.monotonic()
    with urllib.request.urlopen(strict_gateway.base_url + "/healthz", timeout=5) as response:
        assert response.status == 200
    assert time.monotonic() - start < 0.5
    time.sleep(2.5)
    for sock in held:
        sock.settimeout(1)
        try:
            assert sock.recv(1) == b""
        except ConnectionResetError:
            pass
        sock.close()


def test_a_slow_stream_outlives_the_client_timeouts(strict_gateway, mocks):
    from openai import OpenAI

    for mock in mocks:
        mock.behave(chunk_delay_ms=600)
    client = OpenAI(base_url=strict_gateway.base_url + "/v1", api_key=strict_gateway.create_key(), max_retries=0, timeout=30)
    start = time.monotonic()
    stream = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text and time.monotonic() - start > 1.5, "the answer took longer than every client timeout"
    # The same connection is reused afterwards: answering is not idling.
    assert client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}]).choices


def read_until_closed(sock, seconds=5):
    sock.settimeout(seconds)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def test_a_body_over_the_limit_is_refused_and_the_connection_closed_without_reading_it(strict_gateway):
    key = strict_gateway.create_key()
    sock = connect(strict_gateway)
    sock.send(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key.encode()
              + b"\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{" + b" " * 70000)
    start = time.monotonic()
    answer = read_until_closed(sock)
    assert time.monotonic() - start < 0.9, "closed at once, not at the body timeout"
    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 413") and b"connection: close" in head.lower()
    assert json.loads(body)["error"]["code"] == "request_too_large"


def test_what_the_http_layer_refuses_is_shaped_as_the_callers_wire_format(strict_gateway):
    import anthropic
    import openai

    sock = connect(strict_gateway)
    sock.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n")
    head, body = read_until_closed(sock).split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 400") and json.loads(body)["error"]["type"] == "invalid_request_error"

    key = strict_gateway.create_key()
    client = openai.OpenAI(base_url=strict_gateway.base_url + "/v1", api_key=key, max_retries=0)
    with pytest.raises(openai.NotFoundError) as raised:
        client.post("/no/such/endpoint", body={}, cast_to=object)
    assert "no such endpoint" in raised.value.body["message"]
    messages = anthropic.Anthropic(base_url=strict_gateway.base_url, api_key=key, max_retries=0)
    with pytest.raises(anthropic.NotFoundError) as raised:
        messages.get("/v1/messages/batches", cast_to=object)
    assert raised.value.body["error"]["type"] == "not_found_error"


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_a_4_mb_streamed_prompt_is_served_in_bounded_memory(tmp_path, mocks):
    text = gateway_config(tmp_path, [m.url for m in mocks]).replace("max_body_bytes: 65536", "max_body_bytes: 8388608")
    gateway = Gateway(tmp_path, text)
    try:
        from openai import OpenAI

        client = OpenAI(base_url=gateway.base_url + "/v1", api_key=gateway.create_key(), max_retries=0, timeout=60)
        # Warm up (first request sets up pools and caches), then the peak RSS before the big one.
        assert client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}]).choices
        before = rss_mib(gateway.proc.pid)
        words = " ".join(f"w{i % 9973}x{i % 7}" for i in range(600_000))[:4_000_000]
        stream = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": words}], stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        grown = rss_mib(gateway.proc.pid) - before
        assert grown <= 64, f"peak RSS grew by {grown:.0f} MiB for a 4 MB prompt"
    finally:
        gateway.stop()


def test_connections_beyond_the_cap_get_a_clear_503_and_others_come_back(tmp_path, mocks):
    extra = "listen:\n  max_connections: 5\n"
    gateway = Gateway(tmp_path, gateway_config(tmp_path, [m.url for m in mocks], extra=extra))
    try:
        held = [connect(gateway) for _ in range(5)]
        time.sleep(0.3)
        sock = connect(gateway)
        sock.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        head, body = read_until_closed(sock).split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 503") and b"retry-after: 1" in head.lower()
        assert "max_connections" in json.loads(body)["error"]["message"]
        for other in held:
            other.close()
        time.sleep(0.3)
        with urllib.request.urlopen(gateway.base_url + "/healthz", timeout=5) as response:
            assert response.status == 200
    finally:
        gateway.stop()
