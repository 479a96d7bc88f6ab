"""Queries of the weekly rhythm: posted weeks, nominations, rewards (see ``cogs.weekly``)."""

from __future__ import annotations

from bot.store.database import Database


class WeeklyQueries(Database):
    """Mixed into ``Store``."""
