"""The tables, as SQLAlchemy Core metadata. Migrations (``migrations/versions``) create them.

Every row carries its platform and community. Ids are strings. Times are epoch seconds
(UTC) as floats: cheap to compare, the same in SQLite and PostgreSQL. The database keeps ids,
timestamps and derived facts; the only text is question excerpts, until ``expires_at``.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    true,
)

from bot.scope import Scope

metadata = MetaData()


def in_scope(table: Table, scope: Scope) -> ColumnElement[bool]:
    """The rows of ``table`` that belong to one community (every table has both columns)."""
    return and_(table.c.platform == scope.platform, table.c.community == scope.community)


def _scope() -> list[Column]:
    return [
        Column("platform", String(16), primary_key=True),
        Column("community", String(64), primary_key=True),
    ]


meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

members = Table(
    "members",
    metadata,
    *_scope(),
    Column("user_id", String(64), primary_key=True),
    Column("name", String(200)),
    Column("is_staff", Boolean, nullable=False, default=False),
    Column("joined_at", Float),
    Column("left_at", Float),
    Column("first_seen_at", Float),
    Column("last_seen_at", Float),
    # first seen in an initial history catch-up: never a newcomer
    Column("seen_in_catchup", Boolean, nullable=False, default=False),
)

messages = Table(
    "messages",
    metadata,
    *_scope(),
    Column("id", String(96), primary_key=True),
    Column("channel", String(64), nullable=False),
    Column("thread", String(96)),
    Column("reply_to", String(96)),
    Column("parent", String(96)),  # the message it responds to, as linked
    Column("author", String(64), nullable=False),
    Column("ts", Float, nullable=False),
    Column("author_is_staff", Boolean, nullable=False, default=False),
    Column("is_question", Boolean, nullable=False, default=False),
    Column("not_question", Boolean, nullable=False, default=False),  # a staff correction
    Column("deleted", Boolean, nullable=False, default=False),
    # for questions: the first answer by a peer and by staff (kept up to date by the store)
    Column("first_peer_answer_ts", Float),
    Column("first_staff_answer_ts", Float),
)
# The report indexes cover every column their queries read: a month of facts is read from
# the index alone (migration 0003).
Index("ix_messages_ts", messages.c.platform, messages.c.community, messages.c.ts,
      messages.c.author)
Index(
    "ix_messages_questions",
    messages.c.platform, messages.c.community, messages.c.is_question, messages.c.ts,
    messages.c.deleted, messages.c.id, messages.c.channel, messages.c.author,
    messages.c.first_peer_answer_ts, messages.c.first_staff_answer_ts,
    sqlite_where=messages.c.is_question == true(),
    postgresql_where=messages.c.is_question == true(),
)

answers = Table(
    "answers",
    metadata,
    *_scope(),
    Column("question_id", String(96), primary_key=True),
    Column("answer_id", String(96), primary_key=True),
    Column("answerer", String(64), nullable=False),
    Column("asker", String(64), nullable=False),
    Column("question_ts", Float, nullable=False),
    Column("ts", Float, nullable=False),
    # the route: reply, thread, forum, mention, implicit, mark
    Column("via", String(16), nullable=False),
    Column("answerer_is_staff", Boolean, nullable=False, default=False),
    # false: below the credit threshold (linked, credits nobody), unmarked or deleted
    Column("active", Boolean, nullable=False, default=True),
    Column("acknowledged", Boolean, nullable=False, default=False),
    # the answer decision's confidence (1: marked, 0: unmarked or deleted; null: older rows)
    Column("confidence", Float),
)
Index("ix_answers_ts", answers.c.platform, answers.c.community, answers.c.ts, answers.c.active,
      answers.c.question_id, answers.c.answerer, answers.c.asker, answers.c.question_ts,
      answers.c.answerer_is_staff, answers.c.acknowledged)
Index("ix_answers_question", answers.c.platform, answers.c.community, answers.c.question_id,
      answers.c.answerer)
Index("ix_answers_answer", answers.c.platform, answers.c.community, answers.c.answer_id)
Index("ix_answers_answerer", answers.c.platform, answers.c.community, answers.c.answerer)
Index("ix_answers_asker", answers.c.platform, answers.c.community, answers.c.asker)

acks = Table(
    "acks",
    metadata,
    *_scope(),
    Column("source", String(200), primary_key=True),  # what acknowledged: unique per act
    Column("question_id", String(96), nullable=False),
    Column("helper", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),  # who acknowledged
    Column("ts", Float, nullable=False),
)
Index("ix_acks_question", acks.c.platform, acks.c.community, acks.c.question_id)
Index("ix_acks_user", acks.c.platform, acks.c.community, acks.c.user_id)
Index("ix_acks_helper", acks.c.platform, acks.c.community, acks.c.helper)

activity_days = Table(
    "activity_days",
    metadata,
    *_scope(),
    Column("user_id", String(64), primary_key=True),
    Column("day", Integer, primary_key=True),  # days since 1970-01-01 UTC
    Column("messages", Integer, nullable=False, default=0),
)
Index("ix_activity_day", activity_days.c.platform, activity_days.c.community,
      activity_days.c.day, activity_days.c.user_id)

excerpts = Table(
    "excerpts",
    metadata,
    *_scope(),
    Column("message_id", String(96), primary_key=True),
    Column("text", String(200), nullable=False),
    Column("expires_at", Float, nullable=False),
)
Index("ix_excerpts_expiry", excerpts.c.expires_at)

corrections = Table(
    "corrections",
    metadata,
    *_scope(),
    Column("id", String(200), primary_key=True),
    Column("kind", String(16), nullable=False),  # mark, unmark, not_question
    Column("target", String(96), nullable=False),
    Column("question_id", String(96)),
    Column("user_id", String(64), nullable=False),
    Column("ts", Float, nullable=False),
)

settings = Table(
    "settings",
    metadata,
    *_scope(),
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),  # JSON
    Column("updated_by", String(64)),
    Column("updated_at", Float),
)

privacy = Table(
    "privacy",
    metadata,
    *_scope(),
    Column("user_hash", String(64), primary_key=True),  # HMAC of the user id
    Column("state", String(16), nullable=False),  # opted_out, forgotten
    Column("since", Float, nullable=False),
)

channel_cursors = Table(
    "channel_cursors",
    metadata,
    *_scope(),
    Column("channel", String(96), primary_key=True),
    Column("last_ts", Float, nullable=False),  # newest message seen (catch-up resumes here)
    Column("last_id", String(96)),
)

channels = Table(
    "channels",
    metadata,
    *_scope(),
    Column("channel", String(96), primary_key=True),
    Column("name", String(200), nullable=False),  # as the platform shows it, without '#'
)

# -- weekly rhythm and privacy

weekly_runs = Table(
    "weekly_runs",
    metadata,
    *_scope(),
    # the reported week: its local Monday (YYYY-MM-DD) in the community's timezone
    Column("week_start", String(10), primary_key=True),
    Column("kind", String(16), primary_key=True),  # post, digest
    Column("claimed_by", String(64), nullable=False),  # the bot process that won the claim
    Column("claimed_at", Float, nullable=False),
    Column("done_at", Float),
    Column("result", String(200)),  # the posted message id, or what was sent
)

nominations = Table(
    "nominations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("community", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("source", String(16), nullable=False),  # weekly, manual
    Column("week_start", String(10)),  # weekly nominations: the week they are for
    Column("reason", String(500)),
    Column("score", Float),
    Column("nominated_by", String(64)),
    Column("created_at", Float, nullable=False),
    Column("state", String(16), nullable=False),  # pending, approved, declined, withdrawn
    Column("decided_by", String(64)),
    Column("decided_at", Float),
    Column("outcome", String(500)),  # what granting the reward did
    UniqueConstraint("platform", "community", "week_start", "user_id",
                     name="uq_nominations_week_user"),
)
Index("ix_nominations_user", nominations.c.platform, nominations.c.community,
      nominations.c.user_id)

alerts_sent = Table(
    "alerts_sent",
    metadata,
    *_scope(),
    Column("kind", String(16), primary_key=True),  # unanswered
    Column("key", String(96), primary_key=True),  # what was alerted (a question id)
    Column("sent_at", Float, nullable=False),
)
Index("ix_alerts_sent_at", alerts_sent.c.sent_at)

# A history read beyond catch-up (``/circle backfill``), one per community at a time: what
# was asked, and (below) the channels and threads already read, so a restart resumes it.
backfills = Table(
    "backfills",
    metadata,
    *_scope(),
    Column("days", Integer, nullable=False),
    Column("since_ts", Float, nullable=False),  # read back to here
    Column("requested_by", String(64)),  # who to tell when done (cleared when done)
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("messages", Integer, nullable=False, default=0),
)

backfill_places = Table(
    "backfill_places",
    metadata,
    *_scope(),
    Column("place", String(200), primary_key=True),  # a channel, or "channel/thread"
)
