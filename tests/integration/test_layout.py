"""scripts/check-layout.py finds what it is there to find: an import against the direction, a
dependency Package.swift does not list or lists for nothing, a Foundation JSON coder on the
request path, a module grown too large."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("check_layout", ROOT / "scripts" / "check-layout.py")
layout = importlib.util.module_from_spec(spec)
spec.loader.exec_module(layout)


def target(name, *dependencies, products=()):
    return {"name": name, "type": "regular", "path": None,
            "dependencies": [{"byName": [d, None]} for d in dependencies]
            + [{"product": [p, "some-package", None, None]} for p in products]}


def tree(tmp_path, files):
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    return tmp_path


def test_a_clean_tree_has_no_findings(tmp_path):
    root = tree(tmp_path, {
        "Sources/JSONWire/A.swift": "import NIOCore\n",
        "Sources/Detection/B.swift": "import Foundation\n",
        "Sources/Governance/C.swift": "package import Detection\nimport JSONWire\n",
    })
    manifest = {"targets": [target("JSONWire", products=["NIOCore"]), target("Detection"),
                            target("Governance", "Detection", "JSONWire")]}
    assert layout.check(manifest, root) == []


def test_an_import_against_the_direction_is_found(tmp_path):
    root = tree(tmp_path, {"Sources/Detection/B.swift": "import Governance\n", "Sources/Governance/C.swift": "\n"})
    manifest = {"targets": [target("Detection", "Governance"), target("Governance")]}
    [finding] = layout.check(manifest, root)
    assert "module Detection imports Governance, against the direction of imports" in finding


def test_package_swift_must_list_exactly_what_is_imported(tmp_path):
    root = tree(tmp_path, {"Sources/Audit/A.swift": "import GRDB\nimport Crypto\n"})
    manifest = {"targets": [target("Audit", products=["GRDB", "Yams"])]}
    findings = layout.check(manifest, root)
    assert any("imports Crypto, which target Audit does not list" in f for f in findings)
    assert any("target Audit lists product Yams but no file of it imports it" in f for f in findings)
    assert len(findings) == 2


def test_foundation_json_coders_are_refused_on_the_request_path_only(tmp_path):
    code = "import Foundation\nlet data = try JSONEncoder().encode(1)\n// JSONDecoder in a comment is fine\n"
    root = tree(tmp_path, {"Sources/Gateway/G.swift": code, "Sources/License/L.swift": code})
    manifest = {"targets": [target("Gateway"), target("License")]}
    [finding] = layout.check(manifest, root)
    assert finding.startswith("Sources/Gateway/G.swift:2: a Foundation JSON coder on the request path")


def test_a_module_over_the_size_limit_is_found(tmp_path):
    body = "".join(f"let value{i} = {i}\n" for i in range(layout.MAX_CODE_LINES + 1))
    root = tree(tmp_path, {"Sources/ConfigFile/Big.swift": "// comments do not count\n\n" + body})
    manifest = {"targets": [target("ConfigFile")]}
    [finding] = layout.check(manifest, root)
    assert f"{layout.MAX_CODE_LINES + 1} lines of code" in finding
