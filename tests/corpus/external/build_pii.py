#!/usr/bin/env python3
"""Builds tests/corpus/external/pii.jsonl: text and values nobody on this project wrote.

Texts: the sentence templates of Microsoft Presidio's evaluation data generator
(presidio-evaluator 0.3.2 on PyPI, `presidio_evaluator/data_generator/raw_data/templates.txt`,
MIT licence). Values: Faker (MIT licence) in six locales (en_US, en_GB, fr_FR, de_DE, nl_NL,
nl_BE): phone numbers, card numbers, IBANs, e-mail addresses, IP addresses, national
identifiers (`ssn` per locale) and dates of birth written as each locale writes dates.
Labels: where a value was put, with its type; a value is a positive only when python-stdnum
(LGPL) validates it (Luhn for cards, ISO 13616 for IBANs, the national checksums), so an
invalid number Faker made is a hard negative, as are names, addresses, postcodes, years,
ages, building numbers and dates that are not dates of birth. Person names and addresses are
not labelled: no pattern detector finds them (see the README, "Detection").

Run with a venv that has faker and python-stdnum (`bench/detection-peers.sh` makes one):
    python tests/corpus/external/build_pii.py [presidio_evaluator wheel or unpacked dir]
The output is committed; the tests read it and never run this script.
"""
import json, random, re, sys, zipfile
from datetime import date, datetime
from pathlib import Path

from faker import Faker
from stdnum import iban as std_iban, luhn
from stdnum.be import nn as be_nn
from stdnum.fr import nir as fr_nir
from stdnum.nl import bsn as nl_bsn
from stdnum.us import ssn as us_ssn

HERE = Path(__file__).resolve().parent
LOCALES = ["en_US", "en_GB", "fr_FR", "de_DE", "nl_NL", "nl_BE"]
DATE_FORMATS = {"en_US": "%m/%d/%Y", "en_GB": "%d %B %Y", "fr_FR": "%d/%m/%Y", "de_DE": "%d.%m.%Y", "nl_NL": "%d-%m-%Y", "nl_BE": "%d/%m/%Y"}
NINO = re.compile(r"^(?![DFIQUV])[A-Z](?![DFIQUVO])[A-Z](?<!BG|GB|KN|NK|NT|TN|ZZ) ?\d\d ?\d\d ?\d\d ?[A-D]$")


def templates(source):
    path = Path(source)
    name = "presidio_evaluator/data_generator/raw_data/templates.txt"
    if path.is_dir():
        return (path / name).read_text(encoding="utf-8", errors="replace").splitlines()
    with zipfile.ZipFile(path) as wheel:
        return wheel.read(name).decode("utf-8", errors="replace").splitlines()


def national_id(fake, locale):
    value = fake.ssn()
    compact = re.sub(r"[ .\-]", "", value)
    valid = {
        "en_US": lambda: us_ssn.is_valid(compact),
        "nl_NL": lambda: nl_bsn.is_valid(compact),
        "nl_BE": lambda: be_nn.is_valid(compact),
        "fr_FR": lambda: fr_nir.is_valid(compact),
        "en_GB": lambda: bool(NINO.match(value.upper())),
    }.get(locale, lambda: False)()
    kind = {"en_US": "us_ssn", "nl_NL": "nl_bsn", "nl_BE": "be_national_number", "fr_FR": "fr_nir", "en_GB": "uk_nino"}.get(locale)
    if kind is None and us_ssn.is_valid(compact):
        # Locales without a national identifier of their own fall back to a US SSN.
        return value, "us_ssn"
    return value, (kind if valid else None)


def value_for(field, fake, locale, context):
    """The text for one placeholder and its label type (None: not a finding)."""
    if field == "credit_card_number":
        value = fake.credit_card_number()
        return value, "payment_card" if luhn.is_valid(value) else None
    if field == "phone_number":
        return fake.phone_number(), "phone"
    if field == "email":
        value = fake.email()
        return value, None if re.search(r"@(.*\.)?example\.(com|org|net)$", value) else "email"
    if field == "iban":
        value = fake.iban()
        return value, "iban" if std_iban.is_valid(value) else None
    if field == "ip_address":
        return fake.ipv4_public(), "ip_address"
    if field == "ssn":
        return national_id(fake, locale)
    if field == "date_of_birth":
        value = fake.date_between(date(1936, 1, 1), date(2007, 12, 31)).strftime(DATE_FORMATS[locale])
        # A date is a date of birth when the sentence says so (not the placeholder's name).
        words = re.sub(r"{{[^}]*}}", " ", context)
        return value, "date_of_birth" if re.search(r"birth|born|dob", words, re.I) else None
    # Dates and years from a fixed span (Faker's defaults end at today: the output would change daily).
    if field == "date_time":
        return fake.date_time_between(datetime(1970, 1, 1), datetime(2025, 12, 31)).strftime("%Y-%m-%d %H:%M"), None
    if field == "year":
        return str(fake.random_int(1950, 2025)), None
    if field == "us_driver_license":
        return fake.bothify("?#######").upper(), None
    if hasattr(fake, field):
        value = getattr(fake, field)()
        return str(value), None
    provider = {"person": "name", "organization": "company", "nationality": "country", "nation_woman": "country",
                "nation_plural": "country", "zipcode": "postcode", "first_name_nonbinary": "first_name", "date_time": "date_time"}
    return str(getattr(fake, provider.get(field, "word"))()), None


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else None
    if source is None:
        sys.exit("usage: build_pii.py PRESIDIO_EVALUATOR_WHEEL_OR_DIR")
    random.seed(2026)
    lines = [line.strip() for line in templates(source) if line.strip()]
    out = []
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(sum(map(ord, locale)) + 2026)
        for number, template in enumerate(lines):
            # Templates with the rarer values are rendered more often, so each type has enough samples.
            rare = re.search(r"{{\s*(ssn|date_of_birth|iban|email|ip_address)\s*}}", template)
            for repeat in range(8 if rare else 1):
                text, labels, position = "", [], 0
                for match in re.finditer(r"{{\s*([a-z_]+)\s*}}", template):
                    text += template[position:match.start()]
                    value, kind = value_for(match.group(1), fake, locale, template)
                    if kind:
                        labels.append({"type": kind, "start": len(text), "end": len(text) + len(value)})
                    text += value
                    position = match.end()
                text += template[position:]
                out.append({"id": f"x-{locale}-{number:03d}-{repeat}", "text": text, "labels": labels})
    target = HERE / "pii.jsonl"
    target.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in out), encoding="utf-8")
    print(f"{target}: {len(out)} texts, {sum(len(s['labels']) for s in out)} labelled values")


if __name__ == "__main__":
    main()
