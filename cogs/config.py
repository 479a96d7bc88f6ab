"""``/circle config``: per-community settings (staff)."""

from __future__ import annotations

from bot.features import Cog


class ConfigCog(Cog):
    pass
