"""The appliance in front of real inference engines: llama.cpp's llama-server and
llama-cpp-python's server, both running SmolLM2-135M on CPU (tests/engines/engines.sh builds
them once into .engines/). Assertions are about shapes and behaviour, never the tiny model's
words; temperature 0 and a fixed seed keep its answers repeatable."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, Gateway

ENGINES = ROOT / "tests" / "engines" / "engines.sh"
HOME = Path(os.environ.get("TAPPASS_ENGINES", ROOT / ".engines"))
SAMPLING = {"temperature": 0, "seed": 7}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Engine:
    def __init__(self, kind, name, port=None):
        self.kind, self.name, self.port = kind, name, port or free_port()
        self.start()

    def start(self):
        out = subprocess.run([str(ENGINES), "start", self.kind, str(self.port), self.name],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"{self.name} did not start (run tests/engines/engines.sh setup): {out.stderr}")
        self.pid = int(out.stdout.split()[-1])
        self.url = f"http://127.0.0.1:{self.port}"

    def kill(self):
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for _ in range(50):
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def log(self):
        return (HOME / f"{self.name}.log").read_text(errors="replace")

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.load(response)

    def post(self, path, body):
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)


def engines_config(tmp_path, llama, python, extra_pools="", extra_models=""):
    # Health probes forgive a slow answer: on a loaded 2-core runner a probe can wait seconds
    # behind a generation, and a host marked down would make counts fall back to the estimate.
    return f"""
state_dir: {tmp_path}/state
admin_socket: {tmp_path}/state/admin.sock
limits:
  timeouts: {{connect: 1s, first_byte: 30s, idle: 10s, total: 60s}}
upstreams:
  llama:
    kind: llamacpp
    health: {{interval: 1s, timeout: 5s, unhealthy_after: 3}}
    hosts: [{{url: "{llama.url}/v1"}}]
  llama-native:
    kind: llamacpp
    messages_api: native
    health: {{interval: 1s, timeout: 5s, unhealthy_after: 3}}
    hosts: [{{url: "{llama.url}/v1"}}]
  pyllama:                  # llama-cpp-python: health from /v1/models, one generation at a time
    kind: openai
    tokenizer: llama_cpp_python
    health: {{interval: 1s, timeout: 5s, unhealthy_after: 3}}
    hosts: [{{url: "{python.url}/v1", max_concurrent: 1}}]
{extra_pools}
models:
  - {{name: smol-a, pool: llama, model: smollm2-135m}}
  - {{name: smol-b, pool: pyllama, model: smollm2-135m}}
  - {{name: claude-smol-a, pool: llama, model: smollm2-135m}}
  - {{name: claude-smol-b, pool: pyllama, model: smollm2-135m}}
  - {{name: claude-smol-native, pool: llama-native, model: smollm2-135m}}
  - {{name: embed-a, pool: llama, model: smollm2-135m}}
  - {{name: embed-b, pool: pyllama, model: smollm2-135m}}
{extra_models}
"""


@pytest.fixture(scope="module")
def engines():
    llama = Engine("llama-server", "llama-server")
    python = Engine("llama-cpp-python", "llama-cpp-python")
    yield llama, python
    llama.kill()
    python.kill()


def wait_until_healthy(gateway, pools, timeout=15):
    """Until every host of `pools` is up in /metrics (a first probe may catch a server still loading)."""
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(gateway.base_url + "/metrics", timeout=5) as response:
            lines = [l for l in response.read().decode().splitlines() if l.startswith("tappass_upstream_healthy")]
        states = {l for pool in pools for l in lines if f'pool="{pool}"' in l}
        if states and all(l.rsplit(" ", 1)[1] in ("1", "1.0") for l in states):
            return
        assert time.monotonic() < deadline, f"hosts not healthy: {states}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def appliance(engines, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("engines")
    gateway = Gateway(tmp_path, engines_config(tmp_path, *engines))
    gateway.key = gateway.create_key()
    wait_until_healthy(gateway, ["llama", "llama-native", "pyllama"])
    yield gateway
    gateway.stop()


@pytest.fixture(scope="module")
def openai_client(appliance):
    from openai import OpenAI

    return OpenAI(base_url=appliance.base_url + "/v1", api_key=appliance.key, max_retries=0, timeout=60)


@pytest.fixture(scope="module")
def anthropic_client(appliance):
    import anthropic

    return anthropic.Anthropic(base_url=appliance.base_url, api_key=appliance.key, max_retries=0, timeout=60)


def audit_record(gateway, request_id):
    for line in gateway.cli("audit", "export").stdout.splitlines():
        record = json.loads(line)
        if record.get("name") == request_id:
            return record
    raise AssertionError(f"no audit record for {request_id}")


MESSAGES = [{"role": "user", "content": "Name three colours."}]


@pytest.mark.parametrize("model", ["smol-a", "smol-b"])
def test_openai_chat_with_usage_from_every_engine(appliance, openai_client, model):
    raw = openai_client.chat.completions.with_raw_response.create(model=model, messages=MESSAGES, max_tokens=12, **SAMPLING)
    completion = raw.parse()
    assert completion.choices[0].message.role == "assistant"
    assert isinstance(completion.choices[0].message.content, str) and completion.choices[0].message.content
    assert completion.usage.prompt_tokens > 0 and 0 < completion.usage.completion_tokens <= 12

    with openai_client.chat.completions.with_streaming_response.create(
        model=model, messages=MESSAGES, max_tokens=12, stream=True, stream_options={"include_usage": True}, **SAMPLING
    ) as streamed:
        request_id = streamed.headers["x-request-id"]
        chunks = list(streamed.parse())
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == completion.choices[0].message.content, "same sampling, same answer"
    usage = chunks[-1].usage
    # llama-cpp-python ignores include_usage: the gateway counts on its tokenizer, to the same figures.
    assert usage is not None and chunks[-1].choices == []
    assert (usage.prompt_tokens, usage.completion_tokens) == (completion.usage.prompt_tokens, completion.usage.completion_tokens)
    record = audit_record(appliance, request_id)
    assert (record["tokens_in"], record["tokens_out"]) == (usage.prompt_tokens, usage.completion_tokens)
    assert record["outcome"] == "completed" and record["first_token_ms"] > 0

    # Without include_usage the client gets no usage chunk, and the record still has the counts.
    with openai_client.chat.completions.with_streaming_response.create(
        model=model, messages=MESSAGES, max_tokens=12, stream=True, **SAMPLING
    ) as streamed:
        request_id = streamed.headers["x-request-id"]
        chunks = list(streamed.parse())
    assert all(c.usage is None for c in chunks) and all(c.choices for c in chunks)
    record = audit_record(appliance, request_id)
    assert (record["tokens_in"], record["tokens_out"]) == (usage.prompt_tokens, usage.completion_tokens)


@pytest.mark.parametrize("model", ["claude-smol-a", "claude-smol-b", "claude-smol-native"])
def test_anthropic_messages_translated_and_native(anthropic_client, model):
    messages = [{"role": "user", "content": "Name three colours."}]
    message = anthropic_client.messages.create(model=model, max_tokens=12, messages=messages, extra_body={"temperature": 0})
    assert message.type == "message" and message.role == "assistant"
    assert message.content[0].type == "text" and message.content[0].text
    assert message.stop_reason in ("end_turn", "max_tokens")
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0

    counted = anthropic_client.messages.count_tokens(model=model, messages=messages)
    # Anthropic's input_tokens leaves out what came from the prompt cache (llama-server reports it).
    prompt = message.usage.input_tokens + (message.usage.cache_read_input_tokens or 0)
    assert counted.input_tokens == prompt, "count_tokens is the host's own count"

    with anthropic_client.messages.stream(model=model, max_tokens=12, messages=messages, extra_body={"temperature": 0}) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_message()
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    assert "content_block_delta" in kinds
    assert final.content[0].text == message.content[0].text
    assert final.usage.output_tokens == message.usage.output_tokens


def test_count_tokens_equals_the_hosts_tokenizer(engines, appliance, anthropic_client):
    llama, python = engines
    wait_until_healthy(appliance, ["llama", "pyllama"])
    messages = [{"role": "user", "content": "Hello gateway world"}]

    def host_count(model):
        # A host still busy with an earlier test's abandoned generation may not answer the
        # tokenizer in time; the gateway then says `estimate` (by design), so ask again.
        for _ in range(5):
            raw = anthropic_client.messages.with_raw_response.count_tokens(
                model=model, messages=messages)
            if raw.headers.get("x-tappass-token-count") == "host":
                return raw.parse().input_tokens
            time.sleep(1)
        pytest.fail(f"{model}: the host's tokenizer never answered (x-tappass-token-count: estimate)")

    a = host_count("claude-smol-a")
    b = host_count("claude-smol-b")
    # What each host itself counts for the same chat prompt.
    prompt = llama.post("/apply-template", {"messages": messages})["prompt"]
    assert a == len(llama.post("/tokenize", {"content": prompt, "add_special": True, "parse_special": True})["tokens"])
    direct = python.post("/v1/chat/completions", {"model": "smollm2-135m", "messages": messages, "max_tokens": 1})
    assert b == direct["usage"]["prompt_tokens"]


def test_tool_calls_reach_both_sdks_in_their_own_shape(openai_client, anthropic_client):
    ask = [{"role": "user", "content": "What is the weather in Paris?"}]
    choice = {"type": "function", "function": {"name": "get_weather"}}
    completion = openai_client.chat.completions.create(
        model="smol-b", messages=ask, tools=[WEATHER_TOOL], tool_choice=choice, max_tokens=40, **SAMPLING)
    call = completion.choices[0].message.tool_calls[0]
    assert completion.choices[0].finish_reason == "tool_calls"
    assert call.type == "function" and call.function.name == "get_weather" and call.id
    assert isinstance(json.loads(call.function.arguments), dict)

    chunks = list(openai_client.chat.completions.create(
        model="smol-b", messages=ask, tools=[WEATHER_TOOL], tool_choice=choice, max_tokens=40, stream=True, **SAMPLING))
    deltas = [c.choices[0].delta.tool_calls[0] for c in chunks if c.choices and c.choices[0].delta.tool_calls]
    assert len(deltas) > 1
    # OpenAI's shape: id, type and name in the first delta of a call only, then arguments.
    assert deltas[0].id and deltas[0].function.name == "get_weather"
    assert all(d.id is None and d.function.name is None for d in deltas[1:])
    arguments = "".join(d.function.arguments or "" for d in deltas)
    assert json.loads(arguments) == json.loads(call.function.arguments)

    tool = {"name": "get_weather", "description": "Current weather for a city",
            "input_schema": WEATHER_TOOL["function"]["parameters"]}
    message = anthropic_client.messages.create(
        model="claude-smol-b", max_tokens=40, messages=ask, tools=[tool],
        tool_choice={"type": "tool", "name": "get_weather"}, extra_body={"temperature": 0})
    use = next(block for block in message.content if block.type == "tool_use")
    assert message.stop_reason == "tool_use" and use.name == "get_weather" and isinstance(use.input, dict)
    with anthropic_client.messages.stream(
        model="claude-smol-b", max_tokens=40, messages=ask, tools=[tool],
        tool_choice={"type": "tool", "name": "get_weather"}, extra_body={"temperature": 0},
    ) as stream:
        events = list(stream)
        final = stream.get_final_message()
    assert any(e.type == "content_block_start" and e.content_block.type == "tool_use" for e in events)
    assert any(e.type == "content_block_delta" and e.delta.type == "input_json_delta" for e in events)
    assert next(b for b in final.content if b.type == "tool_use").input == use.input


def test_embeddings_vectors_or_a_clear_error(openai_client):
    import openai

    result = openai_client.embeddings.create(model="embed-a", input=["hello", "gateway world"])
    assert [len(item.embedding) for item in result.data] == [576, 576]
    assert all(isinstance(x, float) for x in result.data[0].embedding)
    with pytest.raises(openai.APIStatusError) as refused:
        openai_client.embeddings.create(model="embed-b", input="hello")
    assert refused.value.status_code == 502
    assert "one vector per token" in refused.value.message


def test_each_hosts_health_probe_is_recognised(appliance):
    with urllib.request.urlopen(appliance.base_url + "/metrics", timeout=5) as response:
        metrics = response.read().decode()
    for pool in ("llama", "pyllama"):
        line = next(l for l in metrics.splitlines() if l.startswith("tappass_upstream_healthy") and f'pool="{pool}"' in l)
        assert line.endswith(" 1") or line.endswith(" 1.0"), line
    checked = appliance.cli("config", "check").stdout
    assert "path: /health" in checked and "path: /v1/models" in checked


def test_malformed_requests_never_reach_a_host(engines, appliance):
    _, python = engines
    before = python.log().count("POST /v1/chat/completions")
    for body in ({"model": "smol-b", "messages": "not a list"}, {"model": "smol-b"},
                 {"model": "smol-b", "messages": [{"role": "user", "content": "x"}], "max_tokens": "many"}):
        request = urllib.request.Request(
            appliance.base_url + "/v1/chat/completions", data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {appliance.key}", "Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 400
        assert json.loads(refused.value.read())["error"]["type"] == "invalid_request_error"
    # llama-cpp-python answers 500 to such requests; none of them got there.
    assert python.log().count("POST /v1/chat/completions") == before


def test_failover_mid_stream_error_and_recovery_through_the_breaker(engines, tmp_path):
    from openai import APIError, OpenAI

    first, second = Engine("llama-server", "llama-server-1"), Engine("llama-server", "llama-server-2")
    llama, python = engines
    pair = f"""  pair:
    kind: llamacpp
    health: {{interval: 500ms, timeout: 1s, unhealthy_after: 1}}
    breaker: {{failures: 1, open_for: 1s}}
    hosts: [{{url: "{first.url}/v1"}}, {{url: "{second.url}/v1"}}]
"""
    gateway = Gateway(tmp_path, engines_config(tmp_path, llama, python, extra_pools=pair,
                                               extra_models="  - {name: smol-pair, pool: pair, model: smollm2-135m}\n"))
    try:
        client = OpenAI(base_url=gateway.base_url + "/v1", api_key=gateway.create_key(), max_retries=0, timeout=60)
        wait_until_healthy(gateway, ["pair"])

        def ask(**extra):
            return client.chat.completions.create(model="smol-pair", messages=MESSAGES, max_tokens=8, **SAMPLING, **extra)

        for _ in range(4):
            ask()
        # One host dies: new requests go to the other, with no client error.
        first.kill()
        for _ in range(6):
            assert ask().choices[0].message.content is not None

        # The other dies mid-stream: the client gets a wire-correct error, the record says so.
        with client.chat.completions.with_streaming_response.create(
            model="smol-pair", messages=[{"role": "user", "content": "Write a long story about a cat."}],
            max_tokens=400, stream=True, **SAMPLING,
        ) as streamed:
            request_id = streamed.headers["x-request-id"]
            iterator = iter(streamed.parse())
            next(iterator)
            second.kill()
            with pytest.raises(APIError):
                for _ in iterator:
                    pass
        deadline = time.monotonic() + 10
        while audit_record_or_none(gateway, request_id) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert audit_record(gateway, request_id)["outcome"] == "upstream-error"

        # Restarted, a host comes back through the breaker's half-open trial and serves again.
        first.start()
        deadline = time.monotonic() + 15
        while True:
            try:
                assert ask().choices[0].message.content is not None
                break
            except APIError:
                assert time.monotonic() < deadline, "the restarted host never came back"
                time.sleep(0.5)
        assert "completed" in gateway.cli("audit", "query", "--json", "--limit", "1000").stdout
    finally:
        gateway.stop()
        first.kill()
        second.kill()


def audit_record_or_none(gateway, request_id):
    try:
        return audit_record(gateway, request_id)
    except AssertionError:
        return None
