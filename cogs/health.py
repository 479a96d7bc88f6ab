"""``/circle health``: are questions answered, and by peers?"""

from __future__ import annotations

from datetime import UTC, datetime

from bot import reports
from bot.config import CommunitySettings
from bot.features import PUBLIC, Cog, Command, CommandContext, Field, Option, Reply
from bot.period import Period, last_complete_week, period_from
from bot.render.chart import weekly_trend_png
from bot.render.figures import BUS_FACTOR_NOTE, HEALTH_LABELS, change, figure
from bot.scope import Scope
from bot.services import Services
from bot.store import Store
from bot.week_cache import week_cache

PERIOD = Option("period", "choice", "Days to cover: 7, 30 or 90.", choices=("7", "30", "90"),
                default="7")
CHART_WEEKS = 12
SHOWN = ("questions", "answer_rate", "peer_answer_rate", "median_first_response_s",
         "median_first_response_peer_s", "median_first_response_staff_s", "unanswered",
         "active_members", "new_members", "newcomers_answered", "helpers", "bus_factor")


class HealthCog(Cog):
    def commands(self) -> list[Command]:
        return [Command("health", "Community health: questions, share answered by peers, "
                        "first response, members (period 7, 30 or 90 days).",
                        self.health, (PERIOD, PUBLIC))]

    async def warm(self, runtime: Services, scope: Scope) -> None:
        """The default period's figures and the weekly chart (the first call's slow part)."""
        settings = await runtime.community_settings(scope)
        span = period_from(None, None, days=int(PERIOD.default or 7),
                           now=datetime.fromtimestamp(runtime.now(), UTC))
        for period in (span, span.previous()):
            await reports.health(runtime.store, scope, period, settings)
        await _chart(runtime.store, scope, span, settings)

    async def health(self, ctx: CommandContext, period: str, public: bool | None) -> Reply:
        """Community health over the last ``period`` days, against the days before."""
        settings = await ctx.runtime.community_settings(ctx.scope)
        span = period_from(None, None, days=int(period),
                           now=datetime.fromtimestamp(ctx.runtime.now(), UTC))
        store = ctx.runtime.store
        now = await reports.health(store, ctx.scope, span, settings)
        before = await reports.health(store, ctx.scope, span.previous(), settings)
        current, previous = now.to_json(), before.to_json()
        fields = []
        for key in SHOWN:
            moved = change(key, current[key], previous[key])
            value = figure(key, current[key]) + (f" ({moved})" if moved else "")
            fields.append(Field(HEALTH_LABELS[key], value))
        if now.questions and now.newcomers_asking:
            fields.append(Field("Newcomers answered",
                                f"{now.newcomers_answered} of {now.newcomers_asking}"))
        chart = await _chart(store, ctx.scope, span, settings)
        headline = ("No questions asked in this period." if not now.questions else
                    f"{figure('peer_answer_rate', now.peer_answer_rate)} of "
                    f"{now.questions} questions were answered by peers.")
        return Reply(title=f"Community health, last {period} days", text=headline,
                     fields=fields, chart=chart, public=bool(public),
                     footer=f"{span.label(settings.timezone)}; change against the {period} "
                            f"days before. {BUS_FACTOR_NOTE}")


async def _chart(store: Store, scope: Scope, span: Period, settings: CommunitySettings
                 ) -> bytes:
    """The weekly trend up to the last complete week before ``span`` ends (the week cache
    keeps the figures and the picture)."""
    latest = last_complete_week(span.until, settings.timezone)
    weeks = (await reports.chart_weeks(store, scope, latest, settings.timezone)
             )[-CHART_WEEKS:]
    series = await reports.weekly_series(store, scope, weeks, settings)
    title = "Community health, by week"
    return await week_cache(store).chart(
        (*series, title, settings.timezone),
        lambda: weekly_trend_png(series, title, settings.timezone))
