"""The weekly trend chart (PNG): questions, share answered (by peers), first response.

It starts at the first week with data, every axis starts at zero, the dates carry the
year, values are written on the points while there are few enough to read, and the caption
says which timezone and which week definition the figures use.
"""

from __future__ import annotations

import io
import math
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.metrics.health import Health
from bot.period import Period

LABELLED_WEEKS = 12  # write values on the points up to this many weeks
INK, ANSWERED, PEERS, BARS, RESPONSE = "#1f2937", "#4338ca", "#059669", "#c7d2fe", "#b45309"


def week_ticks(weeks: list[Period], timezone: str) -> list[str]:
    """Each week's Monday, "23 Nov"; the year under the first one and where it changes.
    Long series keep about a dozen labels."""
    zone = ZoneInfo(timezone)
    step = max(1, math.ceil(len(weeks) / 13))
    labels, last_year = [], None
    for index, week in enumerate(weeks):
        day = week.since.astimezone(zone)
        if index % step:
            labels.append("")
            continue
        label = f"{day.day} {day:%b}"
        if day.year != last_year:
            label += f"\n{day.year}"
            last_year = day.year
        labels.append(label)
    return labels


def _annotate(axis: Axes, xs: list[int], values: list[float | None], fmt: str, color: str,
              below: bool = False) -> None:
    for x, value in zip(xs, values, strict=True):
        if value is not None:
            axis.annotate(fmt.format(value), (x, value), textcoords="offset points",
                          xytext=(0, -13 if below else 5), ha="center", fontsize=7,
                          color=color)


def _nan(values: list[float | None]) -> list[float]:
    return [float("nan") if v is None else v for v in values]


def weekly_trend_png(weeks: list[tuple[Period, Health]], title: str = "Community health",
                     timezone: str = "UTC") -> bytes:
    """A PNG of the weekly trend. Call it off the event loop (``asyncio.to_thread``)."""
    fig = trend_figure(weeks, title, timezone)
    try:
        return _png(fig)
    finally:
        plt.close(fig)


def trend_figure(weeks: list[tuple[Period, Health]], title: str = "Community health",
                 timezone: str = "UTC") -> Figure:
    """The chart as a matplotlib figure (the caller closes it)."""
    caption = (f"Weeks run Monday 00:00 to Sunday 24:00 ({timezone}); each point is one "
               "complete week, labelled by its Monday. Peers: members who are not staff.")
    if not weeks:
        fig, axis = plt.subplots(figsize=(9, 3))
        axis.axis("off")
        axis.set_title(title)
        axis.text(0.5, 0.55, "No complete week with messages yet.\nThe chart starts with "
                  "the first week that has messages.", ha="center", va="center",
                  fontsize=12, color=INK, transform=axis.transAxes)
        fig.text(0.01, 0.02, caption, fontsize=7, color="#6b7280")
        return fig

    xs = list(range(len(weeks)))
    health = [h for _, h in weeks]
    questions = [h.questions for h in health]
    by_peers = [h.peer_answered for h in health]
    answered_share = [None if h.answer_rate is None else h.answer_rate * 100 for h in health]
    peer_share = [None if h.peer_answer_rate is None else h.peer_answer_rate * 100
                  for h in health]
    seconds = [h.median_first_response_s for h in health]
    longest = max((v for v in seconds if v is not None), default=0.0)
    unit, per = ("hours", 3600) if longest >= 2 * 3600 else ("minutes", 60)
    response = [None if v is None else v / per for v in seconds]
    labelled = len(weeks) <= LABELLED_WEEKS

    fig, (top, middle, bottom) = plt.subplots(
        3, 1, figsize=(9, 7.5), sharex=True, gridspec_kw={"height_ratios": [3, 2, 2]})
    top.bar(xs, questions, color=BARS, label="Questions asked")
    top.bar(xs, by_peers, color=PEERS, width=0.4, label="… answered by peers")
    top.set_ylim(0, max(max(questions, default=0) * 1.2, 1))
    top.set_ylabel("Questions")
    top.legend(loc="upper left", fontsize=8)
    top.set_title(title)
    if labelled:
        _annotate(top, xs, [float(q) for q in questions], "{:.0f}", INK)

    middle.plot(xs, _nan(answered_share), color=ANSWERED, marker="o", label="Answered")
    middle.plot(xs, _nan(peer_share), color=PEERS, marker="o", label="Answered by peers")
    middle.set_ylim(0, 110)
    middle.set_yticks([0, 25, 50, 75, 100])
    middle.set_ylabel("Share of\nquestions (%)")
    middle.legend(loc="lower left", fontsize=8)
    if labelled:
        _annotate(middle, xs, peer_share, "{:.0f}%", PEERS, below=True)

    bottom.plot(xs, _nan(response), color=RESPONSE, marker="o")
    top_value = max((v for v in response if v is not None), default=0.0)
    bottom.set_ylim(0, max(top_value * 1.3, 1))
    bottom.set_ylabel(f"Median first\nresponse ({unit})")
    if labelled:
        _annotate(bottom, xs, response, "{:.0f}" if unit == "minutes" else "{:.1f}",
                  RESPONSE)
    for axis in (top, middle, bottom):
        axis.grid(axis="y", alpha=0.3)
    bottom.set_xticks(xs)
    bottom.set_xticklabels(week_ticks([p for p, _ in weeks], timezone), fontsize=8)
    bottom.set_xlim(-0.6, len(weeks) - 0.4)
    fig.text(0.01, 0.01, caption, fontsize=7, color="#6b7280")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
