"""SECURITY.md figures that need a larger, counted run than the property tests elsewhere:
#12 (10,000 generated numbers, 0 misclassified) and #5/#6 (protected identity and withdrawn
identity found nowhere: not in a pg_dump of the database, not in Redis, not in media files)."""

import datetime as dt
import random
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from deltagare import crypto, services
from deltagare.personnummer import PersonnummerError, parse
from tests.deltagare.factories import make_pnr, register_identified

TODAY = dt.date(2026, 11, 23)


def _case(rng: random.Random) -> tuple[str, str | None, bool]:
    """One generated input: (text, expected 12-digit form or None if invalid, samordning)."""
    birth = dt.date(1900, 1, 1) + dt.timedelta(
        days=rng.randrange((TODAY - dt.date(1900, 1, 1)).days)
    )
    serial = rng.randrange(1000)
    samordning = rng.random() < 0.25
    number = make_pnr(birth, serial, samordning=samordning)
    kind = rng.choice(["12", "12-", "10", "10sep", "luhn", "t-nummer", "day", "future"])
    centenarian = birth <= TODAY.replace(year=TODAY.year - 100)
    if kind == "12":
        return number, number, samordning
    if kind == "12-":
        return number[:8] + "-" + number[8:], number, samordning
    if kind == "10":
        if centenarian:  # ten digits without '+' mean younger than 100: never this person
            return number[2:], ("inte", number), samordning
        return number[2:], number, samordning
    if kind == "10sep":
        return number[2:8] + ("+" if centenarian else "-") + number[8:], number, samordning
    if kind == "luhn":
        wrong = str((int(number[-1]) + rng.randrange(1, 10)) % 10)
        return number[:-1] + wrong, None, samordning
    if kind == "t-nummer":  # temporary numbers of the health service: a letter in the serial
        return f"{number[:8]}-T{number[9:]}", None, samordning
    if kind == "day":  # day 32 (or 92 as samordning) does not exist
        return f"{number[:6]}{92 if samordning else 32}{number[8:]}", None, samordning
    future = TODAY + dt.timedelta(days=rng.randrange(1, 4000))
    return make_pnr(future, serial), None, samordning


def test_ten_thousand_generated_numbers_none_misclassified(record_property):
    rng = random.Random(20261123)
    misclassified = []
    kinds_valid = kinds_invalid = 0
    for _ in range(10_000):
        text, expected, samordning = _case(rng)
        try:
            found = parse(text, today=TODAY)
        except PersonnummerError:
            kinds_invalid += 1
            if isinstance(expected, str):
                misclassified.append(text)
            continue
        kinds_valid += 1
        if isinstance(expected, tuple):  # someone born a century later, never the centenarian
            right = found.normalised != expected[1]
        else:
            right = found.normalised == expected and found.samordningsnummer is samordning
        if not right:
            misclassified.append(text)
    assert kinds_valid > 4000
    assert kinds_invalid > 2000
    assert misclassified == [], f"{len(misclassified)} of 10,000 misclassified"
    record_property(
        "figure",
        f"personnummer: 10,000 generated ({kinds_valid} valid, {kinds_invalid} invalid), "
        "0 misclassified",
    )


CANARY_PNR = make_pnr(dt.date(1987, 6, 14), 462)
CANARY_NAME = "Kanarie Dumpdotter"


def _pg_dump_text() -> str:
    db = settings.DATABASES["default"]
    env = {"PGPASSWORD": db.get("PASSWORD") or "", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            db.get("HOST") or "127.0.0.1",
            "-p",
            str(db.get("PORT") or 5432),
            "-U",
            db.get("USER") or "postgres",
            connection.settings_dict["NAME"],
        ],
        capture_output=True,
        check=True,
        env=env,
        timeout=120,
    ).stdout.decode("utf-8", "replace")


def _redis_text() -> str:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    chunks = []
    for key in client.scan_iter(count=1000):
        chunks.append(key.decode("utf-8", "replace"))
        value = client.dump(key)  # any type, serialised
        if value:
            chunks.append(value.decode("utf-8", "replace"))
    return "\n".join(chunks)


def _media_text() -> str:
    root = settings.MEDIA_ROOT
    if not root.exists():
        return ""
    return "\n".join(
        p.name + p.read_bytes().decode("utf-8", "replace") for p in root.rglob("*") if p.is_file()
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("now")
def test_withdrawn_and_protected_identities_are_nowhere_in_dump_redis_or_media(
    insats, user, login, record_property
):
    client = login(user)
    client.post(  # protected identity typed in anyway
        f"/deltagare/insats/{insats.uuid}/registrera/?skyddad=ja&samtycke=ja",
        {
            "kon": "K",
            "fodelsear": "1987",
            "inskrivning": "2026-02-01",
            "personnummer": CANARY_PNR,
            "namn": CANARY_NAME,
        },
    )
    d = register_identified(insats, user, pnr=CANARY_PNR, namn=CANARY_NAME)
    client.get(f"/deltagare/d/{d.uuid}/")  # read: caches, sessions and the log see it
    digest = crypto.lookup_hash(CANARY_PNR)
    assert digest in _pg_dump_text()  # the check can find what it looks for
    services.samtycke_withdraw(deltagande=d, user=user)
    needles = [
        CANARY_PNR,
        CANARY_PNR[2:],
        CANARY_PNR[:8] + "-" + CANARY_PNR[8:],
        "Kanarie",
        "Dumpdotter",
        digest,
    ]
    places = {"pg_dump": _pg_dump_text(), "redis": _redis_text(), "media": _media_text()}
    hits = {(place, n) for place, text in places.items() for n in needles if n in text}
    assert hits == set()
    record_property("figure", "canary: pg_dump, Redis and media searched, 0 hits")
