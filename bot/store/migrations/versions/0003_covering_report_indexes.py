"""covering indexes for the reports

The health and helpers reports read a week or a month of questions, answers and activity;
these indexes hold every column those queries read, so they never touch the tables.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NEW = {
    "messages": {
        "ix_messages_ts": ["platform", "community", "ts", "author"],
        "ix_messages_questions": ["platform", "community", "is_question", "ts", "deleted", "id",
                                  "channel", "author", "first_peer_answer_ts",
                                  "first_staff_answer_ts"],
    },
    "answers": {
        "ix_answers_ts": ["platform", "community", "ts", "active", "question_id", "answerer",
                          "asker", "question_ts", "answerer_is_staff", "acknowledged"],
    },
    "activity_days": {
        "ix_activity_day": ["platform", "community", "day", "user_id"],
    },
}
OLD = {
    "messages": {
        "ix_messages_ts": ["platform", "community", "ts"],
        "ix_messages_questions": ["platform", "community", "is_question", "ts"],
    },
    "answers": {"ix_answers_ts": ["platform", "community", "ts"]},
    "activity_days": {"ix_activity_day": ["platform", "community", "day"]},
}


def _replace(indexes: dict[str, dict[str, list[str]]]) -> None:
    for table, by_name in indexes.items():
        for name, columns in by_name.items():
            op.drop_index(name, table_name=table)
            op.create_index(name, table, columns)


def upgrade() -> None:
    _replace(NEW)
    # Only questions need the wide index: most messages are not questions.
    op.drop_index("ix_messages_questions", table_name="messages")
    op.create_index("ix_messages_questions", "messages",
                    NEW["messages"]["ix_messages_questions"],
                    sqlite_where=sa.text("is_question = 1"),
                    postgresql_where=sa.text("is_question"))
    # Nothing reads messages by author alone; privacy re-keying may scan.
    op.drop_index("ix_messages_author", table_name="messages")
    # Without statistics SQLite would pick the wide ts index for per-question updates.
    op.create_index("ix_answers_question", "answers",
                    ["platform", "community", "question_id", "answerer"])


def downgrade() -> None:
    op.create_index("ix_messages_author", "messages", ["platform", "community", "author"])
    op.drop_index("ix_answers_question", table_name="answers")
    _replace(OLD)
