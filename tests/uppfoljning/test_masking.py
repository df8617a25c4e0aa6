from hypothesis import given, settings
from hypothesis import strategies as st

from uppfoljning.masking import MASK, mask_snapshot, mask_table


def table(rows, total=True):
    body = [[f"rad {i}", *r] for i, r in enumerate(rows)]
    if total:
        body.append(["Totalt", *[sum(c) for c in zip(*rows, strict=True)]])
    return {
        "key": "t",
        "title": "T",
        "columns": ["", "a", "b"],
        "rows": body,
        "count_columns": [1, 2],
    }


def test_counts_one_to_four_show_as_under_five_and_zero_shows():
    masked = mask_table(table([[0, 7], [3, 9], [12, 20]], total=False))
    assert masked["rows"][0][1] == 0
    assert masked["rows"][1][1] == MASK
    assert masked["rows"][2][1] == 12


def test_complementary_cell_is_masked_when_a_total_would_reveal_it():
    masked = mask_table(table([[3, 7], [8, 9], [12, 20]]))
    column = [r[1] for r in masked["rows"][:-1]]
    assert column.count(MASK) == 2  # the 3 and the smallest other (8)
    assert column[1] == MASK


def test_working_version_is_not_masked_by_default():
    t = table([[3, 7], [8, 9]])
    snapshot = {"meta": {}, "nyckeltal": [], "sektioner": [{"key": "s", "tables": [t]}]}
    assert mask_snapshot(snapshot)["sektioner"][0]["tables"][0]["rows"][0][1] == MASK
    assert t["rows"][0][1] == 3  # the input is not changed


counts = st.integers(min_value=0, max_value=30)


@settings(max_examples=1000, deadline=None)  # SECURITY.md #3: 1,000 random datasets
@given(st.lists(st.lists(counts, min_size=2, max_size=2), min_size=1, max_size=8))
def test_no_shown_small_cell_and_no_total_reveals_a_masked_cell(rows):
    masked = mask_table(table(rows))
    body = masked["rows"][:-1]
    total = masked["rows"][-1]
    for row in body:
        for c in (1, 2):
            value = row[c]
            assert value == MASK or value == 0 or value >= 5
    for c in (1, 2):
        hidden = [r[c] for r in body if r[c] == MASK]
        if total[c] != MASK:
            # A single masked cell in a column with a visible total could be computed back.
            assert len(hidden) != 1
