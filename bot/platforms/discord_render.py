"""A neutral ``Reply`` -> what Discord shows: an embed, attachments and buttons.

Buttons are rendered, never listened to by a view: every press arrives as an interaction
that the adapter routes to ``Runtime.press_button`` by its ``custom_id`` (= ``Button.action``),
so buttons keep working after a restart.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace

import discord

from bot.features import Reply
from bot.platforms.discord_escape import allowed_mentions, text
from bot.scope import Scope

COLOURS = {"info": 0x5865F2, "good": 0x57F287, "warn": 0xFEE75C, "error": 0xED4245}
STYLES = {"primary": discord.ButtonStyle.primary, "danger": discord.ButtonStyle.danger,
          "secondary": discord.ButtonStyle.secondary}
CHART_NAME = "chart.png"
# Discord's limits for one embed.
TITLE_MAX, DESCRIPTION_MAX, FIELDS_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX, FOOTER_MAX = (
    256, 4096, 25, 256, 1024, 2048)
BUTTONS_MAX = 25


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def description_of(reply: Reply) -> str:
    """The reply's text, then its lines; lines that do not fit are counted, not cut."""
    parts = [text(reply.text)] if reply.text else []
    lines: list[str] = []
    used = len(parts[0]) + 2 if parts else 0
    for index, line in enumerate(text(x) for x in reply.lines):
        if used + len(line) + 1 > DESCRIPTION_MAX - 40:
            lines.append(f"… and {len(reply.lines) - index} more.")
            break
        lines.append(line)
        used += len(line) + 1
    if lines:
        parts.append("\n".join(lines))
    return clip("\n\n".join(parts), DESCRIPTION_MAX)


def embed_of(reply: Reply) -> discord.Embed:
    """The embed for ``reply`` (the chart, if any, shown as its image)."""
    embed = discord.Embed(title=clip(text(reply.title), TITLE_MAX),
                          description=description_of(reply)
                          or None, colour=COLOURS.get(reply.tone, COLOURS["info"]))
    for item in reply.fields[:FIELDS_MAX]:
        embed.add_field(name=clip(text(item.name), FIELD_NAME_MAX) or "\u200b",
                        value=clip(text(item.value), FIELD_VALUE_MAX) or "\u200b",
                        inline=item.inline)
    footer = footer_of(reply)
    if footer:
        embed.set_footer(text=footer)
    if reply.chart is not None:
        embed.set_image(url=f"attachment://{CHART_NAME}")
    return embed


def footer_of(reply: Reply) -> str:
    """The embed's footer: the reply's, then its marker on a line of its own (never cut)."""
    if not reply.marker:
        return clip(text(reply.footer), FOOTER_MAX)
    room = FOOTER_MAX - len(reply.marker) - 1
    return "\n".join(part for part in (clip(text(reply.footer), room), reply.marker) if part)


def has_marker(message: discord.Message, marker: str) -> bool:
    """Whether one of ``message``'s embeds carries ``marker`` (see ``footer_of``)."""
    return any(embed.footer.text is not None and marker in embed.footer.text.split("\n")
               for embed in message.embeds)


def files_of(reply: Reply) -> list[discord.File]:
    """The attachments: the chart PNG and the reply's file."""
    files = []
    if reply.chart is not None:
        files.append(discord.File(io.BytesIO(reply.chart), filename=CHART_NAME))
    if reply.file is not None:
        name, data = reply.file
        files.append(discord.File(io.BytesIO(data), filename=name))
    return files


class ButtonsView(discord.ui.View):
    """Buttons only shown: presses reach ``on_interaction`` by ``custom_id``, not this view
    (which is never stored, so nothing piles up in memory and restarts lose nothing)."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    def is_dispatchable(self) -> bool:
        return False


def view_of(reply: Reply) -> ButtonsView | None:
    """The reply's buttons; ``custom_id`` is the neutral ``Button.action``."""
    if not reply.buttons:
        return None
    view = ButtonsView()
    for button in reply.buttons[:BUTTONS_MAX]:
        view.add_item(discord.ui.Button(label=clip(button.label, 80), custom_id=button.action[:100],
                                        style=STYLES.get(button.style,
                                                         discord.ButtonStyle.secondary)))
    return view


@dataclass(slots=True)
class Rendered:
    """Everything one Discord message needs (keyword arguments for ``send``)."""

    embed: discord.Embed
    files: list[discord.File] = field(default_factory=list)
    view: ButtonsView | None = None
    notify: tuple[str, ...] = ()

    def send_kwargs(self) -> dict[str, object]:
        kwargs: dict[str, object] = {"embed": self.embed, "files": self.files,
                                     "allowed_mentions": allowed_mentions(self.notify)}
        if self.view is not None:
            kwargs["view"] = self.view
        return kwargs


def render(reply: Reply) -> Rendered:
    """``reply`` as Discord shows it."""
    return Rendered(embed_of(reply), files_of(reply), view_of(reply), reply.notify)


CUSTOM_ID_MAX = 100


def for_dm(reply: Reply, scope: Scope) -> Reply:
    """A DM's buttons carry their community ("<guild id>/<action>"), since a DM has none."""
    if not reply.buttons:
        return reply
    buttons = []
    for button in reply.buttons:
        tagged = f"{scope.community}/{button.action}"
        buttons.append(replace(button, action=tagged) if len(tagged) <= CUSTOM_ID_MAX
                       else button)
    return replace(reply, buttons=buttons)
