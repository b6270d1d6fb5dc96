"""The official `anthropic` Python SDK driving the real gateway, translated to an
OpenAI-compatible mock host (a llama.cpp-like host with a tokenizer endpoint)."""
import json
import time
import urllib.request

import anthropic
import pytest

WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string"}}},
}
TIME = {"name": "get_time", "description": "Local time", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


def last_request(mocks):
    requests = [json.loads(m.stats()["last_request"]) for m in mocks if m.stats().get("last_request")]
    assert len(requests) == 1
    return requests[0]


def test_create(anthropic_client, mocks):
    message = anthropic_client.messages.create(
        model="gpt-4o", max_tokens=64, system="Be brief.", stop_sequences=["END"], metadata={"user_id": "alice@corp"},
        extra_body={"temperature": 0, "top_p": 0.9, "top_k": 20},  # this SDK release no longer takes them as arguments
        messages=[{"role": "user", "content": "hi"}],
    )
    assert message.type == "message" and message.role == "assistant"
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == "Hello from the mock host."
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens == 5 and message.usage.output_tokens == 5  # "system: Be brief.\nuser: hi" in mock tokens
    sent = last_request(mocks)
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}
    assert "stop" not in sent, "a llama.cpp host does not say which stop matched: the gateway applies them"
    assert sent["user"] == "alice@corp" and sent["max_tokens"] == 64
    assert sent["temperature"] == 0 and sent["top_p"] == 0.9 and sent["top_k"] == 20


def test_stream_final_message_equals_the_non_streamed_one(anthropic_client):
    kwargs = dict(model="gpt-4o", max_tokens=64, messages=[{"role": "user", "content": "hello there"}])
    created = anthropic_client.messages.create(**kwargs)
    with anthropic_client.messages.stream(**kwargs) as stream:
        texts = list(stream.text_stream)
        final = stream.get_final_message()
    # The output filter holds back a short window (tests/integration/test_governance.py), so a
    # short answer may arrive in fewer pieces than the host sent; the text is the same.
    assert "".join(texts) == "Hello from the mock host." and texts
    assert [(b.type, b.text) for b in final.content] == [(b.type, b.text) for b in created.content]
    assert final.stop_reason == created.stop_reason == "end_turn"
    assert final.usage.input_tokens == created.usage.input_tokens == 3
    assert final.usage.output_tokens == created.usage.output_tokens


def test_message_start_carries_real_input_tokens(anthropic_client):
    events = list(anthropic_client.messages.create(
        model="gpt-4o", max_tokens=64, stream=True, messages=[{"role": "user", "content": "one two three four"}]))
    assert events[0].type == "message_start"
    assert events[0].message.usage.input_tokens == 5  # "user: one two three four" on the host's tokenizer
    types = [e.type for e in events if e.type != "ping"]
    collapsed = [t for i, t in enumerate(types) if i == 0 or t != types[i - 1]]
    assert collapsed == ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]
    assert "".join(e.delta.text for e in events if e.type == "content_block_delta") == "Hello from the mock host."


def test_tool_round_trip(anthropic_client, mocks):
    messages = [{"role": "user", "content": "Weather in Brussels?"}]
    first = anthropic_client.messages.create(model="gpt-4o", max_tokens=64, tools=[WEATHER], tool_choice={"type": "any"}, messages=messages)
    assert first.stop_reason == "tool_use"
    (call,) = [b for b in first.content if b.type == "tool_use"]
    assert call.name == "get_weather" and call.input == {"city": "Brussels", "unit": "celsius"}
    messages += [
        {"role": "assistant", "content": first.content},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "12 degrees, rain"}]},
    ]
    second = anthropic_client.messages.create(model="gpt-4o", max_tokens=64, tools=[WEATHER], messages=messages)
    assert second.stop_reason == "end_turn" and second.content[0].text == "Hello from the mock host."
    sent = [json.loads(m.stats()["last_request"]) for m in mocks if m.stats()["requests"]]
    history = next(r for r in sent if len(r["messages"]) == 3)["messages"]
    assert history[1]["tool_calls"][0]["id"] == call.id
    assert json.loads(history[1]["tool_calls"][0]["function"]["arguments"]) == call.input
    assert history[2] == {"role": "tool", "tool_call_id": call.id, "content": "12 degrees, rain"}


def test_two_parallel_tool_calls_streamed(anthropic_client, mocks):
    for mock in mocks:
        mock.behave(parallel_tool_calls=True, repeat_tool_identity=True)
    with anthropic_client.messages.stream(model="gpt-4o", max_tokens=64, tools=[WEATHER, TIME], tool_choice={"type": "any"},
                                          messages=[{"role": "user", "content": "Weather and time?"}]) as stream:
        events = list(stream)
        final = stream.get_final_message()
    assert final.stop_reason == "tool_use"
    assert [(b.type, b.name, b.input) for b in final.content] == [
        ("tool_use", "get_weather", {"city": "Brussels", "unit": "celsius"}),
        ("tool_use", "get_time", {"city": "Ghent", "unit": "celsius"}),
    ]
    starts = [e for e in events if e.type == "content_block_start"]
    assert [e.index for e in starts] == [0, 1]
    json_deltas = [e for e in events if e.type == "content_block_delta" and e.delta.type == "input_json_delta"]
    assert len(json_deltas) > 2, "arguments arrive as they stream"


def test_count_tokens_uses_the_hosts_tokenizer(anthropic_client, gateway):
    counted = anthropic_client.messages.count_tokens(
        model="gpt-4o", system="Be brief.", messages=[{"role": "user", "content": "one two three"}])
    assert counted.input_tokens == 7  # "system: Be brief.\nuser: one two three" in mock tokens
    created = anthropic_client.messages.create(
        model="gpt-4o", max_tokens=8, system="Be brief.", messages=[{"role": "user", "content": "one two three"}])
    assert created.usage.input_tokens == counted.input_tokens
    raw = anthropic_client.messages.with_raw_response.count_tokens(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert raw.headers["x-tappass-token-count"] == "host"


def test_count_tokens_estimate_never_under_counts_when_the_host_has_no_tokenizer(tmp_path, mocks):
    from conftest import Gateway, gateway_config

    gateway = Gateway(tmp_path, gateway_config(tmp_path, [m.url for m in mocks]).replace("kind: llamacpp", "kind: openai"))
    try:
        client = anthropic.Anthropic(base_url=gateway.base_url, api_key=gateway.create_key(), max_retries=0)
        text = "Ünïcödé words and emoji 🚀 " * 20
        raw = client.messages.with_raw_response.count_tokens(model="gpt-4o", messages=[{"role": "user", "content": text}])
        assert raw.headers["x-tappass-token-count"] == "estimate"
        assert raw.parse().input_tokens >= len(text.encode())
    finally:
        gateway.stop()


def test_models_in_anthropic_shape(anthropic_client):
    page = anthropic_client.models.list()
    assert [m.id for m in page.data] == ["echo"]
    assert page.data[0].type == "model"


@pytest.mark.parametrize(
    "make, exception, status",
    [
        (lambda c, g: anthropic.Anthropic(base_url=g.base_url, api_key="tp_wrong", max_retries=0)
            .messages.create(model="gpt-4o", max_tokens=5, messages=[{"role": "user", "content": "x"}]), anthropic.AuthenticationError, 401),
        (lambda c, g: c.messages.create(model="mistral-unrouted", max_tokens=5, messages=[{"role": "user", "content": "x"}]), anthropic.NotFoundError, 404),
        (lambda c, g: c.messages.create(model="gpt-4o", max_tokens=5, messages=[]), anthropic.BadRequestError, 400),
        (lambda c, g: anthropic.Anthropic(base_url=g.base_url, api_key=g.create_key("eve", models="echo"), max_retries=0)
            .messages.create(model="gpt-4o", max_tokens=5, messages=[{"role": "user", "content": "x"}]), anthropic.PermissionDeniedError, 403),
        (lambda c, g: c.messages.create(model="gpt-4o", max_tokens=5, messages=[{"role": "user", "content": "x" * 70000}]), anthropic.APIStatusError, 413),
    ],
)
def test_errors_raise_the_sdks_own_exceptions(anthropic_client, gateway, mocks, make, exception, status):
    with pytest.raises(exception) as raised:
        make(anthropic_client, gateway)
    assert raised.value.status_code == status
    assert raised.value.body["type"] == "error" and raised.value.body["error"]["message"]
    assert all(m.stats()["requests"] == 0 for m in mocks)


def test_host_errors_map_to_anthropic_classes(anthropic_client, mocks):
    for mock in mocks:
        mock.behave(status=429)
    with pytest.raises(anthropic.RateLimitError):
        anthropic_client.messages.create(model="gpt-4o", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    for mock in mocks:
        mock.behave(status=500)
    with pytest.raises(anthropic.InternalServerError) as raised:
        anthropic_client.messages.create(model="gpt-4o", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    assert raised.value.body["error"]["type"] == "api_error"
    for mock in mocks:
        mock.behave(status=503)
    for _ in range(4):  # the breakers open; then no host is available at all
        with pytest.raises(anthropic.APIStatusError) as raised:
            anthropic_client.messages.create(model="gpt-4o", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    assert isinstance(raised.value, anthropic.OverloadedError) and raised.value.status_code == 529


def test_host_dying_mid_stream_is_an_error_event(anthropic_client, mocks):
    for mock in mocks:
        mock.behave(disconnect_after_chunks=3)
    with pytest.raises(anthropic.APIStatusError) as raised:
        with anthropic_client.messages.stream(model="gpt-4o", max_tokens=64, messages=[{"role": "user", "content": "x"}]) as stream:
            for _ in stream:
                pass
    assert raised.value.body["error"]["type"] == "api_error"


def claude_code_request():
    """A request of the shape Claude Code 2.1 sends (see the team's wire notes)."""
    tools = [
        {"name": f"Tool{i}", "description": f"Tool number {i} " + "d" * 400,
         "input_schema": {"type": "object", "properties": {"path": {"type": "string"}, "n": {"type": "integer"}}, "required": ["path"]}}
        for i in range(15)
    ]
    tools[7]["defer_loading"] = True
    return dict(
        model="claude-sonnet-5",
        max_tokens=32000,
        system=[
            {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.0"},
            {"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude.", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "Main prompt. " * 500, "cache_control": {"type": "ephemeral"}},
        ],
        messages=[
            {"role": "user", "content": [
                {"type": "text", "text": "<system-reminder>Tools are on.</system-reminder>"},
                {"type": "text", "text": "List the files.", "cache_control": {"type": "ephemeral"}},
            ]},
        ],
        tools=tools,
        metadata={"user_id": "user_abc_account_def_session_123"},
        extra_body={
            "thinking": {"type": "adaptive", "display": "summarized"},
            "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
            "output_config": {"effort": "high"},
        },
        extra_query={"beta": "true"},
        extra_headers={
            "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,"
                              "mid-conversation-tool-changes-2026-07-01,advanced-tool-use-2025-11-20,some-future-beta-2027-01-01",
            "x-app": "cli", "user-agent": "claude-cli/2.1.0 (external, cli)",
        },
    )


def test_claude_code_shaped_request_keeps_its_meaning(anthropic_client, mocks):
    request = claude_code_request()
    # The role:"system" entry inside `messages` that Claude Code sends (the SDK's types would refuse it).
    request["extra_body"]["messages"] = [{"role": "system", "content": [{"type": "text", "text": "Environment: linux", "cache_control": {"type": "ephemeral"}}]}] + request.pop("messages")
    with anthropic_client.messages.stream(messages=[], **request) as stream:
        final = stream.get_final_message()
    assert final.content[0].text == "Hello from the mock host." and final.stop_reason == "end_turn"
    sent = last_request(mocks)
    assert sent["model"] == "mock-model" and sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    system = sent["messages"][0]
    assert system["role"] == "system" and sum(m["role"] == "system" for m in sent["messages"]) == 1
    for text in ["cc_version=2.1.0", "You are Claude Code", "Main prompt.", "Environment: linux"]:
        assert text in system["content"]
    assert sent["messages"][1] == {"role": "user", "content": "<system-reminder>Tools are on.</system-reminder>\nList the files."}
    assert [t["function"]["name"] for t in sent["tools"]] == [f"Tool{i}" for i in range(15)]
    assert all(set(t) == {"type", "function"} and t["function"]["parameters"]["required"] == ["path"] for t in sent["tools"])
    assert sent["user"] == "user_abc_account_def_session_123"
    for dropped in ["thinking", "context_management", "output_config", "metadata", "system"]:
        assert dropped not in sent
    assert "cache_control" not in json.dumps(sent)


@pytest.mark.parametrize("stream", [False, True])
def test_stop_sequence_is_named(anthropic_client, mocks, stream):
    for mock in mocks:
        mock.behave(reply_words=["The", "answer", "is", "42.", "Human:", "more", "text"], chunk_delay_ms=20 if stream else 0)
    kwargs = dict(model="gpt-4o", max_tokens=64, stop_sequences=["Human:", "never"], messages=[{"role": "user", "content": "q"}])
    if stream:
        with anthropic_client.messages.stream(**kwargs) as events:
            message = events.get_final_message()
    else:
        message = anthropic_client.messages.create(**kwargs)
    assert message.content[0].text == "The answer is 42. "
    assert message.stop_reason == "stop_sequence" and message.stop_sequence == "Human:"
    if stream:
        time.sleep(0.3)
        assert sum(m.stats()["cancelled_streams"] for m in mocks) == 1, "the host's generation was cut short"
