"""Admission instead of refusal: requests beyond every host's max_concurrent wait in the pool's
bounded queue (oldest first) and are served as slots free up; only a full queue or a wait that
runs out gets a 503, with Retry-After and the caller's wire format."""
import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from conftest import Gateway, gateway_config


def limited(tmp_path, hosts, max_concurrent, queue):
    text = gateway_config(tmp_path, hosts)
    text = text.replace("        api_key: host-secret-do-not-log", f"        api_key: host-secret-do-not-log\n        max_concurrent: {max_concurrent}")
    return text.replace("    kind: llamacpp\n", f"    kind: llamacpp\n    queue: {queue}\n")


def burst(gateway, key, count, path="/v1/chat/completions", body=None):
    """`count` concurrent requests; their (status, headers, json) in arrival order of the answers."""
    body = body or {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    results, start = [], threading.Barrier(count)

    def one():
        start.wait()
        request = urllib.request.Request(
            gateway.base_url + path, data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {key}", "anthropic-version": "2023-06-01", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                results.append((response.status, response.headers, json.load(response)))
        except urllib.error.HTTPError as error:
            results.append((error.code, error.headers, json.load(error)))

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def metric(gateway, series):
    """The value of one series, e.g. `tappass_upstream_queue_depth{pool="local"}`."""
    text = urllib.request.urlopen(gateway.base_url + "/metrics", timeout=5).read().decode()
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.rsplit(" ", 1)[0] == series]
    assert len(values) == 1, f"{series} not in /metrics"
    return values[0]


def test_a_burst_beyond_capacity_waits_and_is_served_whole(tmp_path, mocks):
    for mock in mocks:
        mock.behave(latency_ms=300)
    gateway = Gateway(tmp_path, limited(tmp_path, [m.url for m in mocks], 2, "{depth: 64, wait: 20s}"))
    try:
        key = gateway.create_key()
        started = time.monotonic()
        results = burst(gateway, key, 12)
        elapsed = time.monotonic() - started
        assert [status for status, _, _ in results] == [200] * 12
        # 4 slots (2 hosts x 2), 12 requests of 300 ms: three waves, not one.
        assert elapsed >= 0.85
        assert metric(gateway, 'tappass_upstream_queued_total{pool="local"}') >= 8
        assert metric(gateway, 'tappass_upstream_queue_wait_seconds_total{pool="local"}') > 0.5
        assert metric(gateway, 'tappass_upstream_queue_depth{pool="local"}') == 0
    finally:
        gateway.stop()


@pytest.mark.parametrize("queue,reason", [("{depth: 1, wait: 20s}", "full"), ("{depth: 64, wait: 200ms}", "timeout")])
def test_a_full_queue_or_a_long_wait_is_a_503_with_retry_after_in_the_callers_format(tmp_path, mocks, queue, reason):
    for mock in mocks:
        mock.behave(latency_ms=1500)
    gateway = Gateway(tmp_path, limited(tmp_path, [m.url for m in mocks], 1, queue))
    try:
        key = gateway.create_key()
        results = burst(gateway, key, 6)
        refused = [(headers, body) for status, headers, body in results if status == 503]
        served = [status for status, _, _ in results if status == 200]
        # 2 slots; with depth 1 one more waits (3 served); with a short wait only the 2 in slots are.
        assert len(served) == (3 if reason == "full" else 2) and len(refused) == 6 - len(served)
        for headers, body in refused:
            assert headers["retry-after"] == "1"
            assert body["error"]["type"] and "busy" in body["error"]["message"]
        assert metric(gateway, f'tappass_upstream_queue_refused_total{{pool="local",reason="{reason}"}}') == len(refused)

        anthropic = burst(gateway, key, 6, "/v1/messages",
                          {"model": "claude-gateway-test", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]})
        # Anthropic's own status for this is 529 overloaded_error, which its SDK retries.
        shaped = [(headers, body) for status, headers, body in anthropic if status == 529]
        assert len(shaped) == len(refused), anthropic
        assert all(h["retry-after"] == "1" and b["type"] == "error" and b["error"]["type"] == "overloaded_error" for h, b in shaped)
    finally:
        gateway.stop()


def test_a_host_takes_as_many_requests_at_once_as_its_max_concurrent(tmp_path, mocks):
    """max_concurrent is the only limit per host: the HTTP client under it must not cap
    connections lower (it did at 256: the 257th concurrent request waited for a connection
    and failed as connect_failed after the connect timeout)."""
    mocks[0].behave(latency_ms=2000)
    gateway = Gateway(tmp_path, limited(tmp_path, [mocks[0].url], 400, "{depth: 16, wait: 1s}"))
    try:
        key = gateway.create_key()
        started = time.monotonic()
        results = burst(gateway, key, 300)
        elapsed = time.monotonic() - started
        statuses = sorted(status for status, _, _ in results)
        assert statuses == [200] * 300, {status: statuses.count(status) for status in set(statuses)}
        # All at once, not in waves: each waits the host's 2 s, none waits for another.
        assert elapsed < 9, elapsed
    finally:
        gateway.stop()
