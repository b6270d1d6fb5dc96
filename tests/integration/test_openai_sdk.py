"""The official `openai` Python SDK driving the real gateway in front of real mock hosts."""
import json
import time

import openai
import pytest
from openai import OpenAI

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string"}}},
    },
}


def test_chat_completion(client, mocks):
    completion = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}], temperature=0, seed=7, stop=["\n\n"], n=1,
        response_format={"type": "text"},
    )
    assert completion.choices[0].message.content == "Hello from the mock host."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.total_tokens == 7  # "user: hi" is 2 mock tokens, plus 5 words
    received = json.loads(sum((m.stats()["requests"] and [m.stats()["last_request"]] or [] for m in mocks), [])[0])
    assert received["model"] == "mock-model"
    assert received["seed"] == 7 and received["stop"] == ["\n\n"] and received["response_format"] == {"type": "text"}


def test_streaming_with_usage(client):
    stream = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello from the mock host."
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 5


def test_tool_calls(client):
    completion = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "weather?"}], tools=[WEATHER_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    call = completion.choices[0].message.tool_calls[0]
    assert completion.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Brussels", "unit": "celsius"}


def test_streamed_tool_call_arguments_accumulate(client):
    stream = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "weather?"}], tools=[WEATHER_TOOL],
        tool_choice="required", stream=True,
    )
    name, arguments, finish = None, "", None
    for chunk in stream:
        for call in chunk.choices[0].delta.tool_calls or []:
            name = call.function.name or name
            arguments += call.function.arguments or ""
        finish = chunk.choices[0].finish_reason or finish
    assert name == "get_weather" and finish == "tool_calls"
    assert json.loads(arguments) == {"city": "Brussels", "unit": "celsius"}


def test_models_and_embeddings(client):
    ids = [model.id for model in client.models.list()]
    assert ids == ["echo"]
    vectors = client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
    assert [item.index for item in vectors.data] == [0, 1]
    assert len(vectors.data[0].embedding) == 4


@pytest.mark.parametrize(
    "call, exception, status",
    [
        (lambda c: OpenAI(base_url=c.base_url, api_key="tp_wrong_key", max_retries=0).models.list(), openai.AuthenticationError, 401),
        (lambda c: c.chat.completions.create(model="mistral-unrouted", messages=[{"role": "user", "content": "x"}]), openai.NotFoundError, 404),
        (lambda c: c.chat.completions.create(model="gpt-4o", messages=[]), openai.BadRequestError, 400),
        (lambda c: c.chat.completions.create(model="gpt-4o", messages=[{"role": "wizard", "content": "x"}]), openai.BadRequestError, 400),
        (lambda c: c.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x" * 70000}]), openai.APIStatusError, 413),
        # An amplifying field: a million answers is refused before any host is asked (limits.max_choices).
        (lambda c: c.chat.completions.create(model="gpt-4o", n=1_000_000, messages=[{"role": "user", "content": "x"}]), openai.BadRequestError, 400),
    ],
)
def test_errors_raise_the_sdks_own_exceptions(client, mocks, call, exception, status):
    with pytest.raises(exception) as raised:
        call(client)
    assert raised.value.status_code == status
    assert raised.value.body["message"]
    assert all(m.stats()["requests"] == 0 for m in mocks), "refused before reaching a host"


def test_model_outside_the_keys_list_is_403(gateway):
    limited = OpenAI(base_url=gateway.base_url + "/v1", api_key=gateway.create_key("eve", models="echo"), max_retries=0)
    with pytest.raises(openai.PermissionDeniedError):
        limited.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert limited.chat.completions.create(model="echo", messages=[{"role": "user", "content": "x"}]).choices[0].message.content == "x"


def test_failover_with_one_host_down(client, mocks):
    mocks[0].stop()
    for _ in range(10):
        assert client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}]).choices
    assert mocks[1].stats()["requests"] == 10


def test_breaker_opens_on_a_failing_host(client, mocks):
    mocks[0].behave(status=503)
    for _ in range(20):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert mocks[0].stats()["requests"] == 3, "the breaker opened after 3 failures"
    assert mocks[1].stats()["requests"] == 20


def test_all_hosts_failing_is_a_server_error(client, mocks):
    for mock in mocks:
        mock.behave(status=500)
    with pytest.raises(openai.InternalServerError) as raised:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert raised.value.status_code == 502
    assert "answered 500" in raised.value.body["message"]


def test_host_dying_mid_stream_raises_in_the_sdk(client, mocks):
    for mock in mocks:
        mock.behave(disconnect_after_chunks=3)
    stream = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True)
    with pytest.raises(openai.APIError):
        for _ in stream:
            pass


def test_client_disconnect_cancels_the_upstream_call(client, mocks):
    for mock in mocks:
        mock.behave(chunk_delay_ms=100, reply_words=["word"] * 100)
    stream = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True)
    next(iter(stream))
    next(iter(stream))
    stream.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and sum(m.stats()["cancelled_streams"] for m in mocks) == 0:
        time.sleep(0.1)
    assert sum(m.stats()["cancelled_streams"] for m in mocks) == 1
    assert sum(m.stats()["completed_streams"] for m in mocks) == 0


def test_host_keys_and_client_keys_never_reach_the_log(client, gateway):
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "secret prompt text"}])
    log = gateway.log()
    assert "request completed" in log
    assert "host-secret-do-not-log" not in log
    assert client.api_key not in log
    assert "secret prompt text" not in log
