"""A realistic sample community, seeded: the demo and the benchmarks replay it.

Members have roles in the story: a few passionate peer helpers who answer many different
people, a pair of friends who mostly answer each other, staff, regulars who ask, newcomers
who join week by week, lurkers who only chat, and one early helper who drifts away. Questions
are answered by explicit replies, in threads, by addressing the asker (``name:``) or just
by the next message; some are thanked, some get a ✅, some stay open.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.events import Event, MemberJoin, MemberLeave, Message, Reaction

TOPICS = [
    ("webhooks", "the webhook secret"), ("the CLI", "the --profile flag"),
    ("SSO", "the SAML metadata URL"), ("the API", "the rate limit headers"),
    ("exports", "the CSV export"), ("the mobile app", "offline mode"),
    ("billing", "the seat count"), ("the Python SDK", "the retry settings"),
    ("dark mode", "the theme switcher"), ("notifications", "the digest emails"),
    ("the importer", "the field mapping"), ("permissions", "the viewer role"),
    ("self-hosting", "the docker compose file"), ("search", "the index rebuild"),
]
QUESTIONS = [
    "How do I set up {a}? The docs mention {b} but I can't find it",
    "Is there a way to change {b} without breaking {a}?",
    "Anyone know why {a} stopped working after the update?",
    "What's the right way to configure {b}?",
    "Does {a} support {b} yet?",
    "I'm stuck with {a}: it says unauthorized every time. Any ideas?",
    "Can someone explain how {b} works with {a}?",
    "Where do I find {b} in the new UI?",
    "Why does {a} time out when I use {b}?",
    "has anyone tried {a} with {b}? is it stable?",
]
ANSWERS = [
    "You need to enable it under Settings → {a}, then {b} shows up.",
    "That changed in 3.2: {b} moved to the project page now.",
    "I had the same, regenerating {b} fixed it for me.",
    "Check that {b} matches exactly, a trailing slash breaks {a}.",
    "Yes, since last month. Set {b} in the config and restart.",
    "Try clearing the cache; {a} keeps the old {b} around otherwise.",
    "The docs page for {a} has an example near the bottom, look for {b}.",
    "It works, we run {a} in production with {b} turned on.",
]
FOLLOWUPS = ["that was it, thanks!", "thanks, works now 🙏", "perfect, thank you",
             "ty! that fixed it", "Thanks a lot, that helped"]
CHATTER = [
    "good morning everyone", "the new release looks great", "anyone going to the meetup?",
    "lol same", "just shipped our integration 🎉", "nice work on the changelog",
    "coffee time", "that demo yesterday was impressive", "welcome to the new folks!",
    "I love the new dashboard", "weekend plans: migrating everything to v3",
    "happy friday", "great thread, learned a lot",
]
NAMES = [
    "ada", "ben", "chloe", "dmitri", "elena", "farid", "grace", "hiro", "ines", "jonas",
    "kemal", "lena", "mateo", "nora", "oscar", "priya", "quinn", "rosa", "sven", "tara",
    "umar", "vera", "wen", "xavi", "yara", "zane", "amir", "bea", "carlos", "dana", "emil",
    "fay", "gus", "hana", "ivan", "jade", "kai", "lina", "milo", "nina", "omar", "pia",
    "raj", "sara", "tomas", "uma", "vik", "wanda", "yuki", "zoe",
]


@dataclass(frozen=True, slots=True)
class SampleMember:
    id: str
    name: str
    role: str  # helper, friend, staff, regular, newcomer, lurker, drifter
    joined: datetime | None
    skill: float  # chance to answer a question they see


def _members(rng: random.Random, start: datetime, weeks: int, scale: int
             ) -> list[SampleMember]:
    members: list[SampleMember] = []
    names = (f"{n}{'' if i == 0 else i}" for i in itertools.count() for n in NAMES)

    def add(role: str, count: int, skill: float, joined: datetime | None = None) -> None:
        for _ in range(count):
            members.append(SampleMember(f"u{len(members) + 1:04d}", next(names), role,
                                        joined, skill))

    add("helper", 5 * scale, 0.30)
    add("friend", 2, 0.0)
    add("drifter", 1, 0.30)
    add("staff", 3, 0.22)
    add("regular", 40 * scale, 0.03)
    add("lurker", 25 * scale, 0.0)
    for week in range(weeks):
        for _ in range(rng.randint(3, 6) * scale):
            joined = start + timedelta(days=7 * week + rng.uniform(0, 7))
            members.append(SampleMember(f"u{len(members) + 1:04d}", next(names), "newcomer",
                                        joined, 0.0))
    return members


class _Story:
    """Writes the sample community's events hour by hour."""

    def __init__(self, seed: int, weeks: int, end: datetime, community: str, scale: int,
                 id_prefix: str = "m") -> None:
        self.id_prefix = id_prefix
        self.rng = random.Random(seed)
        self.end = end
        self.start = end - timedelta(weeks=weeks)
        self.community = community
        self.scale = scale
        self.members = _members(self.rng, self.start, weeks, scale)
        self.by_role: dict[str, list[SampleMember]] = {}
        for member in self.members:
            self.by_role.setdefault(member.role, []).append(member)
        self.events: list[Event] = []
        self.counter = 0

    def post(self, at: datetime, author: SampleMember, text: str, channel: str,
             *, kind: str = "chat", thread: str | None = None, reply_to: str | None = None,
             mentions: tuple[str, ...] = (), starts_thread: bool = False) -> Message:
        self.counter += 1
        message_id = f"{self.id_prefix}{self.counter}"
        message = Message(
            community=self.community, platform="demo", ts=at, id=message_id,
            channel=channel, author=author.id, author_name=author.name, text=text,
            author_roles=("Staff",) if author.role == "staff" else (),
            channel_kind=kind, thread=message_id if starts_thread else thread,
            reply_to=reply_to, mentions=mentions, channel_name=channel,
        )
        self.events.append(message)
        return message

    def active(self, member: SampleMember, at: datetime) -> bool:
        if member.joined is not None and at < member.joined:
            return False
        if member.role == "drifter":
            return at < self.end - timedelta(weeks=3) or self.rng.random() < 0.05
        return True

    def write(self) -> list[Event]:
        rng = self.rng
        for member in self.members:
            if member.joined is not None:
                self.events.append(MemberJoin(community=self.community, platform="demo",
                                              ts=member.joined, user=member.id,
                                              user_name=member.name))
        askers = self.by_role["regular"] + self.by_role["newcomer"] + self.by_role["friend"]
        chatty = askers + self.by_role["lurker"]
        hours = int((self.end - self.start).total_seconds() // 3600)
        for hour in range(hours):
            at_hour = self.start + timedelta(hours=hour)
            busy = 8 <= at_hour.hour <= 22
            for _ in range(rng.randint(1, 4) * self.scale if busy else rng.randint(0, 1)):
                at = at_hour + timedelta(seconds=rng.uniform(0, 3000))
                if rng.random() < 0.45:
                    who = rng.choice(chatty)
                    if self.active(who, at):
                        self.post(at, who, rng.choice(CHATTER),
                                  rng.choice(["general", "showcase"]))
                    continue
                asker = rng.choice(askers)
                if self.active(asker, at):
                    self.ask(asker, at, hour / hours)
        self.events.sort(key=lambda e: e.ts)
        return [e for e in self.events if e.ts < self.end]

    def ask(self, asker: SampleMember, at: datetime, progress: float) -> None:
        rng = self.rng
        topic = rng.choice(TOPICS)
        channel = rng.choice(["help", "help", "general", "forum"])
        kind = "forum" if channel == "forum" else ("help" if channel == "help" else "chat")
        question = self.post(at, asker, rng.choice(QUESTIONS).format(a=topic[0], b=topic[1]),
                             channel, kind=kind, starts_thread=kind == "forum")
        for helper in self.helpers_for(asker, progress):
            self.answer(question, asker, helper, topic)

    def helpers_for(self, asker: SampleMember, progress: float) -> list[SampleMember]:
        rng = self.rng
        if asker.role == "friend":
            return [f for f in self.by_role["friend"] if f is not asker]
        if rng.random() < 0.12:
            return []  # stays open
        pool = (self.by_role["helper"] + self.by_role["drifter"] + self.by_role["staff"]
                + self.by_role["regular"])
        # peers answer a larger share as the community matures
        chosen = [m for m in pool if m is not asker and rng.random() <
                  (m.skill if m.role == "staff" else m.skill * (1 + progress))]
        rng.shuffle(chosen)
        return chosen[:2]

    def answer(self, question: Message, asker: SampleMember, helper: SampleMember,
               topic: tuple[str, str]) -> None:
        rng = self.rng
        when = question.ts + timedelta(minutes=rng.expovariate(1 / 45))
        if when >= self.end or not self.active(helper, when):
            return
        text = rng.choice(ANSWERS).format(a=topic[0], b=topic[1])
        style = rng.random()
        thread = question.thread
        reply_to = None
        if thread is None and style < 0.3:
            thread = question.id
        elif thread is None and style < 0.6:
            reply_to = question.id
        elif thread is None and style < 0.8:
            text = f"{asker.name}: {text}"
        answer = self.post(when, helper, text, question.channel, kind=question.channel_kind,
                           thread=thread, reply_to=reply_to)
        later = when + timedelta(minutes=rng.uniform(1, 30))
        if later >= self.end:
            return
        ack = rng.random()
        if ack < 0.35:
            self.post(later, asker, rng.choice(FOLLOWUPS), question.channel,
                      kind=question.channel_kind, thread=thread,
                      reply_to=None if thread else answer.id, mentions=(helper.id,))
        elif ack < 0.6:
            self.events.append(Reaction(
                community=self.community, platform="demo", ts=later,
                channel=question.channel, message=answer.id, user=asker.id,
                emoji=rng.choice(["✅", "👍", "🙏"])))


def generate(seed: int = 7, weeks: int = 8, *, end: datetime | None = None,
             community: str = "demo", scale: int = 1, id_prefix: str = "m") -> list[Event]:
    """A sample community's events, in time order. ``scale`` multiplies its size;
    ``id_prefix`` keeps message ids apart when several samples share a community."""
    end = (end or datetime.now(UTC)).replace(microsecond=0)
    events = _Story(seed, weeks, end, community, scale, id_prefix).write()
    events.extend(departures(events, seed))
    events.sort(key=lambda e: e.ts)
    return events


def departures(events: list[Event], seed: int, count: int = 3) -> Iterator[Event]:
    """A few members leave near the end (departed members are never named publicly)."""
    rng = random.Random(seed + 1)
    authors = sorted({e.author for e in events if isinstance(e, Message)})
    last = max(e.ts for e in events)
    for user in rng.sample(authors, min(count, len(authors))):
        yield MemberLeave(community=events[0].community, platform=events[0].platform,
                          ts=last - timedelta(hours=rng.uniform(1, 48)), user=user)
