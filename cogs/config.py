"""``/circle config``: shows and changes this community's settings (staff)."""

from __future__ import annotations

from bot.features import Cog, Command, CommandContext, Field, Option, Reply, UsageError
from bot.weekly import settings_edit as edit
from cogs.weekly import reschedule

SCHEDULE_KEYS = {"report_channel", "report_weekday", "report_hour", "timezone", "moderators"}


class ConfigCog(Cog):
    def commands(self) -> list[Command]:
        return [Command(
            "config", "Show or change this community's settings: `/circle config` lists them, "
            "`/circle config <key>` shows one, `/circle config <key> <value>` changes it "
            "(lists comma or space separated; `default` restores the default).",
            self.config,
            (Option("key", "text", "The setting, e.g. report_channel or moderators."),
             Option("value", "text", "The new value, or `default`.")),
            staff_only=True)]

    async def config(self, ctx: CommandContext, key: str | None, value: str | None) -> Reply:
        """Staff: show or change a per-community setting."""
        runtime = ctx.runtime
        defaults = runtime.defaults
        overrides = await runtime.store.settings_overrides(ctx.scope)
        if key is None:
            current = await runtime.community_settings(ctx.scope)
            lines = [f"{name}: {edit.shown(getattr(current, name))}"
                     + (" (changed here)" if name in overrides else "")
                     for name in edit.setting_names()]
            return Reply(title="Settings of this community", lines=lines,
                         footer="Change one with /circle config <key> <value>.")
        try:
            name = edit.check_key(key)
            if value is None:
                current = await runtime.community_settings(ctx.scope)
                return Reply(title=f"Setting {name}", fields=[
                    Field("Value", edit.shown(getattr(current, name))),
                    Field("Default", edit.shown(getattr(defaults, name)))])
            if value.strip().lower() in edit.RESET_WORDS:
                await runtime.change_setting(ctx.scope, name, None, ctx.invoker.user)
                changed = defaults.with_overrides(
                    {k: v for k, v in overrides.items() if k != name})
                verb = "restored to its default"
            else:
                changed = edit.validated(defaults, overrides, name, edit.parse_value(name, value))
                await runtime.change_setting(ctx.scope, name, getattr(changed, name),
                                             ctx.invoker.user)
                verb = "changed"
        except edit.SettingError as error:
            raise UsageError(str(error)) from None
        await reschedule(runtime, ctx.scope)
        footer = ""
        scheduler = runtime.scheduler
        if name in SCHEDULE_KEYS and scheduler is not None:
            upcoming = scheduler.next_weekly_run(ctx.scope)
            footer = (f"Next weekly post: {upcoming:%Y-%m-%d %H:%M %Z}." if upcoming
                      else "No weekly post is scheduled.")
        return Reply(title=f"Setting {name} {verb}",
                     text=f"{name}: {edit.shown(getattr(changed, name))}", footer=footer,
                     tone="good")
