"""Privacy operations: opt-out, opt-in, export and forget (DESIGN.md's rules)."""

from __future__ import annotations

from bot.store.database import Database


class PrivacyQueries(Database):
    """Mixed into ``Store``."""
