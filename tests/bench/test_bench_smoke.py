"""Smoke test of the benchmark suite on tiny data: the generator makes valid, deterministic
data, and the runner's sections (statistics vs floor, worker memory) run on it. No timings are
asserted: performance goals live in the benchmark run, never in tests."""

import pytest
from django.db import connection

from bench.generator import Params, checksum, generate, validate

TINY = Params(
    forbund=3,
    deltaganden=2_000,
    seed=7,
    stor_forbund_deltaganden=800,
    medel_forbund_deltaganden=500,
)


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_generator_makes_valid_data_that_the_database_rules_accept():
    from deltagare import crypto, personnummer
    from deltagare.models import Deltagande, Person

    result = generate(TINY, log=lambda *_: None)
    assert result.counts["deltagande"] == _count("deltagare_deltagande") == 2_000
    sizes = [Deltagande.objects.filter(forbund_id=f).count() for f in result.forbund_ids]
    assert sizes == [800, 500, 700]
    assert all(v == 0 for v in validate().values())
    identified = result.counts["identifierade"]
    assert 0.6 * 2_000 < identified < 0.8 * 2_000  # ~30 % anonymous
    # The triggers skipped during the load accept every row when they fire now: an UPDATE
    # runs the consent trigger on each participation and the identity trigger on each source.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE deltagare_deltagande SET nummer = nummer")
        assert cursor.rowcount == 2_000
        cursor.execute("UPDATE deltagare_forsorjning SET kalla_id = kalla_id")
        assert cursor.rowcount == result.counts["forsorjning"] > identified
    # Identity is really encrypted: it decrypts to a valid personnummer with the stored hash.
    for person in Person.objects.order_by("pk")[:50]:
        pnr = person.personnummer
        assert personnummer.normalise(pnr) == pnr
        assert crypto.lookup_hash(pnr) == person.personnummer_hash
        assert person.namn


@pytest.mark.django_db
def test_generator_is_deterministic_by_seed():
    first = generate(TINY, log=lambda *_: None)
    digest = checksum()
    second = generate(TINY, log=lambda *_: None)
    assert checksum() == digest
    assert second.counts == first.counts
    other = Params(**{**TINY.__dict__, "seed": 8})
    generate(other, log=lambda *_: None)
    assert checksum() != digest


@pytest.mark.django_db
def test_statistics_section_matches_its_floor_and_adds_up():
    from bench import stats
    from forbund.models import Forbund
    from uppfoljning.stats import build_snapshot, full_year

    result = generate(TINY, log=lambda *_: None)
    period = full_year(2025)
    per_forbund = []
    for fid in result.forbund_ids:
        snapshot = build_snapshot(forbund=Forbund.objects.get(pk=fid), period=period)
        floor = stats.run_floor([fid], period)
        assert stats.check_agreement(snapshot, floor) == []
        kon = next(
            t for s in snapshot["sektioner"] for t in s["tables"] if t["key"] == "deltagare_kon"
        )
        for row in kon["rows"]:
            assert row[-1] == sum(row[1:-1])
        per_forbund.append(stats._total_row(floor)["aktiva"])
    national = build_snapshot(forbund=None, period=period)
    aktiva = stats._snapshot_figure(national, "deltagare_aktiva")["value"]
    assert aktiva == sum(per_forbund) > 0
    assert stats.check_agreement(national, stats.run_floor(result.forbund_ids, period)) == []


@pytest.mark.slow
# The worker must see the data, so it is committed; serialized rollback puts the reference
# tables the migrations seeded (code lists, kommuner) back after the flush, for later tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_runner_sections_run_on_tiny_data(settings, tmp_path):
    from bench import runner
    from bench.generator import stamp_matches

    settings.MEDIA_ROOT = tmp_path
    generate(TINY, log=lambda *_: None)
    ctx = runner.make_context(TINY, stamp_matches(TINY), repeats=1, quick=True)
    results = runner.run_sections(ctx, only=["stats", "memory"], log=lambda *_: None)
    assert results["failed"] == []
    by_section = {}
    for row in results["rows"]:
        by_section.setdefault(row["section"], []).append(row)
    assert len(by_section["1 statistik"]) == 3  # one förbund, the largest, the nation
    assert all(r["ratio"] > 0 and r["ok"] is not None for r in by_section["1 statistik"])
    [memory] = by_section["5 minne"]
    assert memory["ok"], memory["note"]
    assert memory["value"] >= memory["floor"] > 10  # MB
    table = runner.format_table(results)
    assert "kärnor" in table
    assert "5 minne" in table


@pytest.mark.django_db
def test_reference_tables_survive_the_runner_test():
    """Runs after the transactional test above: the seeded code lists are still there."""
    from insatser.models import Kategori

    assert Kategori.objects.filter(kod="ARBLIV").exists()
