"""Reads behind the reports: facts for one community and period, from indexed rollups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true, union
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.scope import Scope
from bot.store import schema
from bot.store.driver import fetch_tuples
from bot.store.schema import in_scope

m, a, d, mem = schema.messages, schema.answers, schema.activity_days, schema.members
DAY = 86400


class QuestionFact(NamedTuple):
    """A question and when it was first answered by a peer and by staff (or ``None``).

    Facts are named tuples: a month of a large community is tens of thousands of them, and
    a tuple is the cheapest immutable record to make from a database row."""

    id: str
    channel: str
    author: str
    ts: float
    first_peer_answer_ts: float | None
    first_staff_answer_ts: float | None


class AnswerFact(NamedTuple):
    """One answer message to a question (several may make one answer, see metrics)."""

    question_id: str
    answerer: str
    asker: str
    question_ts: float
    ts: float
    answerer_is_staff: bool
    acknowledged: bool


@dataclass(frozen=True, slots=True)
class MemberFact:
    """What is stored of a member (no text)."""

    user_id: str
    name: str | None
    is_staff: bool
    joined_at: float | None
    left_at: float | None
    first_seen_at: float | None
    seen_in_catchup: bool



async def question_facts(
    conn: AsyncConnection, scope: Scope, since: float, until: float
) -> list[QuestionFact]:
    """Live questions asked in [since, until)."""
    rows = await fetch_tuples(
        conn,
        select(
            m.c.id,
            m.c.channel,
            m.c.author,
            m.c.ts,
            m.c.first_peer_answer_ts,
            m.c.first_staff_answer_ts,
        ).where(
            in_scope(m, scope),
            m.c.is_question == true(),
            m.c.ts >= since,
            m.c.ts < until,
            m.c.deleted == false(),
        ),
    )
    return list(map(QuestionFact._make, rows))


async def answer_facts(
    conn: AsyncConnection, scope: Scope, since: float, until: float,
    involving: str | None = None,
) -> list[AnswerFact]:
    """Counted answers given in [since, until) to live questions by someone else (only those
    ``involving`` a member as answerer or asker, when given)."""
    query = select(
        a.c.question_id,
        a.c.answerer,
        a.c.asker,
        a.c.question_ts,
        a.c.ts,
        a.c.answerer_is_staff,
        a.c.acknowledged,
    ).where(
        in_scope(a, scope),
        a.c.ts >= since,
        a.c.ts < until,
        a.c.active == true(),
        a.c.answerer != a.c.asker,
    )
    if involving is not None:
        query = query.where(or_(a.c.answerer == involving, a.c.asker == involving))
    rows = await fetch_tuples(conn, query)
    if conn.dialect.name == "sqlite":  # booleans come back as 0/1
        return [AnswerFact(q, h, k, qts, ts, staff == 1, ack == 1)
                for q, h, k, qts, ts, staff, ack in rows]
    return list(map(AnswerFact._make, rows))


async def active_users(conn: AsyncConnection, scope: Scope, since: float, until: float
                       ) -> set[str]:
    """Humans who posted in [since, until): whole days from the daily rollup, the partial
    days at either end from the messages themselves; one query, the database keeping each
    member once (a month of rollup rows is ten times as many as the members in it)."""
    first_day = int(-(-since // DAY))  # first whole day starting at or after since
    last_day = int(until // DAY)  # whole days end before this one
    parts: list[Select[tuple[str]]] = []
    if first_day < last_day:
        parts.append(select(d.c.user_id).where(
            in_scope(d, scope), d.c.day >= first_day, d.c.day < last_day))
        edges = [(since, first_day * DAY), (last_day * DAY, until)]
    else:
        edges = [(since, until)]
    parts.extend(select(m.c.author).where(in_scope(m, scope), m.c.ts >= start, m.c.ts < end)
                 for start, end in edges if end > start)
    if not parts:
        return set()
    query = parts[0].distinct() if len(parts) == 1 else union(*parts)
    return {row[0] for row in await fetch_tuples(conn, query)}


async def active_users_by_day(conn: AsyncConnection, scope: Scope, first_day: int,
                              last_day: int) -> dict[int, set[str]]:
    """Per whole day in [first_day, last_day) (days since 1970-01-01 UTC), the humans who
    posted that day (days nobody posted are missing)."""
    rows = await fetch_tuples(conn, select(d.c.day, d.c.user_id).where(
        in_scope(d, scope), d.c.day >= first_day, d.c.day < last_day))
    out: dict[int, set[str]] = {}
    for day, user in rows:
        found = out.get(day)
        if found is None:
            out[day] = {user}
        else:
            found.add(user)
    return out


def arrived(since: float, until: float) -> ColumnElement[bool]:
    """Members who joined, or (no join known, not met in a catch-up) first posted, in
    [since, until): the new members of a period."""
    joined = and_(mem.c.joined_at >= since, mem.c.joined_at < until)
    first_post = and_(
        mem.c.joined_at.is_(None),
        mem.c.seen_in_catchup == false(),
        mem.c.first_seen_at >= since,
        mem.c.first_seen_at < until,
    )
    return or_(joined, first_post)


async def new_members(conn: AsyncConnection, scope: Scope, since: float, until: float) -> int:
    """Members who joined, or first posted, in [since, until)."""
    query = select(func.count()).where(in_scope(mem, scope), arrived(since, until))
    return int((await conn.execute(query)).scalar_one())


async def join_dates(conn: AsyncConnection, scope: Scope) -> dict[str, float | None]:
    """When each stored member joined (``None``: not known)."""
    query = select(mem.c.user_id, mem.c.joined_at).where(in_scope(mem, scope))
    return dict(await fetch_tuples(conn, query))


async def member_facts(
    conn: AsyncConnection, scope: Scope, users: set[str] | None = None
) -> dict[str, MemberFact]:
    """Stored members (all, or those in ``users``)."""
    query = select(
        mem.c.user_id,
        mem.c.name,
        mem.c.is_staff,
        mem.c.joined_at,
        mem.c.left_at,
        mem.c.first_seen_at,
        mem.c.seen_in_catchup,
    ).where(in_scope(mem, scope))
    if users is not None and len(users) <= 500:
        query = query.where(mem.c.user_id.in_(sorted(users)))
    out: dict[str, MemberFact] = {}
    for user, name, staff, joined, left, first, catchup in await fetch_tuples(conn, query):
        if users is None or user in users:
            out[user] = MemberFact(user, name, bool(staff), joined, left, first, bool(catchup))
    return out


def count_peer_answers(answers: Iterable[AnswerFact]) -> dict[str, int]:
    """Per peer helper, the questions they answered (one answer a question), from the
    counted answers of a period (``answer_facts``): the one definition of a peer answer."""
    answered: dict[str, set[str]] = {}
    for x in answers:
        if not x.answerer_is_staff:
            found = answered.get(x.answerer)
            if found is None:
                answered[x.answerer] = {x.question_id}
            else:
                found.add(x.question_id)
    return {helper: len(questions) for helper, questions in answered.items()}


async def open_questions(
    conn: AsyncConnection, scope: Scope, since: float, until: float, now: float
) -> list[tuple[QuestionFact, str | None]]:
    """Questions asked in [since, until) with no answer yet, oldest first, with their excerpt
    while it is retained."""
    e = schema.excerpts
    rows = await conn.execute(
        select(
            m.c.id,
            m.c.channel,
            m.c.author,
            m.c.ts,
            m.c.first_peer_answer_ts,
            m.c.first_staff_answer_ts,
            e.c.text,
        )
        .select_from(
            m.outerjoin(
                e,
                and_(
                    e.c.platform == m.c.platform,
                    e.c.community == m.c.community,
                    e.c.message_id == m.c.id,
                    e.c.expires_at > now,
                ),
            )
        )
        .where(
            in_scope(m, scope),
            m.c.is_question == true(),
            m.c.deleted == false(),
            m.c.ts >= since,
            m.c.ts < until,
            m.c.first_peer_answer_ts.is_(None),
            m.c.first_staff_answer_ts.is_(None),
        )
        .order_by(m.c.ts)
    )
    return [(QuestionFact(*row[:6]), row[6]) for row in rows]


async def communities(conn: AsyncConnection) -> list[Scope]:
    """Every community with stored members or messages."""
    rows = await conn.execute(
        union(select(mem.c.platform, mem.c.community), select(m.c.platform, m.c.community))
    )
    return sorted(Scope(p, c) for p, c in rows)
