"""Small charts as inline SVG, drawn on the server: no script, no CDN, readable offline.

Colours come from the page's CSS (classes ``line``, ``bar``, ``axis``, ``dot``), so one
chart suits the light and the dark theme.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

WIDTH, HEIGHT = 320, 120
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 8, 8, 14, 22


def _scale(values: Sequence[float | None]) -> float:
    top = max((v for v in values if v is not None), default=0.0)
    return top if top > 0 else 1.0


def _x(index: int, count: int) -> float:
    inner = WIDTH - PAD_LEFT - PAD_RIGHT
    return PAD_LEFT + (inner * index / (count - 1) if count > 1 else inner / 2)


def _y(value: float, top: float) -> float:
    inner = HEIGHT - PAD_TOP - PAD_BOTTOM
    return PAD_TOP + inner * (1 - value / top)


def _frame(title: str, body: list[str], labels: Sequence[str]) -> str:
    first, last = (labels[0], labels[-1]) if labels else ("", "")
    base = HEIGHT - PAD_BOTTOM
    return "".join([
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{PAD_LEFT}" y1="{base}" x2="{WIDTH - PAD_RIGHT}" y2="{base}"/>',
        *body,
        f'<text class="tick" x="{PAD_LEFT}" y="{HEIGHT - 6}">{escape(first)}</text>',
        f'<text class="tick" x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 6}" '
        f'text-anchor="end">{escape(last)}</text>',
        "</svg>",
    ])


def line_chart(title: str, labels: Sequence[str], values: Sequence[float | None],
               fmt: Callable[[float | None], str]) -> str:
    """A trend line; gaps where a week had nothing to measure; the latest value labelled."""
    top = _scale(values)
    body: list[str] = []
    run: list[str] = []
    for index, value in enumerate(values):
        if value is None:
            if len(run) > 1:
                body.append(f'<polyline class="line" points="{" ".join(run)}"/>')
            run = []
            continue
        x, y = _x(index, len(values)), _y(value, top)
        run.append(f"{x:.1f},{y:.1f}")
        label = f"{labels[index]}: {fmt(value)}" if index < len(labels) else fmt(value)
        body.append(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="2.5">'
                    f"<title>{escape(label)}</title></circle>")
    if len(run) > 1:
        body.insert(0, f'<polyline class="line" points="{" ".join(run)}"/>')
    latest = next((v for v in reversed(values) if v is not None), None)
    body.append(f'<text class="value" x="{WIDTH - PAD_RIGHT}" y="{PAD_TOP - 3}" '
                f'text-anchor="end">{escape(fmt(latest))}</text>')
    return _frame(title, body, labels)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float],
              fmt: Callable[[float | None], str]) -> str:
    """Bars, one per label (a member's messages per week)."""
    top = _scale(values)
    count = max(len(values), 1)
    slot = (WIDTH - PAD_LEFT - PAD_RIGHT) / count
    base = HEIGHT - PAD_BOTTOM
    body = []
    for index, value in enumerate(values):
        y = _y(value, top)
        label = f"{labels[index]}: {fmt(value)}" if index < len(labels) else fmt(value)
        body.append(f'<rect class="bar" x="{PAD_LEFT + index * slot + 1:.1f}" y="{y:.1f}" '
                    f'width="{max(slot - 2, 1):.1f}" height="{base - y:.1f}">'
                    f"<title>{escape(label)}</title></rect>")
    return _frame(title, body, labels)
