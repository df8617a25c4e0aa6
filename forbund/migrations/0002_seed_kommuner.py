"""Seed the 290 kommuner (kommunkod, län) from forbund/data/kommuner.csv."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "kommuner.csv"


def seed(apps, schema_editor):
    Kommun = apps.get_model("forbund", "Kommun")
    with CSV_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    existing = set(Kommun.objects.values_list("kod", flat=True))
    Kommun.objects.bulk_create(
        [
            Kommun(kod=r["kommunkod"], namn=r["kommun"], lanskod=r["lanskod"], lan=r["lan"])
            for r in rows
            if r["kommunkod"] not in existing
        ]
    )


def unseed(apps, schema_editor):
    apps.get_model("forbund", "Kommun").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("forbund", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
