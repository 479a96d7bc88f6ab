"""``/circle helpers``, ``profile`` and ``thanks``: the members who carry the community."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import reports
from bot.events import Thanks
from bot.features import PUBLIC, Cog, Command, CommandContext, Field, Option, Reply, UsageError
from bot.naming import label, may_name
from bot.period import Period, period_from
from bot.render.figures import SCORE_NOTE, score_parts
from bot.scope import Scope
from bot.services import Services

PERIOD = Option("period", "choice", "Days to cover: 7, 30 or 90.", choices=("7", "30", "90"),
                default="30")
MEMBER = Option("member", "member", "The member.")
SHOWN = 10
CREDITS_SHOWN = 10
ROUTES = {"reply": "a reply", "thread": "in the thread", "forum": "in the forum post",
          "mention": "addressed to the asker", "implicit": "no reply marker, linked by the bot",
          "mark": "marked as the answer"}


class HelpersCog(Cog):
    def commands(self) -> list[Command]:
        return [
            Command("helpers", "The most passionate members: breadth of help over volume, "
                    "each score with its parts (period 7, 30 or 90 days).", self.helpers,
                    (PERIOD, PUBLIC)),
            Command("profile", "A member's help over the last 30 days, with the score's parts; "
                    "privately, your own credited answers (staff: anyone's), each with how it "
                    "was found and how sure the bot is.", self.profile, (MEMBER, PUBLIC)),
            Command("thanks", "Thank a member for their latest answer to you: it counts as "
                    "your acknowledgement (once a day).", self.thanks,
                    (Option("member", "member", "Who helped you.", required=True),)),
        ]

    async def warm(self, runtime: Services, scope: Scope) -> None:
        """The longest period's leaderboard (its answers stay in the week cache)."""
        span = period_from(None, None, days=max(int(c) for c in PERIOD.choices or ("90",)),
                           now=datetime.fromtimestamp(runtime.now(), UTC))
        await reports.helpers(runtime.store, scope, span,
                              await runtime.community_settings(scope))

    async def helpers(self, ctx: CommandContext, period: str, public: bool | None) -> Reply:
        """The advocate leaderboard; staff listed apart."""
        settings = await ctx.runtime.community_settings(ctx.scope)
        span = period_from(None, None, days=int(period),
                           now=datetime.fromtimestamp(ctx.runtime.now(), UTC))
        ranked = await reports.helpers(ctx.runtime.store, ctx.scope, span, settings)
        shown = [e for e in ranked if may_name(e, ctx, public=bool(public))]
        peers = [e for e in shown if not e.advocate.is_staff][:SHOWN]
        staff = [e for e in shown if e.advocate.is_staff][:SHOWN]
        weeks = int(period) > 7  # within one week, active weeks are always 1
        lines = [f"{rank}. {label(e, ctx)}: {score_parts(e.advocate, active_weeks=weeks)}"
                 for rank, e in enumerate(peers, 1)]
        if not peers:
            lines.append("No peer answered a question in this period yet.")
        if staff:
            lines.append("Staff (ranked apart):")
            lines.extend(f"• {label(e, ctx)}: {score_parts(e.advocate, active_weeks=weeks)}"
                         for e in staff)
        return Reply(title=f"Top helpers, last {period} days", lines=lines,
                     text=SCORE_NOTE, public=bool(public),
                     footer=span.label(settings.timezone))

    async def profile(self, ctx: CommandContext, member: str | None, public: bool | None
                      ) -> Reply:
        """One member's help, with each part of the score."""
        user = member or ctx.invoker.user
        settings = await ctx.runtime.community_settings(ctx.scope)
        span = period_from(None, None, days=30,
                           now=datetime.fromtimestamp(ctx.runtime.now(), UTC))
        ranked = await reports.helpers(ctx.runtime.store, ctx.scope, span, settings)
        for rank, entry in enumerate((e for e in ranked if e.advocate.is_staff ==
                                      _is_staff(ranked, user)), 1):
            if entry.advocate.user != user:
                continue
            if not may_name(entry, ctx, public=bool(public)):
                break
            a = entry.advocate
            return Reply(title="Helper profile, last 30 days",
                         text=f"{label(entry, ctx)} is #{rank} among "
                              f"{'staff' if a.is_staff else 'peer helpers'}.",
                         fields=[Field("Score", f"{a.score:.1f}"),
                                 Field("People helped", str(a.people_helped)),
                                 Field("Answers", str(a.answers)),
                                 Field("Thanked", str(a.thanked)),
                                 Field("Newcomers helped", str(a.newcomers_helped)),
                                 Field("Active weeks", str(a.active_weeks))],
                         lines=await credit_lines(ctx, user, span, public=bool(public)),
                         public=bool(public),
                         footer=f"{span.label(settings.timezone)}. {SCORE_NOTE}")
        return Reply(title="Helper profile, last 30 days",
                     text=f"{ctx.platform.mention(user)} has not answered anyone's question "
                          "in the last 30 days.", public=bool(public))

    async def thanks(self, ctx: CommandContext, member: str) -> Reply:
        """Record the invoker's thanks to ``member`` for their latest answer."""
        if member == ctx.invoker.user:
            raise UsageError("You cannot thank yourself.")
        result = await ctx.runtime.engine.apply(Thanks(
            community=ctx.scope.community, platform=ctx.scope.platform,
            ts=datetime.fromtimestamp(ctx.runtime.now(), UTC), user=ctx.invoker.user,
            helper=member))
        if result is None or not result.ok:
            raise UsageError(f"Not recorded: {result.reason if result else 'unknown error'}.")
        return Reply(title="Thanks recorded",
                     text=f"Your thanks to {ctx.platform.mention(member)} counts as an "
                          "acknowledged answer.", tone="good")


async def credit_lines(ctx: CommandContext, user: str, span: Period, *, public: bool
                       ) -> list[str]:
    """The member's credited answers, explained: only in a private reply, and only to the
    member themselves or to staff (excerpts are member text; askers who opted out are never
    named, askers who left only to staff)."""
    own = user == ctx.invoker.user
    if public or not (own or ctx.invoker.is_staff):
        return ["Credited answers: only the member and staff see them, in a private reply."]
    answers = await reports.credits(ctx.runtime.store, ctx.scope, user, span,
                                    staff_view=ctx.invoker.is_staff, excerpts=True,
                                    now=ctx.runtime.now())
    lines = [f"Credited answers ({len(answers)}), newest first: how each was found and how "
             "sure the bot is."]
    for x in reversed(answers[-CREDITS_SHOWN:]):
        when = datetime.fromtimestamp(x.ts, UTC).strftime("%d %b %H:%M")
        sure = "set by a person" if x.route == "mark" else (
            "confidence –" if x.confidence is None else f"confidence {x.confidence:.2f}")
        asker = ctx.platform.mention(x.asker) if x.asker else "someone"
        text = f"“{x.excerpt}”" if x.excerpt else "(text no longer kept)"
        thanked = " · acknowledged" if x.acknowledged else ""
        lines.append(f"• {when} · {ROUTES.get(x.route, x.route)} · {sure}{thanked} · "
                     f"{asker} asked {text}")
    if len(answers) > CREDITS_SHOWN:
        lines.append(f"… and {len(answers) - CREDITS_SHOWN} earlier ones.")
    return lines


def _is_staff(ranked: list[reports.NamedAdvocate], user: str) -> bool:
    return any(e.advocate.user == user and e.advocate.is_staff for e in ranked)
