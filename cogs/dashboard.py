"""``/circle dashboard``: a staff member's private, signed link to the web dashboard."""

from __future__ import annotations

from bot.dashboard.server import link
from bot.features import Cog, Command, CommandContext, Reply


class DashboardCog(Cog):
    def commands(self) -> list[Command]:
        return [Command("dashboard", "A private link to this community's web dashboard "
                        "(staff; it expires, and opens this community only).", self.dashboard,
                        staff_only=True)]

    async def dashboard(self, ctx: CommandContext) -> Reply:
        """Reply privately with a signed, expiring link for this community."""
        settings = ctx.runtime.dashboard
        url = link(await ctx.runtime.store.dashboard_key(), settings, ctx.scope,
                   now=ctx.runtime.now())
        minutes = settings.link_ttl_minutes
        return Reply(
            title="Your dashboard link",
            text=f"Open it within {minutes:g} minutes; it then keeps you signed in for "
                 f"{settings.session_hours:g} hours, for this community only. It is yours: "
                 "do not share it.",
            lines=[url], public=False)
