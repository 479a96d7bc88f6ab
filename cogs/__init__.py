"""Features. Each cog is written once and serves Discord and Slack alike."""

from __future__ import annotations

from bot.features import Cog
from cogs.admin import AdminCog
from cogs.backfill import BackfillCog
from cogs.config import ConfigCog
from cogs.dashboard import DashboardCog
from cogs.health import HealthCog
from cogs.helpers import HelpersCog
from cogs.privacy import PrivacyCog
from cogs.questions import QuestionsCog
from cogs.rewards import RewardsCog
from cogs.weekly import WeeklyCog


def all_cogs() -> list[Cog]:
    """Every feature, in the order ``/circle help`` lists them."""
    return [HealthCog(), HelpersCog(), QuestionsCog(), WeeklyCog(), RewardsCog(), ConfigCog(),
            PrivacyCog(), DashboardCog(), BackfillCog(), AdminCog()]
