#!/usr/bin/env python3
"""The investigation behind the README's "Names and addresses": how far a gazetteer and
capitalisation (no model, the only on-box option that fits a 1 ms budget per 2 KB prompt in
this appliance without a network) gets at person names and street addresses.

Names: Faker's first- and last-name lists for the six locales of the external corpus (the same
lists Faker fills the test names from: an optimistic setting), a salutation or a known first
name followed by a capitalised word. Addresses: a house number and street words with a street
suffix in EN/FR/DE/NL, or the reverse order. Scored on Presidio's templates (person and address
placeholders labelled), with false-alarm texts per 1,000 negatives, and timed per 2 KB (Python).

    .build/peers-venv/bin/python bench/names_gazetteer.py PRESIDIO_EVALUATOR_WHEEL_OR_DIR
"""
import re, sys, time, json, random, importlib
from faker import Faker
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "tests" / "corpus" / "external"))
import build_pii
LOCALES = build_pii.LOCALES
# Gazetteer from Faker's person providers (MIT): first and last names per locale.
first, last = set(), set()
for loc in LOCALES:
    mod = importlib.import_module(f"faker.providers.person.{loc}")
    P = mod.Provider
    for attr in ("first_names", "first_names_male", "first_names_female"):
        v = getattr(P, attr, None)
        if v: first.update(v.keys() if isinstance(v, dict) else v)
    v = getattr(P, "last_names", None)
    if v: last.update(v.keys() if isinstance(v, dict) else v)
COMMON = set("The This That And For With From Your Our Please Could Would Should Can May Will Mark June April August Rose Grace Hope Joy Faith Bill Sue Dear Thanks Hello Hi Good Best Regards Team Street Road North South East West New Saint Van Von De Le La Du".split())
first -= COMMON
SALUT = r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Mme|Mlle|M\.|Herr|Frau|Dhr|Mevr|Mevrouw|Meneer)\.?"
CAP = r"[A-ZÀ-Ý][a-zà-ÿ'’-]+"
name_re = re.compile(rf"(?:{SALUT}\s+)?({CAP})(?:\s+(?:van der|van den|van|de|von|le|la|du|da|di)?\s*({CAP}))?")
STREET = r"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Court|Ct\.?|Boulevard|Blvd\.?|Way|Place|Pl\.?|Square|Terrace|Forge|Fords|Knolls|Plains|Pines|rue|avenue|boulevard|chemin|allée|place|impasse|quai|[A-Za-zäöüß]*(?:straße|strasse|str\.|weg|gasse|platz|allee|ring)|[A-Za-z]*(?:straat|laan|weg|plein|gracht|kade|dreef|lei|steenweg|hof|baan|singel))"
addr_re = re.compile(rf"(\d{{1,5}}\s+(?:[A-Z][\w'-]*\s+){{0,3}}{STREET}\b|(?:[A-Z][\w'-]*\s*){{1,3}}{STREET}\s+\d{{1,5}}\w?|\b(?:rue|avenue|boulevard|chemin)\s+[\w' -]{{2,40}})", re.I)
def detect(text):
    spans = []
    for m in name_re.finditer(text):
        a, b = m.group(1), m.group(2)
        sal = m.group(0)[:len(m.group(0)) - len(m.group(0).lstrip())] if False else None
        has_sal = re.match(SALUT, m.group(0)) is not None
        if (a in first and (b is not None or has_sal)) or (has_sal and a) or (b and b in last and a in first):
            spans.append(("person", m.start(), m.end()))
    for m in addr_re.finditer(text):
        spans.append(("address", m.start(), m.end()))
    return spans
# Corpus: Presidio templates with person/address labels.
lines = [l.strip() for l in build_pii.templates(sys.argv[1]) if l.strip()]
PERSON = {"person","name","first_name","last_name","name_female","name_male","first_name_male","first_name_female","first_name_nonbinary","last_name_male","last_name_female"}
ADDR = {"address","street_name"}
samples = []
for loc in LOCALES:
    fake = Faker(loc); fake.seed_instance(sum(map(ord, loc)))
    for t in lines:
        text, labels, pos = "", [], 0
        for m in re.finditer(r"{{\s*([a-z_]+)\s*}}", t):
            text += t[pos:m.start()]
            f = m.group(1)
            v = build_pii.value_for(f, fake, loc, t)[0] if f not in PERSON|ADDR else str(getattr(fake, {"person":"name","street_name":"street_name"}.get(f, f))())
            if f in PERSON: labels.append(("person", len(text), len(text)+len(v)))
            if f in ADDR: labels.append(("address", len(text), len(text)+len(v)))
            text += v; pos = m.end()
        text += t[pos:]
        samples.append((text, labels))
for kind in ("person", "address"):
    tp=fp=fn=0; neg=alarm=0
    for text, labels in samples:
        L=[l for l in labels if l[0]==kind]; F=[f for f in detect(text) if f[0]==kind]
        if not L:
            neg+=1; alarm+=bool(F)
        for f in F:
            m=next((l for l in L if l[1]<f[2] and f[1]<l[2]),None)
            if m: L.remove(m); tp+=1
            else: fp+=1
        fn+=len(L)
    p=tp/(tp+fp) if tp+fp else 1; r=tp/(tp+fn) if tp+fn else 1
    print(f"{kind}: precision {p:.3f} recall {r:.3f} F1 {2*p*r/(p+r):.3f} false-alarm texts {1000*alarm/neg:.0f}/1000 negatives (TP {tp} FP {fp} FN {fn})")
text2k = (" ".join(s[0] for s in samples))[:2048]
t0=time.perf_counter()
for _ in range(2000): detect(text2k)
print(f"python prototype: {(time.perf_counter()-t0)/2000*1e6:.0f} µs per 2 KB; gazetteer {len(first)} first names, {len(last)} last names")
