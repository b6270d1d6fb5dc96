#!/usr/bin/env python3
"""Precision and recall of `tappass scan` on the labelled corpora, per type and per family.

Two parts, reported separately and never tuned together:
  generated  tests/corpus/corpus.jsonl, this project's generator (generate.py);
  external   tests/corpus/external/*.jsonl, text and values nobody here wrote (see its README).

A finding is a true positive when a label of the same type overlaps it; every other finding is
a false positive, every unmatched label a false negative. By family (secret, pii, exfil) a
finding counts when a label of the same family overlaps it, whatever the type's name. A text
with no label of a family is a negative for that family; a negative with a finding of that
family is a false-alarm text (reported per 1,000 negatives). A sample may name the
`families` it is labelled for (the secrets part labels only credentials): other families'
findings in it are not counted.

    python3 tests/corpus/evaluate.py [--tappass PATH] [--part generated|external] [--markdown] [--mistakes]
"""
import argparse
import json
import subprocess
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CATEGORY = {}
PII = {"email", "phone", "payment_card", "iban", "us_ssn", "be_national_number", "nl_bsn", "uk_nino", "fr_nir", "ip_address", "date_of_birth"}
FAMILIES = ["secret", "pii", "exfil"]
PARTS = {"generated": [HERE / "corpus.jsonl"], "external": sorted((HERE / "external").glob("*.jsonl"))}


def category_of(kind):
    if kind in CATEGORY:
        return CATEGORY[kind]
    if kind.startswith("exfil"):
        return "exfil"
    return "pii" if kind in PII else "secret"


def load(part):
    samples = []
    for path in PARTS[part]:
        samples += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return samples


def scan(tappass, corpus):
    feed = "".join(json.dumps({"id": s["id"], "text": s["text"]}, ensure_ascii=False) + "\n" for s in corpus)
    scanned = subprocess.run([str(tappass), "scan", "--jsonl", "-"], input=feed, capture_output=True, text=True, check=True)
    return {r["id"]: r["findings"] for r in map(json.loads, scanned.stdout.splitlines())}


def evaluate(tappass, part="generated"):
    corpus = load(part)
    found = scan(tappass, corpus)
    tp, fp, fn = Counter(), Counter(), Counter()
    mistakes = []
    for s in corpus:
        labels = list(s["labels"])
        for f in found.get(s["id"], []):
            if f["category"] not in s.get("families", FAMILIES):
                continue
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


def families(corpus, found):
    """Per family: TP, FP, FN (overlap within the family), negatives and false-alarm texts."""
    result = {}
    for family in FAMILIES:
        t = p = n = negatives = alarms = 0
        for s in corpus:
            if family not in s.get("families", FAMILIES):
                continue
            labels = [l for l in s["labels"] if category_of(l["type"]) == family]
            findings = [f for f in found.get(s["id"], []) if f["category"] == family]
            if not labels:
                negatives += 1
                alarms += bool(findings)
            for f in findings:
                match = next((l for l in labels if l["start"] < f["end"] and f["start"] < l["end"]), None)
                if match:
                    labels.remove(match)
                    t += 1
                else:
                    p += 1
            n += len(labels)
        precision, recall = ratio(t, t + p), ratio(t, t + n)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[family] = dict(tp=t, fp=p, fn=n, precision=precision, recall=recall, f1=f1, negatives=negatives,
                              alarms_per_1000=1000 * alarms / negatives if negatives else 0.0)
    return result


def ratio(a, b):
    return a / b if b else 1.0


def table(tp, fp, fn):
    rows = []
    kinds = sorted(set(tp) | set(fp) | set(fn), key=lambda k: (category_of(k), k))
    for kind in kinds:
        rows.append((category_of(kind), kind, tp[kind], fp[kind], fn[kind], ratio(tp[kind], tp[kind] + fp[kind]), ratio(tp[kind], tp[kind] + fn[kind])))
    by_category = {}
    for category in FAMILIES:
        t = sum(tp[k] for k in kinds if category_of(k) == category)
        p = sum(fp[k] for k in kinds if category_of(k) == category)
        n = sum(fn[k] for k in kinds if category_of(k) == category)
        if t + p + n:
            by_category[category] = (t, p, n, ratio(t, t + p), ratio(t, t + n))
    return rows, by_category


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tappass", default=ROOT / ".build" / "debug" / "tappass")
    parser.add_argument("--part", choices=list(PARTS), action="append")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--mistakes", action="store_true")
    args = parser.parse_args()
    for part in args.part or list(PARTS):
        corpus, tp, fp, fn, mistakes = evaluate(args.tappass, part)
        rows, _ = table(tp, fp, fn)
        by_family = families(corpus, scan(args.tappass, corpus))
        labelled = sum(len(s["labels"]) for s in corpus)
        if args.markdown:
            print(f"**{part}**: {len(corpus)} texts, {labelled} labelled values.\n")
            print("| family | TP | FP | FN | precision | recall | F1 | false-alarm texts / 1,000 negatives |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|")
            for family, m in by_family.items():
                if m["tp"] + m["fp"] + m["fn"]:
                    print(f"| {family} | {m['tp']} | {m['fp']} | {m['fn']} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['alarms_per_1000']:.1f} |")
            print("\n| type | TP | FP | FN | precision | recall |\n|---|---:|---:|---:|---:|---:|")
            for category, kind, t, p, n, precision, recall in rows:
                print(f"| {kind} ({category}) | {t} | {p} | {n} | {precision:.3f} | {recall:.3f} |")
            print()
        else:
            print(f"== {part}: {len(corpus)} texts, {labelled} labelled values")
            for family, m in by_family.items():
                if m["tp"] + m["fp"] + m["fn"]:
                    print(f"{family:8} precision {m['precision']:.3f} recall {m['recall']:.3f} F1 {m['f1']:.3f} "
                          f"false alarms {m['alarms_per_1000']:.1f}/1000 negatives (TP {m['tp']}, FP {m['fp']}, FN {m['fn']})")
            for category, kind, t, p, n, precision, recall in rows:
                print(f"  {kind:22} precision {precision:.3f} recall {recall:.3f} (TP {t}, FP {p}, FN {n})")
        if args.mistakes:
            for mistake in mistakes[:80]:
                print(*mistake, sep="\t")


if __name__ == "__main__":
    main()
