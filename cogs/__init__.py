"""Features. Each cog is written once and serves Discord and Slack alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features import Cog
    from bot.runtime import Runtime


def load_cogs(runtime: Runtime) -> list[Cog]:
    """Every feature, in the order ``/circle help`` lists them."""
    from cogs.admin import AdminCog
    from cogs.health import HealthCog
    from cogs.helpers import HelpersCog
    from cogs.questions import QuestionsCog

    cogs: list[Cog] = [HealthCog(runtime), HelpersCog(runtime), QuestionsCog(runtime)]
    try:  # the weekly-rhythm features, when present
        from cogs.weekly import weekly_cogs
    except ImportError:
        pass
    else:
        cogs.extend(weekly_cogs(runtime))
    cogs.append(AdminCog(runtime))
    return cogs
