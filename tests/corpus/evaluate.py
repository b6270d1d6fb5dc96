#!/usr/bin/env python3
"""Precision and recall of `tappass scan` on the labelled corpus, per type and per category.

A finding is a true positive when a label of the same type overlaps it; every other finding is
a false positive, every unmatched label a false negative.

    python3 tests/corpus/evaluate.py [--tappass PATH] [--markdown]
"""
import argparse
import json
import subprocess
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CATEGORY = {}


def category_of(kind):
    if kind in CATEGORY:
        return CATEGORY[kind]
    if kind.startswith("exfil"):
        return "exfil"
    pii = {"email", "phone", "payment_card", "iban", "us_ssn", "be_national_number", "nl_bsn", "uk_nino", "fr_nir", "ip_address", "date_of_birth"}
    return "pii" if kind in pii else "secret"


def evaluate(tappass):
    corpus = [json.loads(line) for line in (HERE / "corpus.jsonl").read_text().splitlines()]
    feed = "".join(json.dumps({"id": s["id"], "text": s["text"]}, ensure_ascii=False) + "\n" for s in corpus)
    scanned = subprocess.run([str(tappass), "scan", "--jsonl", "-"], input=feed, capture_output=True, text=True, check=True)
    found = {r["id"]: r["findings"] for r in map(json.loads, scanned.stdout.splitlines())}
    tp, fp, fn = Counter(), Counter(), Counter()
    mistakes = []
    for s in corpus:
        labels = list(s["labels"])
        for f in found.get(s["id"], []):
            CATEGORY[f["type"]] = f["category"]
            match = next((l for l in labels if l["type"] == f["type"] and l["start"] < f["end"] and f["start"] < l["end"]), None)
            if match:
                labels.remove(match)
                tp[f["type"]] += 1
            else:
                fp[f["type"]] += 1
                mistakes.append(("FP", f["type"], s["text"][f["start"]:f["end"]], s["id"]))
        for l in labels:
            fn[l["type"]] += 1
            mistakes.append(("FN", l["type"], s["text"][l["start"]:l["end"]], s["id"]))
    return corpus, tp, fp, fn, mistakes


def ratio(a, b):
    return a / b if b else 1.0


def table(tp, fp, fn):
    rows = []
    kinds = sorted(set(tp) | set(fp) | set(fn), key=lambda k: (category_of(k), k))
    for kind in kinds:
        rows.append((category_of(kind), kind, tp[kind], fp[kind], fn[kind], ratio(tp[kind], tp[kind] + fp[kind]), ratio(tp[kind], tp[kind] + fn[kind])))
    by_category = {}
    for category in ["secret", "pii", "exfil"]:
        t = sum(tp[k] for k in kinds if category_of(k) == category)
        p = sum(fp[k] for k in kinds if category_of(k) == category)
        n = sum(fn[k] for k in kinds if category_of(k) == category)
        by_category[category] = (t, p, n, ratio(t, t + p), ratio(t, t + n))
    return rows, by_category


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tappass", default=ROOT / ".build" / "debug" / "tappass")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--mistakes", action="store_true")
    args = parser.parse_args()
    corpus, tp, fp, fn, mistakes = evaluate(args.tappass)
    rows, by_category = table(tp, fp, fn)
    if args.markdown:
        print(f"Corpus: {len(corpus)} samples, {sum(len(s['labels']) for s in corpus)} labelled values.\n")
        print("| category | TP | FP | FN | precision | recall |\n|---|---:|---:|---:|---:|---:|")
        for category, (t, p, n, precision, recall) in by_category.items():
            print(f"| {category} | {t} | {p} | {n} | {precision:.3f} | {recall:.3f} |")
        print("\n| type | TP | FP | FN | precision | recall |\n|---|---:|---:|---:|---:|---:|")
        for category, kind, t, p, n, precision, recall in rows:
            print(f"| {kind} ({category}) | {t} | {p} | {n} | {precision:.3f} | {recall:.3f} |")
    else:
        for category, (t, p, n, precision, recall) in by_category.items():
            print(f"{category:8} precision {precision:.3f} recall {recall:.3f} (TP {t}, FP {p}, FN {n})")
        for category, kind, t, p, n, precision, recall in rows:
            print(f"  {kind:22} precision {precision:.3f} recall {recall:.3f} (TP {t}, FP {p}, FN {n})")
    if args.mistakes:
        for mistake in mistakes[:80]:
            print(*mistake, sep="\t")


if __name__ == "__main__":
    main()
