"""Who is nominated for the community's reward each week (pure), and recording it."""

from __future__ import annotations

from bot.period import Period
from bot.render.figures import plural
from bot.reports import NamedAdvocate, helpers
from bot.scope import Scope
from bot.services import Services

WEEK_S = 7 * 86400


def pick_nominees(ranked: list[NamedAdvocate], excluded: set[str], count: int
                  ) -> list[NamedAdvocate]:
    """The top ``count`` peer advocates (by score) who may be rewarded: not staff, not
    anonymous (opted out), not departed, with a positive score, not in ``excluded`` (rewarded
    within the cooldown or with a nomination still pending)."""
    eligible = [e for e in ranked
                if not e.advocate.is_staff and not e.anonymous and not e.left
                and e.advocate.score > 0 and e.advocate.user not in excluded]
    return eligible[:count]


def cooldown_start(now: float, cooldown_weeks: int) -> float:
    """Rewards approved at or after this are within the cooldown. Counted in weeks: a reward
    approved in the days after week N's digest makes the member eligible again at week
    N + ``cooldown_weeks``'s digest (the approval's own week counts as the first)."""
    if cooldown_weeks <= 0:
        return now + 1
    return now - cooldown_weeks * WEEK_S + 6 * 86400


async def candidates(runtime: Services, scope: Scope, week: Period, now: float
                     ) -> list[NamedAdvocate]:
    """This week's nominees, as they would be picked now (nothing is written)."""
    settings = await runtime.community_settings(scope)
    ranked = await helpers(runtime.store, scope, week, settings)
    excluded = await runtime.store.recently_rewarded(
        scope, cooldown_start(now, settings.reward_cooldown_weeks))
    return pick_nominees(ranked, excluded, settings.nominations_per_week)


def reason_for(entry: NamedAdvocate) -> str:
    a = entry.advocate
    return (f"top helper of the week: helped {plural(a.people_helped, 'person', 'people')} "
            f"in {plural(a.answers, 'answer')}, thanked {plural(a.thanked, 'time')}")


async def nominate_week(runtime: Services, scope: Scope, week: Period, week_key: str,
                        now: float) -> list[int]:
    """Record this week's nominations (once: a week's nomination of a member is unique)."""
    made = []
    for entry in await candidates(runtime, scope, week, now):
        found = await runtime.store.add_nomination(
            scope, entry.advocate.user, source="weekly", at=now, week_start=week_key,
            reason=reason_for(entry), score=entry.advocate.score)
        if found is not None:
            made.append(found)
    return made
