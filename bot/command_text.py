"""``/circle …`` typed as text (Slack): subcommand, options in declared order, ``public``.

``/circle helpers 90 public`` -> ("helpers", {"period": "90", "public": True}).
Members arrive escaped as ``<@U123>`` or ``<@U123|name>``; ``key=value`` also works.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from bot.features import Command, UsageError

_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")


def member_id(token: str) -> str:
    """``<@U123|bob>`` -> ``U123``; anything else as written (an id)."""
    match = _MENTION.match(token.strip())
    return match.group(1) if match else token.strip().lstrip("@")


def parse_command_text(text: str, commands: dict[str, Command]) -> tuple[str, dict[str, Any]]:
    """Split the text after ``/circle`` into a subcommand and its raw option values."""
    try:
        tokens = shlex.split(text.strip())
    except ValueError:
        tokens = text.split()
    if not tokens:
        return "help", {}
    name, rest = tokens[0].lower(), tokens[1:]
    command = commands.get(name)
    if command is None:
        return name, {}
    args: dict[str, Any] = {}
    wants_public = any(o.name == "public" for o in command.options)
    if wants_public and rest and rest[-1].lower() == "public":
        args["public"] = True
        rest = rest[:-1]
    positional = [o for o in command.options if o.name != "public"]
    free: list[str] = []
    for token in rest:
        key, eq, value = token.partition("=")
        if eq and any(o.name == key for o in command.options):
            args[key] = value
        else:
            free.append(token)
    slots = [o for o in positional if o.name not in args]
    for index, option in enumerate(slots):
        if index >= len(free):
            break
        if option.kind == "text" and index == len(slots) - 1:
            args[option.name] = " ".join(free[index:])  # the last text option takes the rest
            free = free[:index + 1]
            break
        args[option.name] = member_id(free[index]) if option.kind == "member" else free[index]
    if len(free) > len(slots):
        extra = " ".join(free[len(slots):])
        raise UsageError(f"`/circle {name}` did not expect {extra!r}. "
                         f"Try `/circle help`.")
    return name, args
