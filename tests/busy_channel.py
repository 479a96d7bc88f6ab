"""A busy chat channel, as a Slack export of one would look: questions, plain answers a few
minutes later with no reply, thread or mention, and ordinary social chatter from other
members in between; some questions answered in their thread while the channel chats on.

Seeded, and labelled: which message is a plain answer to which question by whom, and which
messages are chatter. The vocabulary is this file's own (not the linker's training data, not
the demo's), so a test on it measures chatter nobody listed for the model.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.events import Event
from tests.chat import Chat

START = datetime(2026, 10, 5, 8, 30, tzinfo=UTC)  # a Monday

SUBJECTS = [
    ("the nightly backup job", "/etc/cron.d/backup", "BACKUP_RETENTION_DAYS"),
    ("the nginx proxy", "/etc/nginx/conf.d/app.conf", "proxy_read_timeout"),
    ("the CI pipeline", ".gitlab-ci.yml", "CI_DEBUG_TRACE"),
    ("postgres replication", "postgresql.conf", "max_wal_senders"),
    ("the staging deploy", "deploy/staging.env", "RELEASE_CHANNEL"),
    ("the S3 uploader", "uploader/settings.toml", "multipart_chunk_mb"),
    ("the metrics exporter", "exporter.yaml", "scrape_interval"),
    ("the login page", "web/auth/login.tsx", "SESSION_TTL"),
    ("the search indexer", "indexer/config.json", "batch_size"),
    ("the mobile build", "android/gradle.properties", "org.gradle.jvmargs"),
    ("the rate limiter", "gateway/limits.yml", "burst"),
    ("the email worker", "workers/mail.py", "SMTP_TIMEOUT"),
]
QUESTION_FORMS = [
    "How do I change {key} for {thing}?",
    "Does anybody know why {thing} keeps failing since this morning?",
    "where is the setting for {thing} now, is it still in {path}?",
    "Is it safe to restart {thing} during business hours?",
    "Can someone tell me what {key} should be set to for {thing}?",
    "Why does {thing} ignore {key} after the upgrade?",
    "Has anyone got {thing} working with the new cluster?",
    "what's the command to reload {thing} without downtime?",
]
ANSWER_FORMS = [
    "set {key}=300 in {path} and reload, that fixed it for us",
    "it moved, edit {path} now; the old file is ignored since 4.2",
    "run `systemctl reload {unit}` and it picks up {key} without dropping connections",
    "you need to bump {key} to at least 64, the default of 16 is too low for {thing}",
    "yes, it's safe, it drains connections first; takes about 30 seconds",
    "check {path}, someone left {key} commented out there after the migration",
    "the docs at https://docs.example.org/{unit} explain it, {key} is under Advanced",
    "that's the known bug in 4.2.1, upgrade to 4.2.3 or set {key} to 0 as a workaround",
]
CHATTER = [
    "morning all", "good morning folks ☀️", "hey everyone", "afternoon!", "hi hi",
    "lol", "lol that's brilliant", "haha", "😂😂", "🎉", "👍", "🙌 nice", "🍕🍕🍕",
    "brb", "brb, coffee", "back", "afk for lunch", "ok back now",
    "what a day", "it's raining again here", "so sunny today, can't focus",
    "freezing in the office today 🥶", "snow forecast for the weekend!",
    "anyone tried the new ramen place downstairs", "tacos for lunch today 🌮",
    "I brought cookies, kitchen on floor 3", "pizza friday is the best friday",
    "happy friday everyone", "any plans for the weekend", "weekend finally 🎉",
    "had a great hike on saturday", "monday again...", "long week",
    "congrats on the launch team!", "release day 🚀", "shipped it 🚢",
    "the release notes look great", "wooo new version is out", "party in the release channel",
    "why did the developer go broke? because he used up all his cache 😄",
    "I told my cat a UDP joke, not sure she got it", "that meeting could have been an email",
    "see you all tomorrow", "good night!", "cya", "later folks", "gotta run",
    "same lol", "mood", "too real", "this gif 😂", "omg yes", "nice one",
]
SOCIAL_PINGS = ["anyone around?", "u there?", "lol?", "is everyone at lunch?"]
THANKS = ["thanks, that worked!", "ah perfect, ty", "that did it, cheers", "thank you!!",
          "works now, thanks a lot"]

ASKERS = ["ana", "bruno", "chen", "dina", "emeka", "fatima", "goran", "hana", "ivo", "jun"]
HELPERS = ["kofi", "lena", "marek", "nora", "omar"]
CHATTERS = ["pia", "quinn", "rosa", "sami", "tariq"]
CHATTY = "zed"  # only ever chats


@dataclass
class BusyChannel:
    """The events and their labels."""

    events: list[Event]
    plain: list[tuple[str, str, str]] = field(default_factory=list)  # (question, answer, helper)
    threaded: list[tuple[str, str, str]] = field(default_factory=list)  # answered in a thread
    replied: list[tuple[str, str, str]] = field(default_factory=list)  # explicit replies
    questions: list[str] = field(default_factory=list)
    chatter: set[str] = field(default_factory=set)


def _chat(rng: random.Random, chat: Chat, out: BusyChannel, minutes: tuple[float, float],
          *, everyone_but: str = "") -> None:
    who = rng.choice([c for c in [*CHATTERS, CHATTY, CHATTY] if c != everyone_but])
    text = rng.choice(SOCIAL_PINGS) if rng.random() < 0.04 else rng.choice(CHATTER)
    out.chatter.add(chat.msg(who, text, after=timedelta(minutes=rng.uniform(*minutes))))


def _subject(rng: random.Random) -> dict[str, str]:
    thing, path, key = rng.choice(SUBJECTS)
    return {"thing": thing, "path": path, "key": key,
            "unit": thing.split()[-2] if len(thing.split()) > 2 else thing.split()[-1]}


def generate(seed: int = 3, weeks: int = 3, episodes_a_day: int = 8,
             start: datetime = START, *, export: bool = False) -> BusyChannel:
    """``weeks`` of weekdays (from ``start``, a Monday) in one busy ``general`` channel.
    ``export``: as read from a Slack export, where a thread's root already says it has a
    thread (``thread`` = its own id); live, the root arrives before any reply."""
    rng = random.Random(seed)
    chat = Chat(community="busy", platform="slack", start=start)
    out = BusyChannel(events=chat.events)
    for day in range(weeks * 7):
        if day % 7 >= 5:
            continue
        chat.now = start + timedelta(days=day)
        for _ in range(rng.randint(2, 5)):
            _chat(rng, chat, out, (0.5, 4))
        for _ in range(episodes_a_day):
            _episode(rng, chat, out, export)
            for _ in range(rng.randint(1, 4)):
                _chat(rng, chat, out, (1, 12))
    return out


def _episode(rng: random.Random, chat: Chat, out: BusyChannel, export: bool) -> None:
    asker, helper = rng.choice(ASKERS), rng.choice(HELPERS)
    words = _subject(rng)
    text = rng.choice(QUESTION_FORMS).format(**words)
    after = timedelta(minutes=rng.uniform(5, 25))
    kind = rng.random()
    root = f"q{len(out.questions)}"
    if export and 0.12 <= kind < 0.32:
        question = chat.msg(asker, text, after=after, id=root, thread=root)
    else:
        question = chat.msg(asker, text, after=after, id=root)
    out.questions.append(question)
    if kind < 0.12:  # nobody knows: the channel chats on
        for _ in range(rng.randint(2, 5)):
            _chat(rng, chat, out, (0.5, 4))
        return
    if kind < 0.32:  # answered in the question's thread while the channel chats on
        answer = chat.msg(helper, rng.choice(ANSWER_FORMS).format(**words), thread=question,
                          after=timedelta(minutes=rng.uniform(1, 5)))
        out.threaded.append((question, answer, helper))
        if rng.random() < 0.5:
            chat.msg(asker, rng.choice(THANKS), thread=question,
                     after=timedelta(minutes=rng.uniform(1, 3)))
        for _ in range(rng.randint(2, 5)):
            _chat(rng, chat, out, (0.5, 5))
        return
    for _ in range(rng.randint(0, 3)):  # chatter between question and answer
        _chat(rng, chat, out, (0.3, 1.5))
    text = rng.choice(ANSWER_FORMS).format(**words)
    if kind < 0.42:
        answer = chat.msg(helper, text, reply_to=question,
                          after=timedelta(minutes=rng.uniform(0.5, 3)))
        out.replied.append((question, answer, helper))
    else:
        answer = chat.msg(helper, text, after=timedelta(minutes=rng.uniform(0.5, 3)))
        out.plain.append((question, answer, helper))
    for _ in range(rng.randint(0, 3)):
        _chat(rng, chat, out, (0.3, 2))
    if rng.random() < 0.3:
        chat.msg(asker, rng.choice(THANKS), after=timedelta(minutes=rng.uniform(0.5, 3)))
