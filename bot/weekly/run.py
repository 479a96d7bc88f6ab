"""Running a community's week exactly once: claim, then post; the database decides.

Every process that sees a week's post due (the cron trigger at the hour, or the start-up
and periodic catch-up within ``post_grace_hours``) tries to claim the week's row in
``weekly_runs``; only the one whose INSERT made the row posts. A failed post gives the
claim back so that a later try (the next catch-up, within the grace) posts instead.

The post carries a marker (``post_marker``) so that it can be found again. While the owner
works it renews its claim every ``RENEW_EVERY_S`` (a lease), and checks it still holds the
claim just before posting. A claim left unfinished and not renewed for ``CLAIM_LEASE_S``
belongs to a process that died between claiming and finishing: the next try within the
grace takes it over (one conditional UPDATE: one taker wins), reads the report channel back
for the bot's own marked post of that week, posts only if it is absent, and finishes the
claim. When the channel cannot be read back, nothing is posted (unknown is not absent) and
a later try reads again. The digest stays at most once: a dead process's digest claim is
left as it is (reading every moderator's DMs back is not worth a second digest's risk).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from bot.config import CommunitySettings
from bot.features import HistoryUnavailable, Platform, Reply
from bot.period import Period
from bot.render.figures import plural
from bot.scope import Scope
from bot.services import Services
from bot.staff import StaffRule, acts_as_staff
from bot.store import Store
from bot.weekly import alerts
from bot.weekly.digest import build_digest, nomination_reply
from bot.weekly.nominations import nominate_week
from bot.weekly.post import build_post, open_question_lines, post_marker
from bot.weekly.schedule import Due, due_now

log = logging.getLogger(__name__)

ALERT_WINDOW_S = 7 * 86400
ALERTS_SHOWN = 15
CLAIM_LEASE_S = 600.0  # a claim not renewed for this long was left by a dead process
RENEW_EVERY_S = 60.0  # how often a live owner renews its claim
READ_BACK_MARGIN_S = 3600.0  # read the channel back from this long before the post was due


@dataclass(slots=True)
class WeekOutcome:
    """What one run did (for logs and tests)."""

    due: Due | None = None
    posted: str | None = None  # message id
    digests: list[str] = field(default_factory=list)  # moderators DMed
    skipped: list[str] = field(default_factory=list)  # why not


async def weekly_scopes(runtime: Services) -> list[Scope]:
    """Communities on a connected platform with a report channel or moderators set."""
    known = set(await runtime.store.communities()) | set(await runtime.store.configured_scopes())
    found = []
    for scope in sorted(known):
        if scope.platform not in runtime.platforms:
            continue
        settings = await runtime.community_settings(scope)
        if settings.report_channel or settings.moderators:
            found.append(scope)
    return found


async def moderators_to_dm(runtime: Services, scope: Scope, settings: CommunitySettings
                           ) -> list[str]:
    """The configured moderators who are staff (others are skipped, with a log line)."""
    found = []
    rule = StaffRule(settings)
    for user in settings.moderators:
        if await acts_as_staff(rule, runtime.store, scope, user):
            found.append(user)
        else:
            log.warning("%s: moderator %s is not staff; no DM sent", scope, user)
    return found


async def run_week(runtime: Services, scope: Scope, instance: str, now: float | None = None
                   ) -> WeekOutcome:
    """Post the week's report and send the digest, if due now and nobody else did."""
    now = runtime.now() if now is None else now
    outcome = WeekOutcome()
    platform = runtime.platforms.get(scope.platform)
    if platform is None:
        outcome.skipped.append("platform not connected")
        return outcome
    settings = await runtime.community_settings(scope)
    due = outcome.due = due_now(datetime.fromtimestamp(now, UTC), settings)
    if due.state != "post":
        outcome.skipped.append(f"week {due.key}: {due.state}")
        if due.state == "late":
            log.debug("%s: week %s was due at %s, past the grace; skipped", scope, due.key,
                      due.due_at)
        return outcome
    if settings.report_channel:
        outcome.posted = await _post_once(runtime, scope, platform, settings, due, instance,
                                          now)
    if settings.moderators:
        outcome.digests = await _digest_once(runtime, scope, platform, settings, due,
                                             instance, now)
    return outcome


async def _post_once(runtime: Services, scope: Scope, platform: Platform,
                     settings: CommunitySettings, due: Due, instance: str, now: float
                     ) -> str | None:
    store = runtime.store
    channel = settings.report_channel
    assert channel is not None
    started = time.monotonic()

    def clock() -> float:
        return now + time.monotonic() - started

    marker = post_marker(due.key)
    if await store.claim_week(scope, due.key, "post", instance, now):
        found = None
    elif await store.take_over_week(scope, due.key, "post", instance, now,
                                    now - CLAIM_LEASE_S):
        try:
            found = await platform.find_marked(scope, channel, marker,
                                               due.due_at.timestamp() - READ_BACK_MARGIN_S)
        except HistoryUnavailable as error:
            log.warning("%s: the weekly post for %s was left unfinished by a stopped process, "
                        "and the report channel cannot be read back (%s); not posting now, "
                        "will look again within the grace", scope, due.key, error)
            return None
        log.warning("%s: the weekly post for %s was left unfinished by a stopped process; "
                    "the report channel read back %s", scope, due.key,
                    f"has it ({found}): not posted again" if found else "lacks it: posting")
    else:
        return None
    if found is not None:
        await store.finish_week(scope, due.key, "post", found, clock())
        return found
    try:
        async with _renewing(store, scope, due.key, "post", instance, clock):
            reply = replace(await build_post(runtime, scope, platform, due.week, now),
                            marker=marker)
            if not await store.renew_week(scope, due.key, "post", instance, clock()):
                log.warning("%s: the claim of the weekly post for %s was taken over; not "
                            "posting", scope, due.key)
                return None
            message_id = await platform.post(scope, channel, reply)
    except Exception:
        await store.release_week(scope, due.key, "post", instance)
        raise
    if message_id is None:
        log.warning("%s: the weekly post for %s failed; will try again within the grace",
                    scope, due.key)
        await store.release_week(scope, due.key, "post", instance)
        return None
    await store.finish_week(scope, due.key, "post", message_id, clock())
    log.info("%s: weekly post for %s sent (%s)", scope, due.key, message_id)
    return message_id


@contextlib.asynccontextmanager
async def _renewing(store: Store, scope: Scope, week: str, kind: str, instance: str,
                    clock: Callable[[], float]) -> AsyncIterator[None]:
    """Renew ``instance``'s claim every ``RENEW_EVERY_S`` while the block runs, so that a
    slow but live owner is never taken for a dead one."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY_S)
            try:
                await store.renew_week(scope, week, kind, instance, clock())
            except Exception as error:  # the lease is long: the next renewal may work
                log.warning("%s: renewing the claim of %s %s failed: %s", scope, kind, week,
                            error)

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        task.cancel()


async def _digest_once(runtime: Services, scope: Scope, platform: Platform,
                       settings: CommunitySettings, due: Due, instance: str, now: float
                       ) -> list[str]:
    store = runtime.store
    moderators = await moderators_to_dm(runtime, scope, settings)
    if not moderators or not await store.claim_week(scope, due.key, "digest", instance, now):
        return []
    try:
        await nominate_week(runtime, scope, due.week, due.key, now)
        reply = await build_digest(runtime, scope, now)
        sent = [user for user in moderators if await platform.send_dm(scope, user, reply)]
    except Exception:
        await store.release_week(scope, due.key, "digest", instance)
        raise
    if not sent:
        log.warning("%s: no moderator could be sent the digest for %s", scope, due.key)
        await store.release_week(scope, due.key, "digest", instance)
        return []
    await store.finish_week(scope, due.key, "digest", f"sent to {len(sent)} of "
                            f"{len(moderators)} moderators", runtime.now())
    return sent


async def alert_unanswered(runtime: Services, scope: Scope, now: float | None = None
                           ) -> list[str]:
    """One DM per moderator listing questions that just passed ``unanswered_alert_hours``
    without an answer (each question alerted once, by one process). The moderators DMed."""
    from bot import reports

    now = runtime.now() if now is None else now
    platform = runtime.platforms.get(scope.platform)
    settings = await runtime.community_settings(scope)
    if platform is None or not settings.moderators:
        return []
    window = Period(datetime.fromtimestamp(now - ALERT_WINDOW_S, UTC),
                    datetime.fromtimestamp(now, UTC))
    late = alerts.overdue(await reports.unanswered(runtime.store, scope, window, now),
                          settings.unanswered_alert_hours)
    if not late:
        return []
    moderators = await moderators_to_dm(runtime, scope, settings)
    if not moderators:
        return []
    claimed = set(await runtime.store.claim_alerts(scope, "unanswered", [q.id for q in late],
                                                   now))
    fresh = [q for q in late if q.id in claimed]
    if not fresh:
        return []
    reply = Reply(title=f"{plural(len(fresh), 'question')} waiting for an answer",
                  text=f"Unanswered for more than {settings.unanswered_alert_hours:g} hours:",
                  lines=open_question_lines(fresh, platform, scope, ALERTS_SHOWN), tone="warn")
    return [user for user in moderators if await platform.send_dm(scope, user, reply)]


async def send_nomination(runtime: Services, scope: Scope, nomination_id: int) -> list[str]:
    """DM the moderators a hand-made nomination with its Approve / Decline buttons."""
    platform = runtime.platforms.get(scope.platform)
    nomination = await runtime.store.nomination(nomination_id)
    if platform is None or nomination is None:
        return []
    settings = await runtime.community_settings(scope)
    reply = nomination_reply(nomination, platform, settings.reward_role)
    return [user for user in await moderators_to_dm(runtime, scope, settings)
            if await platform.send_dm(scope, user, reply)]
