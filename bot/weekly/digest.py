"""The moderators' weekly digest: figures, the advocate leaderboard with each score's parts,
reward nominations (with Approve / Decline buttons) and alerts.

``build_digest`` only reads: the weekly job records the week's nominations first, then
builds the digest, which shows the pending ones with their buttons. Without a connected
platform (``innercircle demo``) members are named by their stored names.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot import reports
from bot.config import CommunitySettings
from bot.features import Button, Platform, Reply
from bot.identity import is_anonymous
from bot.member_text import member_text
from bot.period import Period, last_complete_week, weeks_back
from bot.render.figures import BUS_FACTOR_NOTE, SCORE_NOTE, duration, plural, score_parts
from bot.scope import Scope
from bot.services import Services
from bot.store.weekly import Nomination
from bot.weekly import alerts
from bot.weekly.names import audience, nameable, platform_for, who
from bot.weekly.nominations import candidates
from bot.weekly.post import (
    figure_fields,
    headline,
    open_question_lines,
    week_before,
    week_label,
)
from bot.weekly.schedule import due_now

LEADERBOARD = 10
NOMINATIONS_SHOWN = 12  # 24 buttons: within what both platforms show on one message
OPEN_WINDOW_S = 7 * 86400
DRIFT_WEEKS = alerts.RECENT_WEEKS + alerts.USUAL_WEEKS
LEADERBOARD_HEADER = "Advocate leaderboard"
NOMINATIONS_HEADER = "Reward nominations"
ALERTS_HEADER = "Alerts"


def digest_week(now: float, settings: CommunitySettings) -> Period:
    """The week the digest is about: the one whose post is due now, else the last complete."""
    moment = datetime.fromtimestamp(now, UTC)
    due = due_now(moment, settings)
    return due.week if due.state == "post" else last_complete_week(moment, settings.timezone)


def nomination_line(nomination: Nomination, platform: Platform) -> str:
    by = "weekly pick" if nomination.source == "weekly" else (
        f"nominated by {platform.mention(nomination.nominated_by)}"
        if nomination.nominated_by else "nominated by hand")
    reason = f": {member_text(nomination.reason)}" if nomination.reason else ""
    return f"#{nomination.id} {platform.mention(nomination.user_id)} ({by}){reason}"


def nomination_buttons(nomination: Nomination) -> list[Button]:
    return [Button(f"reward:approve:{nomination.id}", f"Approve #{nomination.id}", "primary"),
            Button(f"reward:decline:{nomination.id}", f"Decline #{nomination.id}", "danger")]


def nomination_reply(nomination: Nomination, platform: Platform, reward: str | None) -> Reply:
    """One nomination to decide (sent to moderators when a member is nominated by hand)."""
    grant = f"Approving grants {reward}." if reward else "Approving records the reward."
    return Reply(title="Reward nomination", text=nomination_line(nomination, platform),
                 footer=grant, buttons=nomination_buttons(nomination))


async def build_digest(runtime: Services, scope: Scope, now: float) -> Reply:
    """The digest moderators get by DM for the week whose post is due at ``now``."""
    settings = await runtime.community_settings(scope)
    store = runtime.store
    platform = await platform_for(runtime, scope)
    ctx = audience(runtime, platform, scope, staff=True)
    week = digest_week(now, settings)
    current = await reports.health(store, scope, week, settings)
    before = await reports.health(store, scope, week_before(week, settings.timezone), settings)
    lines: list[str] = []
    buttons: list[Button] = []

    ranked = [e for e in await reports.helpers(store, scope, week, settings)
              if nameable(e, ctx)]
    peers = [e for e in ranked if not e.advocate.is_staff][:LEADERBOARD]
    staff = [e for e in ranked if e.advocate.is_staff][:LEADERBOARD]
    lines.append(f"{LEADERBOARD_HEADER}, {week.label(settings.timezone)} (peers). "
                 f"{SCORE_NOTE}")
    lines.extend(f"{rank}. {who(e, ctx)}: {score_parts(e.advocate, active_weeks=False)}"
                 for rank, e in enumerate(peers, 1))
    if not peers:
        lines.append("No peer answered a question this week.")
    if staff:
        lines.append("Staff (ranked apart):")
        lines.extend(f"• {who(e, ctx)}: {score_parts(e.advocate, active_weeks=False)}"
                     for e in staff)

    lines.append(f"{NOMINATIONS_HEADER}:")
    pending = await store.nominations(scope, states=["pending"], limit=NOMINATIONS_SHOWN)
    if pending:
        for nomination in reversed(pending):
            lines.append(nomination_line(nomination, platform))
            buttons.extend(nomination_buttons(nomination))
    else:
        proposed = await candidates(runtime, scope, week, now)
        lines.extend(f"Proposed: {who(e, ctx)} "
                     f"({score_parts(e.advocate, active_weeks=False)})" for e in proposed)
        if proposed:
            lines.append("(Proposals are recorded when the weekly digest is sent; "
                         "moderators then decide with Approve / Decline buttons.)")
        if not proposed:
            lines.append("Nobody to nominate this week (cooldown "
                         f"{settings.reward_cooldown_weeks} weeks).")

    lines.append(f"{ALERTS_HEADER}:")
    alert_lines = await _alerts(runtime, scope, settings, week, now, platform)
    lines.extend(alert_lines or ["None this week."])
    reward = settings.reward_role or "the reward"
    decide = (f"Approve grants {reward}; a member rewarded is not nominated again for "
              f"{settings.reward_cooldown_weeks} weeks. " if buttons else "")
    return Reply(title=f"Weekly digest: {week_label(week, settings.timezone)}",
                 text=headline(current), fields=figure_fields(current, before), lines=lines,
                 buttons=buttons, public=False,
                 tone="warn" if alert_lines else "info",
                 footer=f"{decide}Only for moderators. {BUS_FACTOR_NOTE}")


async def _alerts(runtime: Services, scope: Scope, settings: CommunitySettings, week: Period,
                  now: float, platform: Platform) -> list[str]:
    store = runtime.store
    lines: list[str] = []
    window = Period(datetime.fromtimestamp(now - OPEN_WINDOW_S, UTC),
                    datetime.fromtimestamp(now, UTC))
    late = alerts.overdue(await reports.unanswered(store, scope, window, now),
                          settings.unanswered_alert_hours)
    if late:
        lines.append(f"Open now and waiting longer than "
                     f"{duration(settings.unanswered_alert_hours * 3600)} (asked in the last "
                     f"7 days): {plural(len(late), 'question')}")
        lines.extend(open_question_lines(late, platform, scope))

    weeks = weeks_back(week.until, settings.timezone, DRIFT_WEEKS)
    per_week = [await store.peer_answer_counts(scope, w.start, w.end) for w in weeks]
    drifts = alerts.drifting(alerts.weekly_answer_counts(per_week), settings.drift_drop_ratio)
    if drifts:
        members = await store.member_facts(scope, {d.user for d in drifts})
        for d in drifts:
            member = members.get(d.user)
            if is_anonymous(d.user) or (member is not None and member.left_at is not None):
                continue
            lines.append(f"Drifting away? {platform.mention(d.user)} answered "
                         f"{d.recent_per_week:.1f} a week lately, usually "
                         f"{d.usual_per_week:.1f} a week.")

    week_answers = await store.peer_answer_counts(scope, week.start, week.end)
    health = await reports.health(store, scope, week, settings)
    bus = alerts.bus_factor_alert(health, week_answers, settings.bus_factor_alert,
                                  settings.bus_factor_min_answers)
    if bus is not None:
        lines.append(f"Bus factor {bus.bus_factor}: half of the week's {bus.peer_answers} "
                     f"peer answers came from {bus.bus_factor} "
                     f"{'helper' if bus.bus_factor == 1 else 'helpers'}.")
    return lines
