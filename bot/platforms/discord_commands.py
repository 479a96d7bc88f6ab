"""The ``/circle`` app-command group and the message context menus, built from what the
cogs declare (``runtime.commands``, ``runtime.actions``): one generic callback for every
subcommand, none written by hand."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Literal

import discord
from discord import app_commands

from bot.features import Command, MessageAction, Option

GROUP = "circle"
DESCRIPTION_MAX = 100

#: What the adapter does with a finished invocation: (interaction, command name, options).
CommandRunner = Callable[[discord.Interaction, str, dict[str, Any]], Awaitable[None]]
#: (interaction, action callback id, message).
ActionRunner = Callable[[discord.Interaction, str, discord.Message], Awaitable[None]]


def describe(text: str) -> str:
    """A description Discord accepts (1..100 characters): the first sentence if it fits."""
    text = " ".join(text.split()) or "…"
    if len(text) <= DESCRIPTION_MAX:
        return text
    bare = re.sub(r"\s*\([^()]*\)\.?$", ".", text)  # a closing "(period 7, 30 or 90 days)"
    if len(bare) <= DESCRIPTION_MAX:
        return bare
    first = text.split(". ", 1)[0].rstrip(".") + "."
    if len(first) <= DESCRIPTION_MAX:
        return first
    cut = text[:DESCRIPTION_MAX - 1].rsplit(" ", 1)[0]
    return cut + "…"


def annotation_for(option: Option) -> Any:
    """The Python annotation discord.py turns into the right option type."""
    if option.kind == "member":
        return discord.Member | discord.User
    if option.kind == "int":
        return int
    if option.kind == "bool":
        return bool
    if option.kind == "channel":
        return discord.abc.GuildChannel | discord.Thread
    if option.kind == "choice" and option.choices:
        return Literal[tuple(option.choices[:25])]
    return str


def option_value(value: Any) -> Any:
    """A resolved option -> what ``Runtime.run_command`` takes (members and channels by id)."""
    if isinstance(value, discord.abc.Snowflake) and not isinstance(value, bool | int):
        return str(value.id)
    return value


def parameters_of(command: Command) -> list[inspect.Parameter]:
    """The callback parameters for ``command``'s options (required ones first)."""
    params = []
    for option in sorted(command.options, key=lambda o: not o.required):
        params.append(inspect.Parameter(
            option.name, inspect.Parameter.KEYWORD_ONLY,
            annotation=annotation_for(option),
            default=inspect.Parameter.empty if option.required else None))
    return params


def subcommand(command: Command, run: CommandRunner) -> app_commands.Command[Any, ..., None]:
    """``/circle <name>``: collects the options and hands them to ``run``."""
    name = command.name

    async def callback(interaction: discord.Interaction, **options: Any) -> None:
        await run(interaction, name, {k: option_value(v) for k, v in options.items()
                                      if v is not None})

    callback.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                           annotation=discord.Interaction), *parameters_of(command)])
    callback.__discord_app_commands_param_description__ = {  # type: ignore[attr-defined]
        o.name: describe(o.description) for o in command.options}
    callback.__name__ = callback.__qualname__ = f"circle_{name}"
    return app_commands.Command(name=name, description=describe(command.help),
                                callback=callback)


def circle_group(commands: Iterable[Command], run: CommandRunner) -> app_commands.Group:
    """The ``/circle`` group with one subcommand per neutral command."""
    group = app_commands.Group(name=GROUP, description="Innercircle: who helps whom here.",
                               guild_only=True)
    for command in commands:
        group.add_command(subcommand(command, run))
    return group


def context_menu(action: MessageAction, run: ActionRunner) -> app_commands.ContextMenu:
    """A message context-menu entry ("Mark as answer") for ``action``."""
    callback_id = action.callback_id

    async def callback(interaction: discord.Interaction, message: discord.Message) -> None:
        await run(interaction, callback_id, message)

    callback.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          annotation=discord.Interaction),
        inspect.Parameter("message", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          annotation=discord.Message)])
    menu = app_commands.ContextMenu(name=action.name, callback=callback)
    menu.guild_only = True
    return menu


def build_tree(tree: app_commands.CommandTree[Any], commands: Iterable[Command],
               actions: Iterable[MessageAction], run_command: CommandRunner,
               run_action: ActionRunner) -> None:
    """Add ``/circle`` and the context menus to ``tree`` (as global commands; the adapter
    copies them to each guild it syncs)."""
    tree.add_command(circle_group(commands, run_command), override=True)
    for action in actions:
        tree.add_command(context_menu(action, run_action), override=True)
