"""Reports: stored facts -> metrics for one community and period. Shared by the command
line, the cogs and the weekly post; rendering is elsewhere (``bot.render``)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.config import CommunitySettings
from bot.identity import is_anonymous
from bot.metrics.advocates import Advocate, rank_advocates
from bot.metrics.answer_columns import AnswerColumns
from bot.metrics.health import Health, compute_health
from bot.period import Period, weeks_since
from bot.scope import Scope
from bot.store import MemberFact, QuestionFact, Store
from bot.store.metric_reads import count_peer_answers
from bot.week_cache import week_cache


class ReportError(ValueError):
    """A report that cannot be made as asked (no such community, several to choose from)."""


@dataclass(frozen=True, slots=True)
class NamedAdvocate:
    """An advocate with what a renderer needs to name them (or not)."""

    advocate: Advocate
    name: str | None
    anonymous: bool
    left: bool

    def to_json(self) -> dict[str, object]:
        data = self.advocate.to_json()
        data["name"] = self.name
        return {"user": data.pop("user"), "name": data.pop("name"), "score": data.pop("score"),
                "is_staff": data.pop("is_staff"), **data}


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """A question nobody has answered yet."""

    id: str
    channel: str
    author: str
    ts: float
    age_s: float
    excerpt: str | None

    def to_json(self) -> dict[str, object]:
        from datetime import UTC, datetime

        return {"id": self.id, "channel": self.channel, "author": self.author,
                "ts": datetime.fromtimestamp(self.ts, UTC).isoformat().replace("+00:00", "Z"),
                "age_s": round(self.age_s, 1), "excerpt": self.excerpt}


@dataclass(frozen=True, slots=True)
class CreditedAnswer:
    """One counted answer, explained: how it was found and how sure the decision was.

    ``asker`` is ``None`` when they may not be named here; ``excerpt`` is ``None`` once the
    question's text has expired or when the view may not show it."""

    question_id: str
    answer_id: str
    ts: float
    route: str
    confidence: float | None
    acknowledged: bool
    asker: str | None
    asker_name: str | None
    excerpt: str | None

    def to_json(self) -> dict[str, object]:
        from datetime import UTC, datetime

        return {"question": self.question_id, "answer": self.answer_id,
                "ts": datetime.fromtimestamp(self.ts, UTC).isoformat().replace("+00:00", "Z"),
                "route": self.route, "confidence": self.confidence,
                "acknowledged": self.acknowledged, "asker": self.asker,
                "asker_name": self.asker_name, "excerpt": self.excerpt}


def has_left(member: MemberFact | None) -> bool:
    """Left the community and has not come back since."""
    return bool(member and member.left_at is not None
                and (member.joined_at is None or member.left_at >= member.joined_at))


async def resolve_scope(store: Store, community: str | None) -> Scope:
    """The community a report is about: named, or the only one stored."""
    known = await store.communities()
    if community is not None:
        platform, _, name = community.rpartition(":")
        matches = [s for s in known if s.community == name and (not platform or
                                                                 s.platform == platform)]
        if not matches:
            listing = ", ".join(str(s) for s in known) or "none yet"
            raise ReportError(f"no community {community!r} in the database (known: {listing})")
        if len(matches) > 1:
            raise ReportError(f"{community!r} is on several platforms: say platform:community")
        return matches[0]
    if not known:
        raise ReportError("the database holds no community yet: replay or run the bot first")
    if len(known) > 1:
        listing = ", ".join(str(s) for s in known)
        raise ReportError(f"the database holds several communities; pick one with --community "
                          f"({listing})")
    return known[0]


async def health(store: Store, scope: Scope, period: Period, settings: CommunitySettings,
                 *, keep: bool = True) -> Health:
    """The health figures of ``scope`` over ``period`` (``keep``: False when nobody will ask
    for these days again, such as a complete week whose figures the week cache keeps)."""
    cache = week_cache(store)
    start, end = period.start, period.end
    questions = await cache.questions(store, scope, start, end, keep)
    peer_answers = count_peer_answers(await cache.answers(store, scope, start, end, keep))
    return compute_health(
        questions, peer_answers,
        active_members=len(await cache.active(store, scope, start, end, keep)),
        new_members=await store.new_members(scope, period.start, period.end),
        joined_at=await cache.joined_at(store, scope) if questions else {},
        answer_window_s=settings.answer_window_hours * 3600,
        newcomer_days=settings.newcomer_days,
    )


async def questions(store: Store, scope: Scope, period: Period) -> list[QuestionFact]:
    """Live questions asked in ``period`` (whole past days from the week cache)."""
    return await week_cache(store).questions(store, scope, period.start, period.end)


async def helpers(store: Store, scope: Scope, period: Period, settings: CommunitySettings,
                  *, involving: str | None = None) -> list[NamedAdvocate]:
    """Advocates over ``period``, peers first then staff, each with its parts and name.

    ``involving``: read only the answers that member gave or got; their own entry is then
    exactly what the whole leaderboard says of them (a score depends only on the member's
    answers and on those their askers gave back), at a fraction of the cost."""
    if involving is None:
        answers = await week_cache(store).answer_columns(store, scope, period.start, period.end)
    else:
        answers = AnswerColumns.of(
            await store.answer_facts(scope, period.start, period.end, involving))
    # past a few hundred answers, member_facts reads them all anyway: no need to list them
    people = answers.users() if len(answers) <= 500 else None
    members: dict[str, MemberFact] = (await store.member_facts(scope, people)
                                      if len(answers) else {})
    ranked = rank_advocates(answers, {u: m.joined_at for u, m in members.items()},
                            since=period.start, newcomer_days=settings.newcomer_days)
    out = []
    for advocate in ranked:
        member = members.get(advocate.user)
        anonymous = is_anonymous(advocate.user)
        out.append(NamedAdvocate(
            advocate=advocate,
            name=None if anonymous else (member.name if member else None),
            anonymous=anonymous,
            left=has_left(member),
        ))
    return out


async def resolve_member(store: Store, scope: Scope, member: str) -> str:
    """A member's stored id from their id or stored name."""
    found = await store.find_members(scope, member)
    if not found:
        raise ReportError(f"no member {member!r} in {scope} (give a member id or stored name)")
    if len(found) > 1:
        listing = ", ".join(user for user, _ in found)
        raise ReportError(f"several members are called {member!r}: give an id ({listing})")
    return found[0][0]


async def credits(store: Store, scope: Scope, member: str, period: Period, *,
                  staff_view: bool, excerpts: bool, now: float | None = None
                  ) -> list[CreditedAnswer]:
    """``member``'s counted answers in ``period``, each with its route and confidence.

    Askers who opted out are never named; askers who left only in a ``staff_view``;
    question ``excerpts`` only when the caller's view may show text (private or staff)."""
    now = time.time() if now is None else now
    rows = await store.member_credits(scope, member, period.start, period.end, now)
    out = []
    for row in rows:
        named = not is_anonymous(row.asker) and (staff_view or not row.asker_left)
        out.append(CreditedAnswer(
            row.question_id, row.answer_id, row.ts, row.route,
            None if row.confidence is None else round(row.confidence, 3), row.acknowledged,
            row.asker if named else None, row.asker_name if named else None,
            row.excerpt if excerpts else None))
    return out


async def unanswered(store: Store, scope: Scope, period: Period, now: float | None = None
                     ) -> list[OpenQuestion]:
    """Questions asked in ``period`` that nobody has answered, oldest first."""
    now = time.time() if now is None else now
    rows = await store.open_questions(scope, period.start, period.end, now)
    return [OpenQuestion(q.id, q.channel, q.author, q.ts, max(0.0, now - q.ts), excerpt)
            for q, excerpt in rows]


async def weekly_series(store: Store, scope: Scope, weeks: list[Period],
                        settings: CommunitySettings) -> list[tuple[Period, Health]]:
    """Health for each week (for the trend chart). Complete weeks come from the week cache
    while nothing written since touched them."""
    cache = week_cache(store)
    shape = (settings.answer_window_hours, settings.newcomer_days)
    now = time.time()

    def compute(week: Period) -> Callable[[], Awaitable[Health]]:
        return lambda: health(store, scope, week, settings, keep=False)

    return [(week, await cache.health(scope, week, shape, compute(week), now))
            for week in weeks]


async def chart_weeks(store: Store, scope: Scope, latest: Period, timezone: str
                      ) -> list[Period]:
    """The weeks a trend chart shows: from the first week with a message to ``latest``."""
    return weeks_since(await store.first_message_ts(scope), latest, timezone)
