"""Masking of small counts for the board and national variants (design section 4, rule 5).

Counts of 1–4 persons show as "<5". A masked cell that could be recovered from a total (the
"Totalt" row of a column, or a row that has a total column) gets a complementary cell masked too:
the smallest other non-zero count of the same column (or row), repeated until no total reveals a
masked cell. Zero is shown: it reveals nobody.
"""

from __future__ import annotations

import copy

MASK = "<5"
THRESHOLD = 5
TOTAL_LABEL = "Totalt"


def _is_small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < THRESHOLD


def _copy_table(table: dict) -> dict:
    """A copy to mask: the rows and their cells copied (a cell is a number, a text or a flat
    rate dict), the rest as it is (a deep copy cost more than the masking on the board's
    dashboard, which masks on every request)."""
    copied = {key: list(v) if isinstance(v, list) else v for key, v in table.items()}
    copied["rows"] = [[dict(c) if isinstance(c, dict) else c for c in row] for row in table["rows"]]
    return copied


def mask_table(table: dict) -> dict:
    table = _copy_table(table)
    cols = table.get("count_columns") or []
    if not cols:
        return table
    rows = table["rows"]
    body = [r for r in rows if not (r and r[0] == TOTAL_LABEL)]
    has_total_row = len(body) != len(rows)
    total_col = table.get("total_column")  # index of a per-row total, if the table has one
    masked: set[tuple[int, int]] = set()
    for i, row in enumerate(body):
        for c in cols:
            if _is_small(row[c]):
                masked.add((i, c))

    def suppress_more() -> bool:
        changed = False
        if has_total_row:
            for c in cols:
                hidden = [i for i in range(len(body)) if (i, c) in masked]
                if len(hidden) == 1:
                    changed |= _mask_smallest(body, masked, [(i, c) for i in range(len(body))])
        if total_col is not None:
            for i in range(len(body)):
                hidden = [c for c in cols if c != total_col and (i, c) in masked]
                if len(hidden) == 1:
                    cells = [(i, c) for c in cols if c != total_col]
                    changed |= _mask_smallest(body, masked, cells)
        return changed

    while suppress_more():
        pass
    hidden_values: dict[int, set] = {}
    for i, c in masked:
        hidden_values.setdefault(i, set()).add(body[i][c])
        body[i][c] = MASK
    # A rate next to a masked count would give it back (n = share × N): mask it too, and any
    # rate whose own numerator or denominator is a small count.
    for i, row in enumerate(body):
        for c, value in enumerate(row):
            if isinstance(value, dict) and "pp" in value and i in hidden_values:
                row[c] = MASK  # a change computed from a masked count gives it back
            elif (
                isinstance(value, dict)
                and "N" in value
                and (
                    _is_small(value["n"])
                    or _is_small(value["N"])
                    or value["n"] in hidden_values.get(i, ())
                )
            ):
                row[c] = MASK
    # Totals of small sums are themselves small counts.
    for row in rows:
        if row and row[0] == TOTAL_LABEL:
            for c in cols:
                if _is_small(row[c]):
                    row[c] = MASK
    return table


def _mask_smallest(body, masked, cells) -> bool:
    candidates = [
        (body[i][c], i, c)
        for i, c in cells
        if (i, c) not in masked and isinstance(body[i][c], int) and body[i][c] > 0
    ]
    if not candidates:
        return False
    _, i, c = min(candidates)
    masked.add((i, c))
    return True


def mask_snapshot(snapshot: dict) -> dict:
    masked = {
        **snapshot,
        "meta": copy.deepcopy(snapshot["meta"]),
        "sektioner": [
            {**section, "tables": [mask_table(t) for t in section["tables"]]}
            for section in snapshot["sektioner"]
        ],
        "nyckeltal": [dict(f) for f in snapshot["nyckeltal"]],
    }
    for figure in masked["nyckeltal"]:
        if not figure.get("person_count"):
            continue
        if any(_is_small(figure.get(key)) for key in ("n", "N")):
            figure["n"] = figure["N"] = MASK
        if _is_small(figure.get("value")):
            figure["value"] = MASK
    masked["meta"]["maskerad"] = True
    return masked
