"""Server-made SVG bar charts (the CSP allows no scripts or inline styles): this module computes
the geometry, ``templates/forbund/_bar_chart.html`` draws it. Every chart sits beside a table with
the same figures, so the chart itself is decoration for sighted users with a text summary."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 760
HEIGHT = 300
LEFT = 70
BOTTOM = 60
TOP = 16
COLOURS = {"budget": "#7aa6c2", "utfall": "#0b4f6c", "prognos": "#c98a00"}


@dataclass
class Bar:
    x: int
    y: int
    width: int
    height: int
    fill: str
    label: str


@dataclass
class Tick:
    y: int
    label: str


@dataclass
class Group:
    x: int
    label: str


@dataclass
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    groups: list[Group]
    series: list[tuple[str, str]]  # (name, css modifier) for the legend
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM


def _nice_max(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        top = magnitude * step
        if top >= value:
            return top
    return magnitude * 10


def _kr(value: Decimal) -> str:
    """Short Swedish amount for axis labels: '1,25 Mkr', '375 tkr', '0 kr' (exact, no floats)."""
    whole = Decimal(int(value))
    if abs(whole) >= 1_000_000:
        shown = (whole / 1_000_000).quantize(Decimal("0.01")).normalize()
        return f"{shown:f} Mkr".replace(".", ",")
    if abs(whole) >= 1000:
        shown = (whole / 1000).quantize(Decimal("0.1")).normalize()
        return f"{shown:f} tkr".replace(".", ",")
    return f"{whole} kr"


def grouped_bars(
    *, title: str, description: str, labels: list[str], series: list[tuple[str, str, list]]
) -> BarChart:
    """Bars grouped per label; ``series`` is [(name, colour key, values)]. Negative values are
    drawn as zero (the table shows them)."""
    top = _nice_max(max([Decimal(v) for _, _, vals in series for v in vals] + [Decimal(0)]))
    plot_h = HEIGHT - BOTTOM - TOP
    plot_w = WIDTH - LEFT - 10
    group_w = plot_w / max(1, len(labels))
    bar_w = max(2, int(group_w * 0.8 / max(1, len(series))))
    bars, groups = [], []
    for i, label in enumerate(labels):
        gx = LEFT + i * group_w
        groups.append(Group(int(gx + group_w / 2), label))
        for j, (name, colour, values) in enumerate(series):
            value = max(Decimal(values[i]), Decimal(0))
            h = int(value / top * plot_h)
            bars.append(
                Bar(
                    int(gx + group_w * 0.1 + j * bar_w),
                    HEIGHT - BOTTOM - h,
                    bar_w - 1,
                    h,
                    COLOURS[colour],
                    f"{label}, {name}: {_kr(Decimal(values[i]))}",
                )
            )
    ticks = [Tick(int(HEIGHT - BOTTOM - plot_h * k / 4), _kr(top * k / 4)) for k in range(0, 5)]
    return BarChart(
        title, description, bars, ticks, groups, [(name, colour) for name, colour, _ in series]
    )
