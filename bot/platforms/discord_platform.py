"""Discord's side of the ``Platform`` surface: posts, DMs, reward roles, mentions and links,
the set-up message on joining a server, and what ``/circle status`` says about the bot's
permissions in a server."""

from __future__ import annotations

import logging

import discord

from bot.catchup import CatchupReport
from bot.features import HistoryUnavailable, Reply
from bot.first_run import welcome_reply
from bot.platforms.discord_events import jump_url, scope_of
from bot.platforms.discord_history import (
    READ_PERMISSIONS,
    find_own_marked,
    missing,
    watched_channels,
)
from bot.platforms.discord_render import for_dm, render
from bot.runtime import Runtime
from bot.scope import Scope

log = logging.getLogger(__name__)

POST_PERMISSIONS = {"send_messages": "Send Messages", "embed_links": "Embed Links",
                    "attach_files": "Attach Files"}


class DiscordPlatform:
    """The ``Platform`` methods of ``DiscordAdapter`` (a part of it, by job)."""

    name = "discord"

    runtime: Runtime
    client: discord.Client
    catchup_reports: dict[int, CatchupReport]  # by guild id

    def mention(self, user: str) -> str:
        return f"<@{user}>"

    def message_link(self, scope: Scope, channel: str, message_id: str) -> str | None:
        """A jump link; a thread's starter message links to the thread itself."""
        where = channel
        if message_id.isdigit() and isinstance(self.client.get_channel(int(message_id)),
                                               discord.Thread):
            where = message_id
        return jump_url(scope.community, where, message_id)

    async def _messageable(self, channel: str) -> discord.abc.Messageable:
        found = self.client.get_channel(int(channel))
        if found is None:
            found = await self.client.fetch_channel(int(channel))
        if not isinstance(found, discord.abc.Messageable):
            raise TypeError(f"channel {channel} is not one the bot can post in "
                            f"({type(found).__name__})")
        return found

    async def post(self, scope: Scope, channel: str, reply: Reply) -> str | None:
        """Post ``reply`` in a channel; ``None`` (and a logged reason) when it failed."""
        try:
            target = await self._messageable(channel)
            message = await target.send(**render(reply).send_kwargs())  # type: ignore[call-overload]
            return str(message.id)
        except discord.Forbidden as error:
            log.warning("cannot post in channel %s of %s: missing permission (Send Messages, "
                        "Embed Links, Attach Files): %s", channel, scope, error.text)
        except discord.NotFound:
            log.warning("cannot post in channel %s of %s: the channel no longer exists",
                        channel, scope)
        except (discord.HTTPException, TypeError, ValueError) as error:
            log.warning("cannot post in channel %s of %s: %s", channel, scope, error)
        return None

    async def find_marked(self, scope: Scope, channel: str, marker: str, since: float
                          ) -> str | None:
        """The bot's own message carrying ``marker`` in the channel since ``since``."""
        me = self.client.user
        if me is None:
            raise HistoryUnavailable("not connected to Discord")
        try:
            target = await self._messageable(channel)
        except (discord.HTTPException, TypeError, ValueError) as error:
            raise HistoryUnavailable(f"channel {channel}: {error}") from None
        found = await find_own_marked(target, me.id, marker, since)
        return None if found is None else str(found)

    async def send_dm(self, scope: Scope, user: str, reply: Reply) -> bool:
        """DM a member; False (and a logged reason) when Discord refuses."""
        try:
            target = self.client.get_user(int(user)) or await self.client.fetch_user(int(user))
            channel = target.dm_channel or await target.create_dm()
            await channel.send(**render(for_dm(reply, scope)).send_kwargs())  # type: ignore[call-overload]
            return True
        except discord.Forbidden as error:
            log.warning("DM to %s (%s) refused (403, code %s): %s — they may have closed "
                        "DMs from server members", user, scope, error.code, error.text)
        except discord.NotFound:
            log.warning("DM to %s (%s) impossible: no such user", user, scope)
        except (discord.HTTPException, ValueError) as error:
            log.warning("DM to %s (%s) failed: %s", user, scope, error)
        return False

    async def grant_reward(self, scope: Scope, user: str, reward: str | None) -> str:
        """Add the reward role (by name or id); says what was done, or why not."""
        if not reward:
            return "No reward role is configured (`reward_role`)."
        guild = self.client.get_guild(int(scope.community))
        if guild is None:
            return "The bot is not in this server any more."
        role = self._role(guild, reward)
        if role is None:
            return f"There is no role “{reward}” in this server."
        me = guild.me
        if me is None or not me.guild_permissions.manage_roles:
            return "The bot lacks the Manage Roles permission."
        if role >= me.top_role or role.managed:
            return (f"The bot cannot give “{role.name}”: move the bot's role above it in "
                    "Server Settings → Roles.")
        try:
            member = guild.get_member(int(user)) or await guild.fetch_member(int(user))
        except discord.NotFound:
            return f"{self.mention(user)} is no longer a member of this server."
        except (discord.HTTPException, ValueError) as error:
            return f"Could not find {self.mention(user)}: {error}"
        if role in member.roles:
            return f"{self.mention(user)} already has “{role.name}”."
        try:
            await member.add_roles(role, reason="Innercircle reward")
        except discord.Forbidden as error:
            log.warning("granting %s to %s in %s refused: %s", role.name, user, scope,
                        error.text)
            return f"Discord refused to give “{role.name}”: missing permission."
        except discord.HTTPException as error:
            log.warning("granting %s to %s in %s failed: %s", role.name, user, scope, error)
            return f"Giving “{role.name}” failed: {error}"
        return f"Gave “{role.name}” to {self.mention(user)}."

    @staticmethod
    def _role(guild: discord.Guild, reward: str) -> discord.Role | None:
        if reward.isdigit():
            found = guild.get_role(int(reward))
            if found is not None:
                return found
        wanted = reward.lstrip("@").lower()
        return next((r for r in guild.roles if r.name.lower() == wanted), None)

    async def greet(self, guild: discord.Guild) -> str:
        """Post the set-up message in the server's system channel, or DM it to the owner
        when the bot cannot post there; says where it went."""
        scope = scope_of(guild.id)
        channel, me = guild.system_channel, guild.me
        target = channel if channel is not None and me is not None and not missing(
            channel.permissions_for(me), POST_PERMISSIONS) else None
        if target is not None and await self.post(scope, str(target.id), welcome_reply()):
            return "system channel"
        if guild.owner_id and await self.send_dm(scope, str(guild.owner_id), welcome_reply()):
            return "owner"
        log.warning("joined %s (%s): could not post the set-up message anywhere", guild.name,
                    guild.id)
        return "nowhere"

    async def describe_status(self, scope: Scope) -> list[str]:
        """What the bot cannot do in this server, channel by channel."""
        guild = self.client.get_guild(int(scope.community))
        if guild is None:
            return ["Discord: the bot is not connected to this server."]
        settings = await self.runtime.community_settings(scope)
        me = guild.me
        lines = [f"Discord: connected as {self.client.user}; latency "
                 f"{self.client.latency * 1000:.0f} ms."]
        if me is None:
            return lines
        problems = 0
        for channel in watched_channels(guild, settings):
            lacking = missing(channel.permissions_for(me), READ_PERMISSIONS)
            if lacking:
                problems += 1
                lines.append(f"• #{channel.name}: cannot read – missing {', '.join(lacking)}")
        if settings.report_channel and settings.report_channel.isdigit():
            target = guild.get_channel(int(settings.report_channel))
            if target is None:
                lines.append("• Report channel: no longer exists.")
            else:
                lacking = missing(target.permissions_for(me), POST_PERMISSIONS)
                if lacking:
                    lines.append(f"• Report channel #{target.name}: missing "
                                 f"{', '.join(lacking)}")
        if settings.reward_role:
            role = self._role(guild, settings.reward_role)
            if role is None:
                lines.append(f"• Reward role “{settings.reward_role}” does not exist.")
            elif not me.guild_permissions.manage_roles:
                lines.append("• Rewards: missing Manage Roles.")
            elif role >= me.top_role:
                lines.append(f"• Rewards: the bot's role must be above “{role.name}”.")
        if not problems:
            lines.append("Every watched channel is readable.")
        report = self.catchup_reports.get(guild.id)
        if report is not None:
            lines.append(f"Catch-up: {report.summary()}.")
            lines.extend(f"• Not caught up on {place}: {reason}."
                         for place, reason in sorted(report.skipped.items()))
        return lines

