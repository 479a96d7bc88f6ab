"""Communities the dashboard tests look at: the demo's sample community, and a small Discord
server written message by message so that every figure on its pages is known."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.engine import Engine
from bot.sample import generate
from bot.scope import Scope
from bot.store import Store
from tests.chat import Chat

DISCORD = Scope("discord", "4242")
DEMO = Scope("demo", "demo")
HELP, GENERAL = "1001", "1002"  # channel ids; their names are "help" and "general"


@dataclass(frozen=True)
class Known:
    """What the Discord community's pages must show."""

    now: datetime
    open_question: str  # its id; asked in #help, never answered
    opted_out: str  # answered twice, then opted out
    departed: str  # answered once, then left
    hostile: str  # a member whose name starts with '='


def discord_chat(now: datetime) -> tuple[Chat, Known]:
    """Four days ago: questions in #help and #general, answered by peers and staff."""
    chat = Chat(community=DISCORD.community, platform="discord", start=now - timedelta(days=4))
    names = {HELP: "help", GENERAL: "general"}

    def say(author: str, text: str, channel: str = HELP, **extra: object) -> str:
        return chat.msg(author, text, channel=channel, channel_name=names[channel],
                        **extra)  # type: ignore[arg-type]

    chat.join("nina")
    q1 = say("nina", "How do I reset my password?")
    say("ada", "Open settings, then Security, then Reset password.", reply_to=q1)
    chat.thanks("nina", "ada")
    q2 = say("bob", "Does the export include attachments?", channel=GENERAL)
    say("ada", "Yes, attachments are in the zip.", channel=GENERAL, reply_to=q2)
    q3 = say("carl", "Why does the sync stop after an hour?")
    say("opt", "The token expires after an hour; refresh it in the settings.", reply_to=q3)
    q4 = say("dora", "Which port does the agent use?")
    say("opt", "It uses port 8443 by default.", reply_to=q4)
    q5 = say("erin", "How can I move a project to another team?")
    say("gone", "Use Transfer in the project's menu.", reply_to=q5)
    q6 = say("fred", "What is the rate limit of the API?", channel=GENERAL)
    say("=evil", "It is 100 requests a minute per token.", channel=GENERAL, reply_to=q6)
    q8 = say("gail", "Where can I find the audit log?", after=timedelta(hours=2))
    say("mod", "Under Admin, then Audit log.", reply_to=q8, author_is_staff=True)
    chat.leave("gone")
    open_q = say("hank", "How do I add a webhook for deploys?", after=timedelta(hours=3))
    return chat, Known(now=now, open_question=open_q, opted_out="opt", departed="gone",
                       hostile="=evil")


async def build(store: Store, now: datetime, *, demo: bool = True) -> Known:
    """Write the communities into ``store`` through the real engine (the demo's too)."""
    engine = Engine(store)
    if demo:
        events = generate(seed=5, weeks=6, end=now)
        for start in range(0, len(events), 2000):
            await engine.ingest(events[start:start + 2000])
    chat, known = discord_chat(now)
    await engine.ingest(chat.events)
    await store.opt_out(DISCORD, known.opted_out, now.timestamp())
    nomination = await store.add_nomination(DISCORD, "ada", source="manual",
                                            at=now.timestamp() - 3600,
                                            reason="Answers newcomers patiently", by="mod")
    assert nomination is not None
    await store.decide_nomination(nomination, "approved", "mod", now.timestamp() - 1800)
    return known


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
