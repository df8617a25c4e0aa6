"""Reference data: the 290 kommuner with kommunkod and län (forbund/data/kommuner.csv)."""

import csv
from pathlib import Path

KOMMUNER_CSV = Path(__file__).resolve().parent / "data" / "kommuner.csv"


def kommuner_load(kommun_model) -> int:
    """Insert the kommuner that are missing; returns how many were added. Takes the model class
    so that the seeding migration can pass its historical model."""
    with KOMMUNER_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    existing = set(kommun_model.objects.values_list("kod", flat=True))
    new = [
        kommun_model(kod=r["kommunkod"], namn=r["kommun"], lanskod=r["lanskod"], lan=r["lan"])
        for r in rows
        if r["kommunkod"] not in existing
    ]
    kommun_model.objects.bulk_create(new)
    return len(new)
