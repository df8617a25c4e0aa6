"""Charts as SVG made on the server: no JavaScript, readable without colour (every bar carries
its value as text, series differ by pattern as well as shade), each with a text alternative.

The same functions serve the report PDF (WeasyPrint renders inline SVG), the browser preview and
the board's dashboard. Masked values ("<5") are drawn as an empty bar labelled "<5".
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from html import escape

from .formatting import sv_number

# Shades that keep AA contrast for the labels drawn next to them, plus a pattern per series.
SERIES_FILLS = ["#0b4f6c", "url(#{p}-rutor)", "#7a8793", "url(#{p}-streck)"]
DEFS = (
    "<defs>"
    '<pattern id="{p}-rutor" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<rect width="6" height="6" fill="#ffffff"/>'
    '<rect width="3" height="3" fill="#0b4f6c"/><rect x="3" y="3" width="3" height="3" '
    'fill="#0b4f6c"/></pattern>'
    '<pattern id="{p}-streck" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
    '<rect width="2.5" height="6" fill="#1b1f24"/></pattern>'
    "</defs>"
)
MAX_LABEL = 34


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


@dataclass
class Series:
    name: str
    values: list  # numbers, None or "<5"


def _num(value) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _label(value, unit: str) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "–"
    decimals = 1 if isinstance(value, float) and not float(value).is_integer() else 0
    text = sv_number(value, decimals)
    return f"{text}\u00a0{unit}" if unit else text


def bar_chart(
    *,
    title: str,
    categories: list[str],
    series: list[Series],
    unit: str = "",
    max_value: float | None = None,
    width: int = 640,
) -> str:
    """Horizontal grouped bars: one group per category, one bar per series, value at the end."""
    label_w, bar_h, gap, group_gap, top = 215, 14, 3, 12, 26
    prefix = _id(title)
    legend_h = 22 if len(series) > 1 else 0
    plot_w = width - label_w - 70
    peak = max_value or max([_num(v) for s in series for v in s.values] + [1.0])
    group_h = len(series) * (bar_h + gap) + group_gap
    height = top + legend_h + len(categories) * group_h + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{_id(title)}-t '
        f'{_id(title)}-d">',
        f'<title id="{_id(title)}-t">{escape(title)}</title>',
        f'<desc id="{_id(title)}-d">{escape(_describe(categories, series, unit))}</desc>',
        DEFS.replace("{p}", prefix),
        f'<text x="0" y="16" font-size="13" font-weight="bold" fill="#1b1f24">'
        f"{escape(title)}</text>",
    ]
    y = top
    if len(series) > 1:
        x = label_w
        for i, s in enumerate(series):
            fill = SERIES_FILLS[i % len(SERIES_FILLS)].replace("{p}", prefix)
            parts.append(
                f'<rect x="{x}" y="{y}" width="14" height="12" fill="{fill}" '
                f'stroke="#1b1f24" stroke-width="0.5"/>'
            )
            parts.append(
                f'<text x="{x + 18}" y="{y + 10}" font-size="11" fill="#1b1f24">'
                f"{escape(s.name)}</text>"
            )
            x += 24 + 7 * len(s.name)
        y += legend_h
    bars: list[list[str]] = [[] for _ in series]
    labels_at = len(parts)
    for c, category in enumerate(categories):
        parts.append(
            f'<text x="{label_w - 8}" y="{y + (len(series) * (bar_h + gap)) / 2 + 4}" '
            f'font-size="11" text-anchor="end" fill="#1b1f24">{escape(_short(category))}</text>'
        )
        for i, s in enumerate(series):
            value = s.values[c] if c < len(s.values) else None
            w = plot_w * _num(value) / peak if peak else 0
            bars[i].append(_bar(label_w, y, w, bar_h))
            parts.append(
                f'<text x="{label_w + max(w, 0) + 4:.1f}" y="{y + bar_h - 3}" font-size="10.5" '
                f'fill="#1b1f24">{escape(_label(value, unit))}</text>'
            )
            y += bar_h + gap
        y += group_gap
    parts[labels_at:labels_at] = _series_paths(bars, prefix)
    parts.append(
        f'<line x1="{label_w}" y1="{top + legend_h - 4}" x2="{label_w}" y2="{y - group_gap}" '
        f'stroke="#1b1f24" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _describe(categories, series, unit) -> str:
    pieces = []
    for c, category in enumerate(categories):
        values = ", ".join(
            f"{s.name}: {_label(s.values[c] if c < len(s.values) else None, unit)}" for s in series
        )
        pieces.append(f"{category} – {values}")
    return "; ".join(pieces) + "."


def _id(title: str) -> str:
    return "d" + "".join(c for c in title.lower() if c.isalnum())[:40]


def _table(snapshot: dict, key: str) -> dict | None:
    for section in snapshot.get("sektioner", []):
        for table in section["tables"]:
            if table["key"] == key:
                return table
    return None


def _share(cell) -> float | str | None:
    """A rate cell as a percentage number (for bar length), masked cells as they are."""
    if isinstance(cell, dict) and "N" in cell:
        return round(cell["n"] * 100 / cell["N"], 1) if cell["N"] else None
    return cell


def report_charts(snapshot: dict) -> dict[str, list[str]]:
    """The charts of a report, by the section they belong to."""
    charts: dict[str, list[str]] = {}
    age = _table(snapshot, "alder_kon")
    if age:
        body = [r for r in age["rows"] if r[0] != "Totalt"]
        charts.setdefault("deltagare", []).append(
            bar_chart(
                title="Aktiva deltagare per åldersgrupp och kön",
                categories=[r[0] for r in body],
                series=[
                    Series("Kvinnor", [r[1] for r in body]),
                    Series("Män", [r[2] for r in body]),
                    Series("Annat/vill ej uppge", [r[3] for r in body]),
                ],
            )
        )
    fors = _table(snapshot, "forsorjning_fore_efter")
    if fors:
        charts.setdefault("forsorjning", []).append(
            bar_chart(
                title="Andel med respektive försörjning före och efter (%)",
                categories=[r[0] for r in fors["rows"]],
                series=[
                    Series("Före", [_share(r[2]) for r in fors["rows"]]),
                    Series("Efter", [_share(r[4]) for r in fors["rows"]]),
                ],
                unit="%",
                max_value=100,
            )
        )
    syss = _table(snapshot, "sysselsattning_fore_efter")
    if syss:
        charts.setdefault("sysselsattning", []).append(
            bar_chart(
                title="Sysselsättning före och efter (%)",
                categories=[r[0] for r in syss["rows"]],
                series=[
                    Series("Före", [_share(r[2]) for r in syss["rows"]]),
                    Series("Efter", [_share(r[4]) for r in syss["rows"]]),
                ],
                unit="%",
                max_value=100,
            )
        )
    return charts


def column_chart(
    *, title: str, categories: list[str], series: list[Series], width: int = 640, height: int = 260
) -> str:
    """Stacked columns (e.g. participants per month by kön); each segment labelled with its
    value when there is room, the legend by pattern; the text alternative lists every value."""
    prefix = _id(title)
    left, right, top, bottom = 40, 10, 46, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(_num(s.values[i]) for s in series) for i in range(len(categories))]
    peak = max(totals + [1.0])
    n = max(len(categories), 1)
    slot = plot_w / n
    bar_w = max(min(slot * 0.7, 40), 4)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{prefix}-t {prefix}-d">',
        f'<title id="{prefix}-t">{escape(title)}</title>',
        f'<desc id="{prefix}-d">{escape(_describe(categories, series, ""))}</desc>',
        DEFS.replace("{p}", prefix),
        f'<text x="0" y="16" font-size="13" font-weight="bold" fill="#1b1f24">'
        f"{escape(title)}</text>",
    ]
    x = left
    for i, s in enumerate(series):
        fill = SERIES_FILLS[i % len(SERIES_FILLS)].replace("{p}", prefix)
        parts.append(
            f'<rect x="{x}" y="24" width="14" height="12" fill="{fill}" stroke="#1b1f24" '
            f'stroke-width="0.5"/><text x="{x + 18}" y="34" font-size="11" fill="#1b1f24">'
            f"{escape(s.name)}</text>"
        )
        x += 24 + 7 * len(s.name)
    base = top + plot_h
    # No value axis: a peak label could itself be a small count; the values are in the text
    # alternative and the tables.
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#1b1f24"/>'
    )
    step = max(1, n // 12)
    bars: list[list[str]] = [[] for _ in series]
    labels_at = len(parts)
    for c, category in enumerate(categories):
        cx = left + slot * c + (slot - bar_w) / 2
        y = base
        for i, s in enumerate(series):
            value = s.values[c] if c < len(s.values) else None
            h = plot_h * _num(value) / peak
            y -= h
            bars[i].append(_column(cx, y, bar_w, h))
            if isinstance(value, str):
                parts.append(
                    f'<text x="{cx + bar_w / 2:.1f}" y="{y - 2:.1f}" font-size="8" '
                    f'text-anchor="middle" fill="#1b1f24">{escape(value)}</text>'
                )
        if c % step == 0:
            parts.append(
                f'<text x="{cx + bar_w / 2:.1f}" y="{base + 14}" font-size="9.5" '
                f'text-anchor="middle" fill="#1b1f24">{escape(category)}</text>'
            )
    parts[labels_at:labels_at] = _series_paths(bars, prefix)
    parts.append("</svg>")
    return "".join(parts)


def _bar(x: float, y: float, w: float, h: float) -> str:
    """A horizontal bar as a closed subpath; empty when it has no length (as an SVG rect of
    width 0, which is not drawn)."""
    return f"M{x} {y}h{w:.1f}v{h}h-{w:.1f}z" if w > 0 else ""


def _column(x: float, y: float, w: float, h: float) -> str:
    return f"M{x:.1f} {y:.1f}h{w:.1f}v{h:.1f}h-{w:.1f}z" if h > 0 else ""


def _series_paths(bars: list[list[str]], prefix: str) -> list[str]:
    """All bars of a series as one path with the series' fill: the same drawing as a rect per
    bar, but a patterned fill is set up once per series instead of once per bar (PDF renderers
    build a pattern for every element that uses it)."""
    paths = []
    for i, subpaths in enumerate(bars):
        d = "".join(subpaths)
        if d:
            fill = SERIES_FILLS[i % len(SERIES_FILLS)].replace("{p}", prefix)
            paths.append(f'<path d="{d}" fill="{fill}" stroke="#1b1f24" stroke-width="0.5"/>')
    return paths


def line_chart(
    *, title: str, categories: list[str], series: list[Series], width: int = 640, height: int = 240
) -> str:
    """Lines with markers (budget vs utfall per month): solid and dashed, so no colour is
    needed to tell them apart; the text alternative lists every value."""
    prefix = _id(title)
    left, right, top, bottom = 70, 10, 46, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([_num(v) for s in series for v in s.values] + [1.0])
    n = max(len(categories), 1)
    slot = plot_w / max(n - 1, 1)
    dashes = ["", ' stroke-dasharray="6 4"']
    markers = ["circle", "square"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{prefix}-t {prefix}-d">',
        f'<title id="{prefix}-t">{escape(title)}</title>',
        f'<desc id="{prefix}-d">{escape(_describe(categories, series, "kr"))}</desc>',
        f'<text x="0" y="16" font-size="13" font-weight="bold" fill="#1b1f24">'
        f"{escape(title)}</text>",
    ]
    x = left
    for i, s in enumerate(series):
        parts.append(
            f'<line x1="{x}" y1="30" x2="{x + 22}" y2="30" stroke="#1b1f24" stroke-width="2"'
            f'{dashes[i % 2]}/><text x="{x + 28}" y="34" font-size="11" fill="#1b1f24">'
            f"{escape(s.name)}</text>"
        )
        x += 40 + 7 * len(s.name)
    base = top + plot_h
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#1b1f24"/>'
        f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end" fill="#1b1f24">'
        f"{escape(_label(round(peak), ''))}</text>"
        f'<text x="{left - 4}" y="{base}" font-size="10" text-anchor="end" fill="#1b1f24">0</text>'
    )
    for i, s in enumerate(series):
        points = []
        for c in range(len(categories)):
            value = s.values[c] if c < len(s.values) else None
            px = left + slot * c if n > 1 else left + plot_w / 2
            py = base - plot_h * _num(value) / peak
            points.append((px, py))
        if points:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="#1b1f24" stroke-width="2"'
                f"{dashes[i % 2]}/>"
            )
            for px, py in points:
                if markers[i % 2] == "circle":
                    parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="#0b4f6c"/>')
                else:
                    parts.append(
                        f'<rect x="{px - 3:.1f}" y="{py - 3:.1f}" width="6" height="6" '
                        f'fill="#ffffff" stroke="#1b1f24"/>'
                    )
    step = max(1, n // 12)
    for c, category in enumerate(categories):
        if c % step == 0:
            px = left + slot * c if n > 1 else left + plot_w / 2
            parts.append(
                f'<text x="{px:.1f}" y="{base + 14}" font-size="9.5" text-anchor="middle" '
                f'fill="#1b1f24">{escape(category)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S)
_DESC = re.compile(r"<desc[^>]*>(.*?)</desc>", re.S)


def as_image(svg: str) -> str:
    """A chart as an ``<img>`` of its SVG with the same text alternative (title and
    description) as ``alt``: for the PDF, where WeasyPrint draws the image the same but does
    not compute page styles for every element of an inline drawing; the PDF tags it as a
    figure with that alternative text."""
    title = _TITLE.search(svg)
    desc = _DESC.search(svg)
    # Both are already escaped for markup (quotes included), so they serve as an attribute.
    alt = ". ".join(m.group(1) for m in (title, desc) if m)
    data = base64.b64encode(svg.encode()).decode("ascii")
    return f'<img class="diagram" src="data:image/svg+xml;base64,{data}" alt="{alt}">'


def spark_bar(value, peak, *, label: str, width: int = 90) -> str:
    """A tiny bar for the per-insats table (small multiples); the value is in the cell text."""
    w = width * _num(value) / peak if peak else 0
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" width="{width}" height="10" '
        f'viewBox="0 0 {width} 10" aria-hidden="true" focusable="false">'
        f'<rect width="{width}" height="10" fill="#eef2f5"/>'
        f'<rect width="{w:.1f}" height="10" fill="#0b4f6c"/></svg>'
    )
