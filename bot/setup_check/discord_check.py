"""Discord's part of ``innercircle check``: the token, the privileged intents, and per server
the watched and report channels (found, readable, postable) and the moderators (staff).

It logs in and connects to the gateway like the bot does (the same intents, the same
endpoints), reads what it needs and disconnects; nothing is written anywhere."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

import discord

from bot.config import CommunitySettings, DiscordSettings
from bot.platforms.discord_client import apply_endpoints, intents
from bot.platforms.discord_events import is_staff_member
from bot.platforms.discord_history import READ_PERMISSIONS, missing, watched_channels
from bot.platforms.discord_platform import POST_PERMISSIONS
from bot.setup_check import Check, failed, passed
from bot.staff import StaffRule

READY_TIMEOUT_S = 30
PORTAL = "https://discord.com/developers/applications → your app → Bot"


async def check_discord(settings: DiscordSettings, community: CommunitySettings,
                        channel_names: Iterable[str] = ()) -> list[Check]:
    """Every Discord check; ``channel_names`` are names found in the config where ids
    belong, to resolve (each gets a ✗ with the id to use)."""
    assert settings.token is not None
    apply_endpoints(settings)
    client = discord.Client(intents=intents(), chunk_guilds_at_startup=False,
                            guild_ready_timeout=0.5)
    checks: list[Check] = []
    try:
        try:
            await client.login(settings.token)
        except discord.LoginFailure:
            return [failed("Discord: the token was rejected",
                           f"copy a new token ({PORTAL} → Reset Token) into "
                           "INNERCIRCLE_DISCORD_TOKEN or [discord] token")]
        except (discord.HTTPException, OSError) as error:
            return [failed(f"Discord: cannot reach Discord: {error}",
                           "check the machine's network (and [discord] api_base if set)")]
        checks.append(passed(f"Discord: the token is valid (logged in as {client.user})"))
        intent_checks = await _intents(client)
        checks += intent_checks
        if not all(c.ok for c in intent_checks):
            return checks  # the gateway would refuse the connection (close code 4014)
        checks += await _connected(client, community, list(channel_names))
    finally:
        with contextlib.suppress(Exception):
            await client.close()
    return checks


async def _intents(client: discord.Client) -> list[Check]:
    flags = (await client.application_info()).flags
    found = []
    for label, full, limited in (
            ("Message Content", flags.gateway_message_content,
             flags.gateway_message_content_limited),
            ("Server Members", flags.gateway_guild_members, flags.gateway_guild_members_limited)):
        if full or limited:
            found.append(passed(f"Discord: the {label} intent is enabled"))
        else:
            found.append(failed(f"Discord: the {label} intent is off",
                                f"turn on “{label} Intent” under {PORTAL} → Privileged "
                                "Gateway Intents, and save"))
    return found


async def _connected(client: discord.Client, community: CommunitySettings,
                     names: list[str]) -> list[Check]:
    runner = asyncio.create_task(client.connect(reconnect=False))
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait({runner, ready}, timeout=READY_TIMEOUT_S,
                                 return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        error = runner.exception() if runner in done else None
        if isinstance(error, discord.PrivilegedIntentsRequired):
            return [failed("Discord: the gateway refused the privileged intents",
                           f"turn on both intents under {PORTAL}")]
        return [failed(f"Discord: could not connect to the gateway ({error or 'timed out'})",
                       "check the machine's network (and [discord] gateway_url if set)")]
    if not client.guilds:
        return [failed("Discord: the bot is in no server yet",
                       "invite it with the URL in docs/discord.md (step 2)")]
    checks = []
    for guild in client.guilds:
        checks += await _guild(guild, community, names)
    return checks


def _suggest(guild: discord.Guild, value: str) -> str:
    wanted = value.strip().lstrip("#").lower()
    found = [c for c in guild.channels if c.name.lower() == wanted]
    if found:
        return f"use the id \"{found[0].id}\" (#{found[0].name}) instead of {value!r}"
    return f"no channel is called #{wanted}; copy the id (right-click → Copy Channel ID)"


async def _guild(guild: discord.Guild, community: CommunitySettings, names: list[str]
                 ) -> list[Check]:
    where = f"Discord “{guild.name}”"
    me = guild.me
    checks: list[Check] = []
    for value in names:
        checks.append(failed(f"{where}: {value!r} in the config is a channel name",
                             _suggest(guild, value)))
    for value in [*community.watched_channels, *community.excluded_channels]:
        if not value.isdigit() or guild.get_channel(int(value)) is None:
            checks.append(failed(f"{where}: channel {value!r} in the config does not exist "
                                 "here", _suggest(guild, value)))
    unreadable = []
    watched = watched_channels(guild, community)
    for channel in watched:
        lacking = missing(channel.permissions_for(me), READ_PERMISSIONS)
        if lacking:
            unreadable.append(f"#{channel.name} (missing {', '.join(lacking)})")
    if unreadable:
        checks.append(failed(f"{where}: cannot read {', '.join(unreadable)}",
                             "give the bot's role those permissions in each channel (Edit "
                             "Channel → Permissions), or exclude the channel"))
    else:
        checks.append(passed(f"{where}: reads all {len(watched)} watched channels"))
    checks += _report_channel(guild, community, where)
    checks += await _moderators(guild, community, where)
    return checks


def _report_channel(guild: discord.Guild, community: CommunitySettings, where: str
                    ) -> list[Check]:
    value = community.report_channel
    if not value:
        return [passed(f"{where}: no report channel set (no weekly post; set "
                       "report_channel or use /circle config)")]
    channel = guild.get_channel(int(value)) if value.isdigit() else None
    if channel is None:
        return [failed(f"{where}: report channel {value!r} does not exist here",
                       _suggest(guild, value))]
    lacking = missing(channel.permissions_for(guild.me), POST_PERMISSIONS)
    if lacking:
        return [failed(f"{where}: cannot post the weekly report in #{channel.name} (missing "
                       f"{', '.join(lacking)})", "give the bot's role those permissions in "
                       "that channel")]
    return [passed(f"{where}: can post the weekly report in #{channel.name}")]


async def _moderators(guild: discord.Guild, community: CommunitySettings, where: str
                      ) -> list[Check]:
    checks = []
    for user in community.moderators:
        member = None
        if user.isdigit():
            with contextlib.suppress(discord.NotFound, discord.HTTPException):
                member = await guild.fetch_member(int(user))
        if member is None:
            checks.append(failed(f"{where}: moderator {user!r} is not a member here",
                                 "use the member's id (right-click the member → Copy User "
                                 "ID)"))
        elif not is_staff_member(member, StaffRule(community)):
            checks.append(failed(f"{where}: moderator {member.name} is not staff, so gets no "
                                 "digest", "give them a staff role "
                                 f"({', '.join(community.staff_roles)}) or add their id to "
                                 "staff_users"))
        else:
            checks.append(passed(f"{where}: moderator {member.name} is staff"))
    return checks
