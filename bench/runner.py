"""The benchmark runner: ``python -m bench`` (or ``make bench``).

Uses ``bench.settings`` (DATABASE_URL defaults to the ``finsam_bench`` database), migrates it,
generates the data when the stamp is missing or was made with other parameters, runs each
section module's ``run(ctx) -> list[dict]`` in order, prints one table with the machine's core
count and the date, and writes ``bench/results.json``.

A section module that is not there (yet) is skipped with a note; a section that fails is
reported as failed and the others still run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

SECTIONS = [
    ("stats", "1 statistik"),
    ("pdf", "2 pdf"),
    ("pages", "3 sidor"),
    ("load", "4 last"),
    ("memory", "5 minne"),
]
RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass
class Context:
    """What every section gets: sizes, seed, the förbund, the machine and the date."""

    forbund: int
    deltaganden: int
    seed: int
    stor_forbund_deltaganden: int
    medel_forbund_deltaganden: int
    forbund_ids: list[int]
    large_forbund_id: int  # förbund 1: the bench users' förbund (participant list, pages, load)
    medium_forbund_id: int  # förbund 2: "one large förbund with 50,000" for the statistics
    report_year: int
    cores: int
    date: str
    database: str
    repeats: int = 3
    quick: bool = False  # smoke runs: fewer repeats, shorter loads
    counts: dict = field(default_factory=dict)


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


# The sections that register participations: they start from the data as generated.
WRITING = {"pages", "load"}


def ensure_data(params, *, only: list[str] | None = None, log=print):
    """Migrate, then generate unless the stamp says the data matches ``params`` (and, when
    ``only`` includes a section that registers, that no earlier run has registered any)."""
    from django.conf import settings
    from django.core.management import call_command

    from bench.generator import generate, stamp_matches
    from finsam.launcher import ensure_database

    ensure_database(settings.DATABASE_URL)  # a fresh machine has no finsam_bench yet
    call_command("migrate", verbosity=0)
    pristine = bool(WRITING & set(only or [key for key, _label in SECTIONS]))
    stamp = stamp_matches(params, pristine=pristine)
    if stamp is None:
        log(
            "Genererar benchmarkdata (saknas, gjord med andra parametrar eller ändrad av "
            "tidigare körningars registreringar) …"
        )
        generate(params, log=log)
        stamp = stamp_matches(params)
    return stamp


def make_context(params, stamp, *, repeats: int = 3, quick: bool = False) -> Context:
    from django.conf import settings

    from bench.generator import REPORT_YEAR

    ids = stamp.forbund_ids
    return Context(
        forbund=params.forbund,
        deltaganden=params.deltaganden,
        seed=params.seed,
        stor_forbund_deltaganden=params.stor_forbund_deltaganden,
        medel_forbund_deltaganden=params.medel_forbund_deltaganden,
        forbund_ids=ids,
        large_forbund_id=ids[0],
        medium_forbund_id=ids[1] if len(ids) > 1 else ids[0],
        report_year=REPORT_YEAR,
        cores=cores(),
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        database=settings.DATABASES["default"]["NAME"],
        repeats=repeats,
        quick=quick,
        counts=stamp.counts,
    )


def run_sections(ctx: Context, only: list[str] | None = None, *, log=print) -> dict:
    rows, skipped, failed = [], [], []
    t0 = time.perf_counter()
    for module, label in SECTIONS:
        if only and module not in only:
            continue
        try:
            mod = importlib.import_module(f"bench.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{module}":
                raise
            skipped.append({"section": label, "note": f"bench/{module}.py saknas ännu"})
            log(f"[{label}] hoppas över: bench/{module}.py saknas")
            continue
        log(f"[{label}] kör …")
        s0 = time.perf_counter()
        try:
            section_rows = mod.run(ctx)
        except Exception as exc:  # noqa: BLE001 - one broken section must not hide the others
            traceback.print_exc()
            failed.append({"section": label, "error": f"{type(exc).__name__}: {exc}"})
            continue
        for row in section_rows:
            row.setdefault("section", label)
        rows.extend(section_rows)
        log(f"[{label}] klar på {time.perf_counter() - s0:.0f} s")
    return {
        "date": ctx.date,
        "cores": ctx.cores,
        "machine": f"{platform.system()} {platform.machine()}, {platform.python_version()}",
        "context": asdict(ctx),
        "rows": rows,
        "skipped": skipped,
        "failed": failed,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "NEJ"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def format_table(results: dict) -> str:
    header = ["sektion", "mått", "värde", "golv", "kvot", "mål", "ok"]
    lines = []
    for row in results["rows"]:
        unit = f" {row['unit']}" if row.get("unit") else ""
        floor_unit = unit if row.get("floor") is not None else ""
        lines.append(
            [
                row["section"],
                row["measure"],
                _fmt(row.get("value")) + unit,
                _fmt(row.get("floor")) + floor_unit,
                _fmt(row.get("ratio")),
                str(row.get("goal") or "–"),
                _fmt(row.get("ok")),
            ]
        )
    widths = [
        max(len(h), *(len(r[i]) for r in lines)) if lines else len(h) for i, h in enumerate(header)
    ]
    out = [
        f"finsam bench — {results['date']}, {results['cores']} kärnor, {results['machine']}",
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in lines]
    for s in results["skipped"]:
        out.append(f"(hoppades över: {s['section']}: {s['note']})")
    for f in results["failed"]:
        out.append(f"(MISSLYCKADES: {f['section']}: {f['error']})")
    for row in results["rows"]:
        if row.get("note"):
            out.append(f"  not, {row['measure']}: {row['note']}")
    out.append(f"Totalt {results['seconds']:.0f} s.")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--forbund", type=int, default=72)
    parser.add_argument("--deltaganden", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stor-forbund-deltaganden", type=int, default=None)
    parser.add_argument("--medel-forbund-deltaganden", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="bara dessa sektioner (stats, pdf, …)")
    parser.add_argument("--results", default=str(RESULTS))
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from bench.generator import LARGE_FORBUND, MEDIUM_FORBUND, Params

    params = Params(
        forbund=args.forbund,
        deltaganden=args.deltaganden,
        seed=args.seed,
        stor_forbund_deltaganden=args.stor_forbund_deltaganden or LARGE_FORBUND,
        medel_forbund_deltaganden=args.medel_forbund_deltaganden or MEDIUM_FORBUND,
    )
    t0 = time.perf_counter()
    stamp = ensure_data(params, only=args.only)
    ctx = make_context(params, stamp, repeats=args.repeats)
    results = run_sections(ctx, args.only)
    results["seconds"] = round(time.perf_counter() - t0, 1)
    results["generator"] = {"params": stamp.params, "counts": stamp.counts, "s": stamp.seconds}
    print(format_table(results))
    Path(args.results).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"Resultat: {args.results}")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
