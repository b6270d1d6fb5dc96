#!/usr/bin/env bash
# Checks the Swift sources against .swift-format (the toolchain's swift-format); exit 1 on findings.
# Fix with: swift-format format -i -r Sources Tests Package.swift
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(swift-format lint -r Sources Tests Package.swift 2>&1)
if [ -n "$out" ]; then
  printf '%s\n' "$out"
  echo "swift-format: $(printf '%s\n' "$out" | wc -l) finding(s)"
  exit 1
fi
echo "swift-format: clean"
