"""Discord interactions: ``/circle`` commands, message context menus and button presses,
each acknowledged at once (Discord's 3-second limit) and answered with the runtime's reply."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.features import Invoker, Reply, error_reply, relay_updates
from bot.platforms import discord_events as conv
from bot.platforms.discord_escape import allowed_mentions
from bot.platforms.discord_events import Place, scope_of
from bot.platforms.discord_platform import DiscordPlatform
from bot.platforms.discord_render import for_dm, render
from bot.scope import Scope
from bot.staff import StaffRule

log = logging.getLogger(__name__)

#: A button pressed in a DM carries its community: "<guild id>/<action>".
DM_ACTION = re.compile(r"(\d{5,22})/(.+)", re.DOTALL)
PROGRESS_EVERY_S = 5.0  # at most one edit of a progress reply this often


class DiscordInteractions(DiscordPlatform):
    """The interaction handlers of ``DiscordAdapter`` (a part of it, by job); they answer
    as the platform they are part of."""

    if TYPE_CHECKING:  # the adapter's
        async def place(self, channel: object, channel_id: int | None = None) -> Place: ...

        def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> None: ...

    async def _invoker(self, user: discord.User | discord.Member, scope: Scope,
                       permissions: discord.Permissions | None = None) -> Invoker:
        settings = await self.runtime.community_settings(scope)
        member: object = user
        if not isinstance(user, discord.Member):
            guild = self.client.get_guild(int(scope.community))
            member = guild.get_member(user.id) if guild is not None else user
        staff = conv.is_staff_member(member, StaffRule(settings)) or bool(
            permissions is not None and (permissions.manage_guild or permissions.administrator))
        return Invoker(str(user.id), getattr(user, "display_name", None), staff)

    async def _defer(self, interaction: discord.Interaction, *, ephemeral: bool) -> bool:
        try:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
            return True
        except discord.HTTPException as error:  # expired (over 3 s) or already answered
            log.warning("could not acknowledge an interaction: %s", error)
            return False

    async def _answer(self, interaction: discord.Interaction, reply: Reply, *,
                      ephemeral: bool) -> None:
        rendered = render(reply)
        try:
            await interaction.followup.send(ephemeral=ephemeral, **rendered.send_kwargs())  # type: ignore[call-overload]
        except discord.HTTPException as error:
            log.warning("could not answer an interaction: %s", error)
        if reply.updates is not None:
            async def edit(update: Reply) -> bool:
                try:  # an interaction's token lasts 15 minutes
                    await interaction.edit_original_response(embed=render(update).embed)
                except discord.HTTPException:
                    return False
                return True

            self._spawn(relay_updates(reply.updates, edit, every_s=PROGRESS_EVERY_S),
                        "progress")

    async def run_command(self, interaction: discord.Interaction, name: str,
                          args: dict[str, Any]) -> None:
        """``/circle <name>``: defer at once (3 s limit), run, answer with a follow-up."""
        public = bool(args.get("public"))
        if not await self._defer(interaction, ephemeral=not public):
            return
        if interaction.guild_id is None:
            reply = error_reply("Use `/circle` in a server.")
        else:
            scope = scope_of(interaction.guild_id)
            invoker = await self._invoker(interaction.user, scope, interaction.permissions)
            place = await self.place(interaction.channel, interaction.channel_id)
            reply = await self.runtime.run_command(self, scope, invoker, name, args,
                                                   place.channel or None)
        await self._answer(interaction, reply, ephemeral=not public)

    async def run_action(self, interaction: discord.Interaction, callback_id: str,
                         message: discord.Message) -> None:
        """A message context menu ("Mark as answer")."""
        if not await self._defer(interaction, ephemeral=True):
            return
        if interaction.guild_id is None:
            reply = error_reply("This works on messages in a server.")
        else:
            scope = scope_of(interaction.guild_id)
            invoker = await self._invoker(interaction.user, scope, interaction.permissions)
            place = await self.place(message.channel, message.channel.id)
            reply = await self.runtime.run_message_action(self, scope, invoker, callback_id,
                                                          str(message.id), place.channel or None)
        await self._answer(interaction, reply, ephemeral=True)

    def _button_scope(self, interaction: discord.Interaction, custom_id: str
                      ) -> tuple[Scope | None, str]:
        """The community and neutral action of a pressed button."""
        if interaction.guild_id is not None:
            return scope_of(interaction.guild_id), custom_id
        match = DM_ACTION.fullmatch(custom_id)
        if match is not None:
            return scope_of(match.group(1)), match.group(2)
        guilds = self.client.guilds
        if len(guilds) == 1:
            return scope_of(guilds[0].id), custom_id
        return None, custom_id

    async def handle_button(self, interaction: discord.Interaction) -> None:
        """Any button press, even on a message sent before a restart."""
        data: Any = interaction.data or {}
        custom_id = data.get("custom_id")
        if not isinstance(custom_id, str) or data.get("component_type") != 2:
            return
        scope, action = self._button_scope(interaction, custom_id)
        try:
            await interaction.response.defer()
        except discord.HTTPException as error:
            log.warning("could not acknowledge a button press: %s", error)
            return
        if scope is None:
            reply = error_reply("I could not tell which server this button belongs to.")
        else:
            invoker = await self._invoker(interaction.user, scope, interaction.permissions
                                          if interaction.guild_id is not None else None)
            reply = await self.runtime.press_button(self, scope, invoker, action)
        try:
            if reply.tone == "error":
                rendered = render(reply)
                await interaction.followup.send(ephemeral=True, **rendered.send_kwargs())  # type: ignore[call-overload]
            else:
                rendered = render(for_dm(reply, scope) if interaction.guild_id is None
                                  and scope is not None else reply)
                await interaction.edit_original_response(
                    embed=rendered.embed, attachments=rendered.files, view=rendered.view,
                    allowed_mentions=allowed_mentions(rendered.notify))
        except discord.HTTPException as error:
            log.warning("could not answer a button press: %s", error)

    async def _on_tree_error(self, interaction: discord.Interaction,
                             error: app_commands.AppCommandError) -> None:
        log.error("a Discord command failed: %s", error, exc_info=error)
        reply = error_reply("Something went wrong on our side; it has been logged.")
        with contextlib.suppress(discord.HTTPException):
            if interaction.response.is_done():
                await self._answer(interaction, reply, ephemeral=True)
            else:
                await interaction.response.send_message(embed=render(reply).embed,
                                                        ephemeral=True,
                                                        allowed_mentions=allowed_mentions())
