#!/usr/bin/env python3
"""Checks the module layout that ARCHITECTURE.md describes; exit 1 on any finding.

1. Imports go one way: each target imports only the project modules listed for it below.
2. Package.swift is honest: each target lists exactly the packages' products and the project
   targets its files import (nothing unused, nothing missing).
3. No module is over MAX_CODE_LINES lines of code (blank lines and comments not counted).
4. No Foundation JSON coder (JSONEncoder, JSONDecoder, JSONSerialization) in a module on the
   request or stream path: those use JSONWire, the one JSON stack.

Run by `make test` (and so by .ci/run); `scripts/check-layout.py` prints what it found.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The project modules each target may import (one-way: nothing lower imports anything higher).
ALLOWED = {
    "CTextScan": set(),
    "CSystemd": set(),
    "JSONWire": {"CTextScan"},
    "ConfigFile": set(),
    "TextViews": {"CTextScan"},
    "Detection": {"CTextScan", "TextViews"},
    "Governance": {"Detection", "TextViews", "JSONWire", "ConfigFile", "CTextScan"},
    "Audit": set(),
    "Access": {"ConfigFile"},
    "LocalLLM": {"JSONWire"},
    "WireTranslation": {"JSONWire"},
    "Gateway": {"Governance", "Detection", "TextViews", "Audit", "Access", "LocalLLM", "WireTranslation", "JSONWire", "ConfigFile"},
    "AdminAPI": {"Gateway", "Governance", "Audit", "Access"},
    "StrictJSON": set(),
    "License": {"StrictJSON"},
    "Updater": {"StrictJSON"},
    "Appliance": {"Gateway", "AdminAPI", "Governance", "Detection", "Audit", "Access", "LocalLLM", "JSONWire",
                  "ConfigFile", "License", "Updater", "CSystemd"},
    "AuditBench": {"Gateway", "Audit", "Access", "JSONWire"},
    "LicenseIssuer": {"License"},
    "TestSupport": set(),
    "TestFixtures": set(),
    "MockUpstream": {"TestSupport"},
}

# Modules on the request or stream path: no Foundation JSON coder there.
REQUEST_PATH = {"JSONWire", "TextViews", "Detection", "Governance", "LocalLLM", "WireTranslation", "Gateway"}

MAX_CODE_LINES = 3000

# Modules that come with the toolchain, not from a package.
TOOLCHAIN = {"Foundation", "FoundationEssentials", "Glibc", "Darwin", "Dispatch", "Synchronization", "Testing",
             "CoreFoundation", "_Concurrency", "Observation", "XCTest", "Musl"}

IMPORT = re.compile(r"^\s*(?:@testable\s+|@_exported\s+)?(?:public\s+|package\s+|internal\s+)?import\s+(?:struct\s+|enum\s+|class\s+|func\s+)?(\w+)", re.M)
JSON_CODER = re.compile(r"\b(JSONEncoder|JSONDecoder|JSONSerialization)\b")


def code_lines(text):
    return [line for line in text.splitlines() if line.strip() and not line.strip().startswith("//")]


def check(manifest, root):
    """The findings for a package manifest (`swift package dump-package`) and its source tree."""
    targets = {t["name"]: t for t in manifest["targets"]}
    findings = []
    for name, target in sorted(targets.items()):
        if target["type"] == "system":
            continue
        folder = root / (target.get("path") or ("Tests/" if target["type"] == "test" else "Sources/") + name)
        files = sorted(folder.rglob("*.swift"))
        imports = {}
        lines = 0
        for file in files:
            text = file.read_text()
            lines += len(code_lines(text))
            for module in IMPORT.findall(text):
                imports.setdefault(module, file.relative_to(root))
            if name in REQUEST_PATH:
                for number, line in enumerate(text.splitlines(), 1):
                    if not line.strip().startswith("//") and JSON_CODER.search(line):
                        findings.append(f"{file.relative_to(root)}:{number}: a Foundation JSON coder on the request path "
                                        f"(module {name}); use JSONWire")
        if target["type"] != "test":
            lines += sum(len(code_lines(f.read_text())) for f in folder.rglob("*.[ch]"))
            if lines > MAX_CODE_LINES:
                findings.append(f"{folder.relative_to(root)}: {lines} lines of code, more than {MAX_CODE_LINES}")
        declared_targets, declared_products = set(), set()
        for dependency in target["dependencies"]:
            if "byName" in dependency:
                (declared_targets if dependency["byName"][0] in targets else declared_products).add(dependency["byName"][0])
            elif "target" in dependency:
                declared_targets.add(dependency["target"][0])
            elif "product" in dependency:
                declared_products.add(dependency["product"][0])
        ours = {m for m in imports if m in targets}
        theirs = {m for m in imports if m not in targets and m not in TOOLCHAIN and m != name}
        if target["type"] != "test" and name in ALLOWED:
            for module in sorted(ours - ALLOWED[name] - {name}):
                findings.append(f"{imports[module]}: module {name} imports {module}, against the direction of imports")
        elif target["type"] != "test":
            findings.append(f"{name}: a target the layout check does not know; add it to ALLOWED in scripts/check-layout.py")
        for module in sorted((ours - {name}) - declared_targets):
            findings.append(f"{imports[module]}: imports {module}, which target {name} does not list in Package.swift")
        for module in sorted(theirs - declared_products):
            findings.append(f"{imports[module]}: imports {module}, which target {name} does not list in Package.swift")
        for module in sorted(declared_targets - ours):
            findings.append(f"Package.swift: target {name} lists {module} but no file of it imports it")
        for module in sorted(declared_products - theirs):
            findings.append(f"Package.swift: target {name} lists product {module} but no file of it imports it")
    return findings


def main():
    manifest = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, check=True,
                                         capture_output=True, text=True).stdout)
    findings = check(manifest, ROOT)
    for finding in findings:
        print(finding)
    print(f"layout: {len(findings)} finding(s)" if findings else "layout: clean")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
