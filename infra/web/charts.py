"""The quota dashboard's chart, drawn on the server as inline SVG (no script, works offline):
admissions in each month as bars, their running total as a line, and the pace the target asks
for (a twelfth of it a month) as a dashed line up to the target."""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 14, 30


@dataclass(frozen=True)
class Bar:
    month: int  # 1…12
    value: int
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    cumulative: str  # SVG polyline points
    pace: str
    target_y: float | None
    ticks: list[tuple[float, int]]  # (y, value)
    baseline: float
    left: float
    right: float


def _nice(top: int) -> int:
    """A round axis maximum at or above `top`."""
    if top <= 5:
        return 5
    magnitude = 10 ** int(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        nice = int(step * magnitude)
        if nice >= top:
            return nice
    return top


def admissions_chart(months: list[int], target: int, months_known: int = 12) -> Chart:
    """`months`: admissions in each month (January first); `months_known`: how many months
    have passed (the running total stops there)."""
    running, total = [], 0
    for value in months:
        total += value
        running.append(total)
    top = _nice(max([target, *running, *months, 1]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / 12
    baseline = TOP + plot_h

    def y(value: float) -> float:
        return round(baseline - value / top * plot_h, 1)

    bars = [
        Bar(
            i + 1,
            v,
            round(LEFT + i * slot + slot * 0.2, 1),
            y(v),
            round(slot * 0.6, 1),
            round(baseline - y(v), 1),
        )
        for i, v in enumerate(months)
    ]
    cumulative = " ".join(
        f"{b.centre:.1f},{y(running[i])}" for i, b in enumerate(bars[: max(months_known, 0)])
    )
    pace = " ".join(f"{b.centre:.1f},{y(target * (i + 1) / 12)}" for i, b in enumerate(bars))
    ticks = [(y(v), v) for v in sorted({0, top // 2, top})]
    return Chart(
        WIDTH,
        HEIGHT,
        bars,
        cumulative,
        pace if target else "",
        y(target) if target else None,
        ticks,
        baseline,
        LEFT,
        WIDTH - RIGHT,
    )
