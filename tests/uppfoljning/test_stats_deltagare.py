"""Period semantics of the participant tables (design section 6), on a small hand-made data set
where every expected figure is worked out by hand in the comments."""

import datetime as dt

import pytest
from django.db import DatabaseError, DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from deltagare import kodlistor, services
from deltagare.models import Deltagande
from forbund.models import Forbund
from tests.deltagare.factories import (
    START,
    end_identified,
    make_pnr,
    person_insats,
    register_anonymous,
    register_identified,
    staff_on,
)
from uppfoljning.masking import MASK, mask_snapshot
from uppfoljning.stats import build_snapshot, half_year
from uppfoljning.stats.core import Pending, pipelined
from uppfoljning.stats.deltagare import deltagare_sections

pytestmark = pytest.mark.django_db
H1 = half_year(2025)  # 2025-01-01 – 2025-06-30
D = dt.date


@pytest.fixture
def data(forbund):
    kodlistor.ensure_loaded()
    insats = person_insats(forbund, kod="UNGA", namn="Ungdomsteamet")
    user = staff_on(insats)

    def ident(letter, born, kon, inskrivning, **kwargs):
        return register_identified(
            insats,
            user,
            pnr=make_pnr(born, 100 + ord(letter)),
            kon=kon,
            inskrivning=inskrivning,
            samtycke=services.SamtyckeInput(datum=inskrivning, satt="PERSONLIGEN"),
            **kwargs,
        )

    # A: started before the period, ended in it. Före EKB+AKST, sysselsättning INGEN (START).
    a = ident("A", D(1998, 4, 12), "K", D(2024, 11, 1))
    end_identified(a, user, D(2025, 3, 31), forsorjning_efter=["LON"])  # ARBETE, MAL
    # B: starts on the first day, ends on the last day. Före SJP.
    b = ident(
        "B",
        D(1985, 11, 3),
        "M",
        D(2025, 1, 1),
        start=services.StartUppgifter("GYMN", "INGEN", "1-2A", "FK", ["SJP"]),
    )
    end_identified(
        b,
        user,
        D(2025, 6, 30),
        avslutsorsak="PLAN",
        sysselsattning_efter="ARBSOK",
        forsorjning_efter=["AKASSA"],
    )
    # C: starts on the period's last day, still active.
    ident("C", D(2000, 5, 5), "K", D(2025, 6, 30))
    # D: ended the day before the period: not active. Followed up +6 months on 2025-06-30.
    d = ident("D", D(1990, 1, 1), "K", D(2024, 1, 1))
    d = end_identified(d, user, D(2024, 12, 31))
    services.uppfoljning_record(
        deltagande=d, user=user, punkt=6, nadd=True, sysselsattning="ARBETE", forsorjning=["LON"]
    )
    # E: starts the day after the period.
    ident("E", D(1995, 2, 2), "M", D(2025, 7, 1))
    # F: anonymous, in and out within the period.
    f = register_anonymous(insats, user, inskrivning=D(2025, 2, 1), kon="M", fodelsear=2001)
    services.deltagande_end(deltagande=f, user=user, utskrivning=D(2025, 5, 1))
    # G: felregistrering: counted nowhere.
    g = ident("G", D(1999, 3, 3), "K", D(2025, 2, 1))
    services.deltagande_end(
        deltagande=g,
        user=user,
        utskrivning=D(2025, 2, 2),
        avslutsorsak="FEL",
        sysselsattning_efter="OKAND",
        forsorjning_efter=["OKAND"],
    )
    # H: identified with försörjning före only "Okänd": lacks data for table 4.
    h = ident(
        "H",
        D(1970, 6, 6),
        "K",
        D(2025, 1, 10),
        start=services.StartUppgifter("FORGYMN", "INGEN", ">5A", "KOMMUN", ["OKAND"]),
    )
    end_identified(h, user, D(2025, 4, 1), forsorjning_efter=["EKB"])
    return forbund


def table(snapshot, key):
    for section in snapshot["sektioner"]:
        for t in section["tables"]:
            if t["key"] == key:
                return {row[0]: row[1:] for row in t["rows"]}, t
    raise KeyError(key)


def figure(snapshot, key):
    return next(f for f in snapshot["nyckeltal"] if f["key"] == key)


def test_active_new_and_ended_follow_the_period_edges(data):
    s = build_snapshot(forbund=data, period=H1)
    rows, _ = table(s, "deltagare_kon")
    # Active: A, B, C, F, H (K: A, C, H; M: B, F). New: B, C, F, H. Ended: A, B, F, H.
    assert rows["Aktiva"] == [3, 2, 0, 5]
    assert rows["Nya"] == [2, 2, 0, 4]
    assert rows["Avslutade"] == [2, 2, 0, 4]


def test_felregistrering_counts_nowhere(data):
    assert Deltagande.objects.filter(avslutsorsak_id="FEL").count() == 1
    s = build_snapshot(forbund=data, period=H1)
    reasons, _ = table(s, "avslutsorsak")
    assert reasons["Totalt"] == [4]
    assert "Felregistrering" not in " ".join(reasons)


def test_anonymous_counted_but_not_in_outcomes(data):
    s = build_snapshot(forbund=data, period=H1)
    groups, _ = table(s, "grupper")
    assert groups["Anonyma"][0] == 1
    assert groups["Identifierade"][0] == 4
    # Unga 16–29 among the active: A (26), C (25), F (24).
    assert figure(s, "unga") == {**figure(s, "unga"), "n": 3, "N": 5}
    reasons, _ = table(s, "avslutsorsak")
    assert reasons["Uppgift saknas (anonyma)"] == [1]  # F


def test_forsorjning_denominator_and_several_sources(data):
    s = build_snapshot(forbund=data, period=H1)
    rows, t = table(s, "forsorjning_fore_efter")
    # Ended identified: A, B, H. H has nothing before → N = 2 (A, B), 1 lacking.
    assert "Nämnare: 2" in t["note"]
    assert "1 avslutade identifierade deltaganden saknar uppgift" in t["note"]
    assert rows["Ekonomiskt bistånd (försörjningsstöd)"][:1] == [1]  # A before
    assert rows["Aktivitetsstöd/utvecklingsersättning"][:1] == [1]  # A before
    assert rows["Sjukpenning/rehabiliteringspenning"][:1] == [1]  # B before
    assert rows["Lön/arbetsinkomst"][2] == 1  # A after
    assert rows["Arbetslöshetsersättning"][2] == 1  # B after
    # Offentlig: before A and B (2 of 2); after only B (AKASSA) → 1 of 2.
    assert rows["Offentlig försörjning (minst en källa)"] == [
        2,
        {"n": 2, "N": 2},
        1,
        {"n": 1, "N": 2},
    ]
    change, _ = table(s, "offentlig_forandring")
    assert change["I offentlig försörjning"] == [2, 1, -1, {"pp": -50.0}]


def test_transition_table_uses_the_main_source_before(data):
    s = build_snapshot(forbund=data, period=H1)
    rows, t = table(s, "overgangar")
    lon, akassa = t["columns"].index("LON") - 1, t["columns"].index("AKASSA") - 1
    # A had EKB and AKST: AKST comes first in the order. B had SJP.
    assert rows["Aktivitetsstöd/utvecklingsersättning"][0] == 1
    assert rows["Aktivitetsstöd/utvecklingsersättning"][lon] == 1
    assert rows["Sjukpenning/rehabiliteringspenning"][akassa] == 1
    assert "Ekonomiskt bistånd (försörjningsstöd)" not in rows


def test_sysselsattning_arbete_eller_studier(data):
    s = build_snapshot(forbund=data, period=H1)
    rows, t = table(s, "sysselsattning_fore_efter")
    # A, B, H: all INGEN before; after A ARBETE, B ARBSOK, H ARBETE.
    assert "Nämnare: 3" in t["note"]
    assert rows["Arbete eller studier (arbete, subventionerad anställning, studier)"] == [
        0,
        {"n": 0, "N": 3},
        2,
        {"n": 2, "N": 3},
    ]
    by_kon, _ = table(s, "arbete_studier_kon")
    assert by_kon["Kvinna"][:3] == [2, 0, 2]  # A and H
    assert by_kon["Totalt"][-1] == {"pp": 66.7}


def test_median_time_in_insats(data):
    s = build_snapshot(forbund=data, period=H1)
    rows, _ = table(s, "tid_i_insats")
    # Days: A 150, B 180, F 89, H 81 → median (89 + 150) / 2 = 119.5 → 120.
    assert rows["Totalt"] == [4, 120]


def test_follow_up_whose_point_falls_in_the_period(data):
    s = build_snapshot(forbund=data, period=H1)
    rows, _ = table(s, "uppfoljning")
    # D ended 2024-12-31: its +6 point is 2025-06-30.
    assert rows["+6 månader"][:3] == [1, 1, 1]
    assert rows["+12 månader"][:3] == [0, 0, 0]


def test_per_insats_line(data):
    s = build_snapshot(forbund=data, period=H1)
    rows, _ = table(s, "per_insats")
    assert rows["UNGA Ungdomsteamet"] == [5, 3, 2, 0, 4, 2, {"n": 2, "N": 3}]


def test_board_variant_masks_small_counts_and_their_rates(data):
    masked = mask_snapshot(build_snapshot(forbund=data, period=H1))
    rows, _ = table(masked, "deltagare_kon")
    assert rows["Aktiva"] == [MASK, MASK, 0, 5]
    per_insats, _ = table(masked, "per_insats")
    assert per_insats["UNGA Ungdomsteamet"][-1] == MASK
    unga = figure(masked, "unga")
    assert unga["n"] == MASK
    assert unga["N"] == MASK


def test_query_count_does_not_grow_with_participations(data, forbund):
    insats = Deltagande.objects.first().insats
    counts = []
    for extra in (100, 1900):  # 100 and then 2,000 participations in all
        Deltagande.objects.bulk_create(
            Deltagande(
                forbund=forbund,
                insats=insats,
                nummer=f"X-{extra}-{i}",
                kon_id="KMX"[i % 3],
                fodelsear=1980 + i % 30,
                inskrivning=D(2025, 1, 1) + dt.timedelta(days=i % 150),
            )
            for i in range(extra)
        )
        with CaptureQueriesContext(connection) as ctx:
            build_snapshot(forbund=forbund, period=H1)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_pipelined_queries_give_what_one_query_at_a_time_gives(data, forbund):
    # build_snapshot sends its queries in pipeline mode; outside it each Pending runs at once.
    snapshot = build_snapshot(forbund=forbund, period=H1)
    sections, figures = deltagare_sections([forbund.pk], H1)
    keys = [s.key for s in sections]
    in_snapshot = [s for s in snapshot["sektioner"] if s["key"] in keys]
    one_by_one = [s.as_dict() for s in sections]
    # The report adds the volume table to the deltagare section; the rest is the same.
    in_snapshot[0] = {**in_snapshot[0], "tables": in_snapshot[0]["tables"][:-1]}
    assert in_snapshot == one_by_one
    assert [f for f in snapshot["nyckeltal"] if f in figures] == figures


def _send_a_failing_query_and_read() -> None:
    with pipelined():
        first = Pending("SELECT 1", (), lambda rows: rows)
        failing = Pending("SELECT 1 / 0", (), lambda rows: rows)
        # The first read drains the pipeline: it raises the failed query's error.
        with pytest.raises(DataError):
            first.result()
        with pytest.raises(DataError):  # the same error again, not an empty result
            first.result()
        with pytest.raises(DatabaseError):  # the failed query has no result at all
            failing.result()


def test_a_failing_query_in_the_pipeline_raises_and_the_connection_goes_on(forbund):
    with pytest.raises(DatabaseError), transaction.atomic():
        _send_a_failing_query_and_read()
    assert build_snapshot(forbund=forbund, period=H1)["meta"]["forbund"] == forbund.namn


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_query_in_autocommit_leaves_the_connection_usable(forbund):
    # As in the report task: no transaction around build_snapshot.
    assert connection.get_autocommit()
    _send_a_failing_query_and_read()
    assert connection.get_autocommit()
    assert Forbund.objects.filter(pk=forbund.pk).count() == 1
    assert build_snapshot(forbund=forbund, period=H1)["meta"]["forbund"] == forbund.namn


def test_an_insats_of_another_forbund_still_gets_its_line(data, forbund, other_forbund):
    # The services register a participation in its insats's förbund; if a row ever says
    # otherwise, table 8 still shows the insats it counts.
    elsewhere = person_insats(other_forbund, kod="ANNAN", namn="Annat förbunds insats")
    anonymous = Deltagande.objects.filter(person__isnull=True).order_by("pk").first()
    Deltagande.objects.filter(pk=anonymous.pk).update(insats=elsewhere)
    snapshot = build_snapshot(forbund=forbund, period=H1)
    per_insats = next(s for s in snapshot["sektioner"] if s["key"] == "per_insats")
    labels = [row[0] for row in per_insats["tables"][0]["rows"]]
    assert "ANNAN Annat förbunds insats" in labels
    assert "UNGA Ungdomsteamet" in labels


def test_start_details_default_fixture_is_what_the_tests_assume():
    assert START.forsorjning_fore == ["EKB", "AKST"]
    assert START.sysselsattning_fore == "INGEN"
