"""``/circle backfill days:N``: read the community's history further back than catch-up."""

from __future__ import annotations

from bot.backfill import MAX_DAYS, BackfillPlatform
from bot.features import Cog, Command, CommandContext, Option, Reply, UsageError


class BackfillCog(Cog):
    def commands(self) -> list[Command]:
        return [Command(
            "backfill", "Read the last N days of history through the platform (staff): "
            "channels, threads and forum posts; progress here, a DM when done.",
            self.backfill, (Option("days", "int", f"How many days back (1 to {MAX_DAYS}).",
                                   required=True),), staff_only=True)]

    async def backfill(self, ctx: CommandContext, days: int) -> Reply:
        """Start a backfill of ``days`` days for this community."""
        if not 1 <= days <= MAX_DAYS:
            raise UsageError(f"days must be between 1 and {MAX_DAYS}")
        platform = ctx.platform
        if not isinstance(platform, BackfillPlatform):
            raise UsageError("backfill is not available on this platform")
        started = await platform.start_backfill(ctx.scope, days, ctx.invoker.user)
        if isinstance(started, str):
            raise UsageError(started)
        return Reply(title=f"Backfill of {days} days started",
                     text="Reading channels, threads and forum posts; this message shows "
                          "the progress and I will send you a message when it is done.",
                     updates=started)
