# TapPass Appliance — the two commands a newcomer needs:
#   make demo   build, then run the appliance on its embedded demo configuration
#   make test   build, then run the Swift tests, the SDK integration tests and the package tests
#               (the .deb under a real systemd in a container; needs root)
# Each installs what it needs first (Debian packages when missing, a Python venv for the SDKs).

APT_PACKAGES := libsqlite3-dev libsystemd-dev zlib1g-dev pkg-config dpkg-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VENV := .venv
PYTHON := $(VENV)/bin/python
BIN := .build/debug

.PHONY: demo test build deps venv engines swift-test integration-test format-check layout-check deb package-test bench clean

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@python3 -c 'import venv, ensurepip' 2>/dev/null || { \
		echo "Installing python3-venv"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv; }

build: deps
	swift build

demo: build
	$(BIN)/tappass serve --demo

$(PYTHON): tests/integration/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r tests/integration/requirements.txt
	touch $(PYTHON)

venv: deps $(PYTHON)

# Real inference engines (llama.cpp's llama-server, llama-cpp-python) with SmolLM2-135M, built
# once into .engines/ (about 7 minutes the first time) for the end-to-end suite.
engines: deps
	tests/engines/engines.sh setup

swift-test: build
	swift test

integration-test: build venv engines
	TAPPASS_BIN_DIR=$(CURDIR)/$(BIN) $(PYTHON) -m pytest tests/integration -q

format-check:
	scripts/format-check.sh

# One-way imports, honest Package.swift, module sizes, one JSON stack (ARCHITECTURE.md).
layout-check:
	scripts/check-layout.py

# The Debian package (release build, Swift runtime linked in): .build/deb/tappass-appliance_*.deb
deb: deps
	packaging/build-deb.sh .build/deb

# lintian, then install / reload / watchdog / upgrade / purge under systemd in a container.
package-test: build
	packaging/tests/run.sh

test: format-check layout-check swift-test integration-test package-test

bench: deps
	bench/gateway-overhead.sh
	bench/audit.sh
	bench/governance-overhead.sh
	bench/detectors.sh
	bench/audit-wal.sh

clean:
	rm -rf .build $(VENV) .tappass-demo
