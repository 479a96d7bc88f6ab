"""The weekly trend chart for 2, 8 and 52 weeks of a sample community and for a community
with no complete week yet: made through the real pipeline (sample -> engine -> SQLite ->
reports), written to out/charts/ so a person can look at them."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from bot import reports
from bot.config import CommunitySettings
from bot.engine import Engine
from bot.period import last_complete_week
from bot.render.chart import trend_figure, weekly_trend_png
from bot.sample import generate
from bot.scope import Scope
from bot.store import Store

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
CHARTS = Path(__file__).resolve().parents[2] / "out" / "charts"
ZONE = "Europe/Berlin"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def series_for(store: Store, weeks: int) -> list:  # type: ignore[type-arg]
    settings = CommunitySettings(timezone=ZONE)
    engine = Engine(store, settings)
    await engine.ingest(generate(seed=5, weeks=weeks, end=NOW))
    scope = Scope("demo", "demo")
    latest = last_complete_week(NOW, ZONE)
    chosen = await reports.chart_weeks(store, scope, latest, ZONE)
    return await reports.weekly_series(store, scope, chosen, settings)


@pytest.mark.parametrize("weeks", [2, 8, 52])
async def test_chart_starts_at_the_first_week_with_data(sqlite_store: Store, weeks: int
                                                        ) -> None:
    series = await series_for(sqlite_store, weeks)
    # the sample starts mid-week, so its first week is partial and counts too; the week in
    # progress does not
    assert len(series) in (weeks, weeks + 1)
    assert series[0][1].questions > 0
    fig = trend_figure(series, f"Sample community, {weeks} weeks", ZONE)
    try:
        axes = fig.get_axes()
        assert [axis.get_ylim()[0] for axis in axes] == [0, 0, 0]  # zero-based
        ticks = [t.get_text() for t in axes[-1].get_xticklabels()]
        assert "2026" in ticks[0] or "2025" in ticks[0]  # the year is on the first date
        assert len([t for t in ticks if t]) <= 14  # readable on 52 weeks
        caption = " ".join(t.get_text() for t in fig.texts)
        assert "Monday 00:00 to Sunday 24:00 (Europe/Berlin)" in caption
        values = [t.get_text() for t in axes[0].texts]
        if weeks <= 12:
            assert values == [str(h.questions) for _, h in series]
        else:
            assert values == []
    finally:
        plt.close(fig)
    png = weekly_trend_png(series, f"Sample community, {weeks} weeks", ZONE)
    assert png_size(png) == (900, 750)
    CHARTS.mkdir(parents=True, exist_ok=True)
    (CHARTS / f"weekly-trend-{weeks}w.png").write_bytes(png)


async def test_chart_of_a_brand_new_community(sqlite_store: Store) -> None:
    scope = Scope("demo", "new")
    latest = last_complete_week(NOW, ZONE)
    assert await reports.chart_weeks(sqlite_store, scope, latest, ZONE) == []
    png = weekly_trend_png([], "A brand-new community", ZONE)
    assert png_size(png) == (900, 300)
    fig = trend_figure([], "A brand-new community", ZONE)
    try:
        said = " ".join(t.get_text() for axis in fig.get_axes() for t in axis.texts)
        assert "No complete week with messages yet" in said
    finally:
        plt.close(fig)
    CHARTS.mkdir(parents=True, exist_ok=True)
    (CHARTS / "weekly-trend-empty.png").write_bytes(png)
