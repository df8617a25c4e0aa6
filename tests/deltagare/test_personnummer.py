import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deltagare.personnummer import PersonnummerError, luhn_digit, normalise, parse
from tests.deltagare.factories import make_pnr

TODAY = dt.date(2026, 11, 23)


def test_twelve_digits_with_and_without_hyphen_normalise_to_the_same():
    assert normalise("19811218-9876", today=TODAY) == "198112189876"
    assert normalise("198112189876", today=TODAY) == "198112189876"


def test_ten_digits_get_the_century_that_makes_the_person_younger_than_100():
    assert normalise("811218-9876", today=TODAY) == "198112189876"
    assert normalise("8112189876", today=TODAY) == "198112189876"


def test_plus_marks_a_person_of_100_or_more():
    assert normalise("811218+9876", today=TODAY) == "188112189876"


def test_ten_digits_born_this_century():
    number = make_pnr(dt.date(2008, 3, 1), 111)
    assert normalise(number[2:], today=TODAY) == number


def test_invalid_checksum_is_refused_without_echoing_the_number():
    with pytest.raises(PersonnummerError) as exc:
        parse("19811218-9875", today=TODAY)
    assert "Kontrollsiffran" in str(exc.value)
    assert "9875" not in str(exc.value)


def test_samordningsnummer_day_plus_60_is_valid():
    number = make_pnr(dt.date(1990, 5, 7), 222, samordning=True)
    parsed = parse(number, today=TODAY)
    assert parsed.samordningsnummer
    assert parsed.birth_date == dt.date(1990, 5, 7)
    assert parsed.normalised[6:8] == "67"


@pytest.mark.parametrize(
    "bad", ["", "abc", "19811318-9876", "19810230-1234", "1981121-9876", "2098121898765", None, 123]
)
def test_malformed_or_impossible_dates_are_refused(bad):
    with pytest.raises(PersonnummerError):
        parse(bad, today=TODAY)


def test_future_birth_date_is_refused():
    number = make_pnr(dt.date(2027, 1, 1), 100)
    with pytest.raises(PersonnummerError):
        parse(number, today=TODAY)


def test_plus_with_twelve_digits_is_refused():
    with pytest.raises(PersonnummerError):
        parse("19811218+9876", today=TODAY)


def test_repr_never_shows_the_number():
    assert "9876" not in repr(parse("19811218-9876", today=TODAY))


def test_luhn_known_value():
    assert luhn_digit("811218987") == 6


births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
serials = st.integers(min_value=0, max_value=999)


@given(birth=births, serial=serials, samordning=st.booleans())
def test_every_valid_number_in_three_formats_normalises_to_one_value(birth, serial, samordning):
    number = make_pnr(birth, serial, samordning=samordning)
    age_100 = birth <= TODAY.replace(year=TODAY.year - 100)
    short = number[2:8] + ("+" if age_100 else "-") + number[8:]
    forms = [number, number[:8] + "-" + number[8:], short]
    assert {normalise(f, today=TODAY) for f in forms} == {number}
    assert parse(number, today=TODAY).samordningsnummer is samordning


@given(birth=births, serial=serials)
def test_a_changed_check_digit_is_always_refused(birth, serial):
    number = make_pnr(birth, serial)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(PersonnummerError):
        parse(wrong, today=TODAY)


@given(text=st.text(max_size=30))
def test_no_input_raises_anything_but_personnummer_error(text):
    try:
        result = normalise(text, today=TODAY)
    except PersonnummerError:
        return
    assert len(result) == 12
    assert result.isdigit()
