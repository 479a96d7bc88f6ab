"""``/circle privacy``: each member about themselves."""

from __future__ import annotations

from bot.features import Cog


class PrivacyCog(Cog):
    pass
