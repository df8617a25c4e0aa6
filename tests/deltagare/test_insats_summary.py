"""The insats page's participants summary: aggregates, masked for the board, never a row."""

import pytest

from tests.deltagare.factories import register_anonymous

pytestmark = pytest.mark.django_db


def test_chef_sees_counts_and_quality_flags_but_no_participation(insats, user, chef, login):
    d = register_anonymous(insats, user)
    page = login(chef).get(f"/insatser/{insats.uuid}/")
    assert page.status_code == 200
    assert "Avslutade utan uppgifter efter" in page.text
    assert d.nummer not in page.text
    assert "Till deltagarlistan" not in page.text


def test_board_sees_small_counts_masked(insats, user, styrelse, login):
    register_anonymous(insats, user)
    page = login(styrelse).get(f"/insatser/{insats.uuid}/")
    assert page.status_code == 200
    assert "&lt;5" in page.text
    assert "Avslutade utan uppgifter efter" not in page.text


def test_staff_get_a_link_to_the_list(insats, user, login):
    register_anonymous(insats, user)
    page = login(user).get(f"/insatser/{insats.uuid}/")
    assert page.status_code == 200
    assert "Till deltagarlistan" in page.text


def test_start_page_reminds_of_follow_ups_that_are_due(insats, user, login):
    import datetime as dt

    from tests.deltagare.factories import end_identified, register_identified

    d = register_identified(insats, user, inskrivning=dt.date(2025, 1, 15))
    end_identified(d, user, dt.date(2025, 6, 30))  # +6 months is long past: due
    page = login(user).get("/insatser/mina/")
    assert page.status_code == 200
    assert "Att göra" in page.text
    assert "uppföljningar efter avslut är aktuella" in page.text
