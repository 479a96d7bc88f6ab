"""``/circle status`` and ``/circle help``."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.features import Cog, Command, CommandContext, Field, Job, Reply
from bot.services import Services
from bot.undelivered import scrub

PURGE_EVERY_S = 3600


class AdminCog(Cog):
    def commands(self) -> list[Command]:
        return [
            Command("status", "What is watched, missing permissions, the last event seen.",
                    self.status),
            Command("help", "What every /circle command does.", self.help),
        ]

    def jobs(self) -> list[Job]:
        return [Job("purge-expired-text", purge_expired_text, every_s=PURGE_EVERY_S)]

    async def status(self, ctx: CommandContext) -> Reply:
        """The bot's view of this community."""
        settings = await ctx.runtime.community_settings(ctx.scope)
        last = ctx.runtime.engine.last_event_at.get(ctx.scope)
        seen = (datetime.fromtimestamp(last, UTC).strftime("%Y-%m-%d %H:%M UTC")
                if last else "none since start")
        watched = ", ".join(settings.watched_channels) or "all channels the bot can read"
        fields = [Field("Watching", watched, inline=False),
                  Field("Excluded", ", ".join(settings.excluded_channels) or "none"),
                  Field("Last event", seen),
                  Field("Report channel", settings.report_channel or "not set")]
        lines = await ctx.platform.describe_status(ctx.scope)
        return Reply(title="Innercircle status", fields=fields, lines=lines)

    async def help(self, ctx: CommandContext) -> Reply:
        """Every command, from the docstrings-as-help each cog declares."""
        lines = []
        for name, command in ctx.runtime.commands.items():
            if command.staff_only and not ctx.invoker.is_staff:
                continue
            args = " ".join(f"<{o.name}>" if o.required else f"[{o.name}]"
                            for o in command.options if o.name != "public")
            staff = " (staff)" if command.staff_only else ""
            lines.append(f"/circle {name} {args}".rstrip() + f"{staff} – {command.help}")
        actions = ", ".join(f"“{a.name}”" + (" (staff)" if a.staff_only else "")
                            for a in ctx.runtime.actions.values())
        lines.append(f"On a message: {actions}.")
        return Reply(title="Innercircle commands",
                     text="Add `public` (Slack) or `public: true` (Discord) to show an answer "
                          "to everyone.", lines=lines)


async def purge_expired_text(runtime: Services) -> None:
    """Question excerpts are deleted once their retention ends (DESIGN.md's privacy rules)."""
    await runtime.store.purge_expired_excerpts(runtime.now())
    kept = runtime.engine.delivery.undelivered
    if kept is not None:
        scrub(kept, now=runtime.now(),
              retention_s=runtime.defaults.text_retention_hours * 3600)
