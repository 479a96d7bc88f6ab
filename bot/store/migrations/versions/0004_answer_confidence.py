"""answer confidence: each stored answer keeps how sure the answer decision was

Rows from before this revision keep ``NULL`` (their confidence was never computed); the route
stays in ``via``. Answers below the credit threshold are stored too, inactive, so that later
evidence (the asker's thanks) can still lift them.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("answers", sa.Column("confidence", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("confidence")
