#!/usr/bin/env python3
"""Detection quality and speed of tappass and other scanners on the same labelled corpora, in
one run: detect-secrets (Yelp, default plugins and filters), CredSweeper (Samsung, default
rules and ML threshold), Microsoft Presidio's pattern recognisers (credit card, e-mail, IBAN,
IP, phone, US SSN, UK NINO: no NLP model, raw pattern scores >= 0.5) and `tappass scan`.

Per corpus part (tests/corpus/evaluate.py's parts: generated, external) and per family
(credentials = secret, personal data = pii): precision, recall, F1 and false-alarm texts per
1,000 negatives (a text with no label of the family, with a finding of it). A finding counts
when a label of the family overlaps it. Scanners are scored only on the families they cover.
MB/s: corpus bytes over the scanner's wall time (whole process for the CLI scanners, in-process
calls for the Python libraries), so it includes start-up for the CLIs.

    bench/detection-peers.sh            (makes the venv, builds the release binary, runs this)
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "corpus"))
import evaluate  # noqa: E402

FAMILIES = ["secret", "pii"]


def tappass(binary, corpus):
    started = time.perf_counter()
    found = evaluate.scan(binary, corpus)
    elapsed = time.perf_counter() - started
    return {i: [(f["category"], f["start"], f["end"]) for f in fs if f["category"] in FAMILIES] for i, fs in found.items()}, elapsed


def written(corpus, directory):
    """Each text as a file, named by its index (line-based scanners need files)."""
    for index, sample in enumerate(corpus):
        (directory / f"{index:05d}.txt").write_text(sample["text"], encoding="utf-8")


def offsets(text, line_number, value, start_in_line=None):
    lines = text.split("\n")
    if not 1 <= line_number <= len(lines):
        return None
    base = sum(len(line) + 1 for line in lines[: line_number - 1])
    line = lines[line_number - 1]
    column = start_in_line if start_in_line is not None and start_in_line >= 0 else line.find(value)
    if column < 0:
        column = 0
    return base + column, base + column + max(1, len(value))


def detect_secrets(corpus):
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    with tempfile.TemporaryDirectory() as work:
        directory = Path(work)
        written(corpus, directory)
        started = time.perf_counter()
        secrets = SecretsCollection()
        with default_settings():
            for path in sorted(directory.iterdir()):
                secrets.scan_file(str(path))
        elapsed = time.perf_counter() - started
        found = {}
        for filename, secret in secrets:
            index = int(Path(filename).stem)
            sample = corpus[index]
            span = offsets(sample["text"], secret.line_number, secret.secret_value or "")
            if span:
                found.setdefault(sample["id"], []).append(("secret",) + span)
    return found, elapsed


def credsweeper(corpus):
    executable = Path(sys.executable).with_name("credsweeper")
    with tempfile.TemporaryDirectory() as work:
        directory = Path(work) / "texts"
        directory.mkdir()
        written(corpus, directory)
        report = Path(work) / "report.json"
        started = time.perf_counter()
        subprocess.run([str(executable), "--path", str(directory), "--save-json", str(report)], check=True, capture_output=True)
        elapsed = time.perf_counter() - started
        found = {}
        for candidate in json.loads(report.read_text()):
            for line in candidate["line_data_list"]:
                index = int(Path(line["path"]).stem)
                sample = corpus[index]
                span = offsets(sample["text"], line["line_num"], line["value"] or "", line.get("value_start"))
                if span:
                    found.setdefault(sample["id"], []).append(("secret",) + span)
    return found, elapsed


def presidio(corpus):
    from presidio_analyzer.predefined_recognizers import (CreditCardRecognizer, EmailRecognizer, IbanRecognizer, IpRecognizer,
                                                          PhoneRecognizer, UkNinoRecognizer, UsSsnRecognizer)

    recognizers = [CreditCardRecognizer(), EmailRecognizer(), IbanRecognizer(), IpRecognizer(), PhoneRecognizer(), UsSsnRecognizer(),
                   UkNinoRecognizer()]
    started = time.perf_counter()
    found = {}
    for sample in corpus:
        for recognizer in recognizers:
            for result in recognizer.analyze(sample["text"], recognizer.supported_entities, None) or []:
                if result.score >= 0.5:
                    found.setdefault(sample["id"], []).append(("pii", result.start, result.end))
    return found, time.perf_counter() - started


def score(corpus, found):
    """evaluate.families over a peer's findings, written as tappass reports them."""
    reported = {i: [{"category": f, "start": a, "end": b} for f, a, b in fs] for i, fs in found.items()}
    return evaluate.families(corpus, reported)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tappass", default=ROOT / ".build" / "release" / "tappass")
    parser.add_argument("--part", choices=list(evaluate.PARTS), action="append")
    args = parser.parse_args()
    scanners = [
        ("tappass", lambda corpus: tappass(args.tappass, corpus), FAMILIES),
        ("detect-secrets", detect_secrets, ["secret"]),
        ("credsweeper", credsweeper, ["secret"]),
        ("presidio patterns", presidio, ["pii"]),
    ]
    print("| part | family | scanner | precision | recall | F1 | false-alarm texts / 1,000 negatives | MB/s |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for part in args.part or list(evaluate.PARTS):
        corpus = evaluate.load(part)
        megabytes = sum(len(s["text"].encode()) for s in corpus) / 1e6
        for name, run, families in scanners:
            found, elapsed = run(corpus)
            scores = score(corpus, found)
            for family in families:
                m = scores[family]
                print(f"| {part} | {family} | {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
                      f"{m['alarms_per_1000']:.1f} | {megabytes / elapsed:.2f} |", flush=True)


if __name__ == "__main__":
    main()
