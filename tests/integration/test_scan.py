"""`tappass scan` through the real binary: text, JSON and streaming JSON lines."""
import json
import subprocess

from conftest import TAPPASS


def scan(*args, stdin=""):
    return subprocess.run([str(TAPPASS), "scan", *args], input=stdin, capture_output=True, text=True)


def test_scan_reports_offsets_types_categories_and_default_actions(tmp_path):
    sample = tmp_path / "sample.txt"
    sample.write_text("Grüße from bob@corp.de, card 4539 1488 0343 6467\nnothing else\n")
    result = scan(str(sample), "--format", "json")
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["type"], f["category"], f["action"]) for f in findings] == [
        ("email", "pii", "flag"), ("payment_card", "pii", "redact")]
    text = sample.read_text()
    assert text[findings[0]["start"]:findings[0]["end"]] == "bob@corp.de"
    lines = scan(str(sample)).stdout.splitlines()
    assert lines[0].split("\t") == [f"{findings[0]['start']}-{findings[0]['end']}", "pii", "email", "flag"]


def test_scan_streams_json_lines_and_names_a_bad_line():
    stdin = '{"id": "a", "text": "IBAN BE76 5390 0754 7181"}\n{"id": "b", "text": "hello"}\n'
    result = scan("--jsonl", "-", stdin=stdin)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert [f["type"] for f in out[0]["findings"]] == ["iban"] and out[1]["findings"] == []
    bad = scan("--jsonl", "-", stdin='{"id": "a", "text": "x"}\nnot json\n')
    assert bad.returncode != 0 and "-:2" in bad.stderr
