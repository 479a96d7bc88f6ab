"""The store: the only place with SQL. SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

import time
from typing import Any

from bot.scope import Scope
from bot.store import community, credit_reads, metric_reads, reads
from bot.store.backfills import BackfillJob, BackfillQueries
from bot.store.credit_reads import CreditRow
from bot.store.dashboard_reads import DashboardQueries
from bot.store.database import Database, analyze
from bot.store.facts import AnswerInfo, FactBatch, MessageInfo
from bot.store.metric_reads import AnswerFact, MemberFact, QuestionFact
from bot.store.privacy_ops import PrivacyQueries
from bot.store.reaction_reads import ReactionQueries
from bot.store.weekly import WeeklyQueries
from bot.store.writes import purge_expired_excerpts, write_batch

__all__ = ["AnswerFact", "BackfillJob", "CreditRow", "MemberFact", "QuestionFact", "Store"]

INGEST_TABLES = ("messages", "answers", "acks", "activity_days", "members", "excerpts")
ANALYZE_EVERY = 5000  # messages written (at least) between two ANALYZE on PostgreSQL


class Store(WeeklyQueries, PrivacyQueries, DashboardQueries, BackfillQueries, ReactionQueries,
            Database):
    """Every read and write the bot makes, as readable async methods."""

    @classmethod
    async def open(cls, url: str, *, sqlite_cache_kib: int | None = None) -> Store:
        """Open (and migrate) the database at ``url`` (a file path or a database URL).
        ``sqlite_cache_kib``: SQLite's page cache per connection (bulk imports; ``None``:
        SQLite's default)."""
        engine, secret = await cls.open_engine(url, sqlite_cache_kib)
        store = cls(engine, secret)
        # Whatever command opens the database, expired question text goes first.
        await store.purge_expired_excerpts(time.time())
        return store

    # -- ingest --------------------------------------------------------------------
    async def write(self, batch: FactBatch) -> int:
        """Write ``batch`` in one transaction; how many acknowledgements were new."""
        since = batch.health_changed_since()  # before the write adds what it touched
        async with self.engine.begin() as conn:
            if self.dialect == "sqlite":  # take the write lock first (see write_batch)
                await conn.exec_driver_sql("BEGIN IMMEDIATE")
            new_acks = await write_batch(conn, batch)
        if since != float("inf"):
            self.changed(batch.scope, since)
        # Keep PostgreSQL's statistics in step with a fast-growing table (autovacuum's
        # analyze comes a minute late: long enough for a catch-up to hit a bad plan).
        self.written += len(batch.messages)
        if self.written - self.analyzed_at >= max(ANALYZE_EVERY, self.written // 5):
            self.analyzed_at = self.written
            await analyze(self.engine, INGEST_TABLES)
        return new_acks

    async def opt_out(self, scope: Scope, user: str, at: float) -> str:
        anon = await super().opt_out(scope, user, at)
        self.changed(scope, float("-inf"))
        return anon

    async def forget(self, scope: Scope, user: str, at: float) -> dict[str, int]:
        counts = await super().forget(scope, user, at)
        self.changed(scope, float("-inf"))
        return counts

    async def purge_expired_excerpts(self, now: float) -> int:
        """Delete question excerpts past their retention (every community)."""
        async with self.engine.begin() as conn:
            return await purge_expired_excerpts(conn, now)

    async def newest_message_ts(self, scope: Scope) -> float:
        async with self.engine.connect() as conn:
            return await reads.newest_message_ts(conn, scope)

    async def first_message_ts(self, scope: Scope) -> float | None:
        async with self.engine.connect() as conn:
            return await reads.first_message_ts(conn, scope)

    async def stored_message_ids(self, scope: Scope, ids: list[str]) -> set[str]:
        async with self.engine.connect() as conn:
            return await reads.stored_message_ids(conn, scope, ids)

    async def message_infos(self, scope: Scope, ids: list[str]) -> dict[str, MessageInfo]:
        async with self.engine.connect() as conn:
            return await reads.message_infos(conn, scope, ids)

    async def answers_by_message(self, scope: Scope, ids: list[str]) -> list[AnswerInfo]:
        async with self.engine.connect() as conn:
            return await reads.answers_by_message(conn, scope, ids)

    async def latest_answer(self, scope: Scope, helper: str, asker: str, before: float
                            ) -> AnswerInfo | None:
        async with self.engine.connect() as conn:
            return await reads.latest_answer(conn, scope, helper, asker, before)

    async def latest_open_question(self, scope: Scope, channel: str, before: float,
                                   not_by: str) -> MessageInfo | None:
        async with self.engine.connect() as conn:
            return await reads.latest_open_question(conn, scope, channel, before, not_by)

    async def linkable_questions(self, scope: Scope, channel: str, since: float, until: float
                                 ) -> list[tuple[MessageInfo, str]]:
        async with self.engine.connect() as conn:
            return await reads.linkable_questions(conn, scope, channel, since, until)

    async def threads_started(self, scope: Scope, ids: list[str], since: float) -> set[str]:
        async with self.engine.connect() as conn:
            return await reads.threads_started(conn, scope, ids, since)

    async def member_is_staff(self, scope: Scope, user: str) -> bool:
        async with self.engine.connect() as conn:
            return await reads.member_is_staff(conn, scope, user)

    async def channel_cursors(self, scope: Scope) -> dict[str, tuple[float, str | None]]:
        """Newest message seen per channel (``channel/thread`` for threads)."""
        async with self.engine.connect() as conn:
            return await reads.channel_cursors(conn, scope)

    # -- community settings and privacy -----------------------------------------------
    async def settings_overrides(self, scope: Scope) -> dict[str, Any]:
        async with self.engine.connect() as conn:
            return await community.settings_overrides(conn, scope)

    async def set_setting(self, scope: Scope, key: str, value: Any, by: str | None,
                          at: float) -> None:
        async with self.engine.begin() as conn:
            await community.set_setting(conn, scope, key, value, by, at)

    async def privacy_states(self, scope: Scope) -> dict[str, tuple[str, float]]:
        async with self.engine.connect() as conn:
            return await community.privacy_states(conn, scope)

    # -- reports -------------------------------------------------------------------
    async def question_facts(self, scope: Scope, since: float, until: float
                             ) -> list[QuestionFact]:
        async with self.engine.connect() as conn:
            return await metric_reads.question_facts(conn, scope, since, until)

    async def answer_facts(self, scope: Scope, since: float, until: float,
                           involving: str | None = None) -> list[AnswerFact]:
        async with self.engine.connect() as conn:
            return await metric_reads.answer_facts(conn, scope, since, until, involving)

    async def peer_answer_counts(self, scope: Scope, since: float, until: float
                                 ) -> dict[str, int]:
        """Per peer helper, the questions they answered in [since, until)."""
        return metric_reads.count_peer_answers(await self.answer_facts(scope, since, until))

    async def active_users(self, scope: Scope, since: float, until: float) -> set[str]:
        async with self.engine.connect() as conn:
            return await metric_reads.active_users(conn, scope, since, until)

    async def active_users_by_day(self, scope: Scope, first_day: int, last_day: int
                                  ) -> dict[int, set[str]]:
        async with self.engine.connect() as conn:
            return await metric_reads.active_users_by_day(conn, scope, first_day, last_day)

    async def active_members(self, scope: Scope, since: float, until: float) -> int:
        """How many humans posted in [since, until)."""
        return len(await self.active_users(scope, since, until))

    async def new_members(self, scope: Scope, since: float, until: float) -> int:
        async with self.engine.connect() as conn:
            return await metric_reads.new_members(conn, scope, since, until)

    async def join_dates(self, scope: Scope) -> dict[str, float | None]:
        async with self.engine.connect() as conn:
            return await metric_reads.join_dates(conn, scope)

    async def member_facts(self, scope: Scope, users: set[str] | None = None
                           ) -> dict[str, MemberFact]:
        async with self.engine.connect() as conn:
            return await metric_reads.member_facts(conn, scope, users)

    async def open_questions(self, scope: Scope, since: float, until: float, now: float
                             ) -> list[tuple[QuestionFact, str | None]]:
        async with self.engine.connect() as conn:
            return await metric_reads.open_questions(conn, scope, since, until, now)

    async def member_credits(self, scope: Scope, member: str, since: float, until: float,
                             now: float) -> list[CreditRow]:
        async with self.engine.connect() as conn:
            return await credit_reads.member_credits(conn, scope, member, since, until, now)

    async def find_members(self, scope: Scope, key: str) -> list[tuple[str, str | None]]:
        async with self.engine.connect() as conn:
            return await credit_reads.find_members(conn, scope, key)

    async def communities(self) -> list[Scope]:
        async with self.engine.connect() as conn:
            return await metric_reads.communities(conn)

    async def community_overviews(self) -> list[community.CommunityOverview]:
        async with self.engine.connect() as conn:
            return await community.community_overviews(conn)
