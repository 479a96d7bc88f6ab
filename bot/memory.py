"""What the engine remembers of one community between batches: recent messages, answers,
linking windows, who is who. In memory only; the store is the record."""

from __future__ import annotations

from collections import OrderedDict

from bot.channels import ChannelRule
from bot.config import CommunitySettings
from bot.events import Message
from bot.identity import anon_id, user_hash
from bot.scope import Scope
from bot.signals.credit import Candidate
from bot.signals.emoji import normalize_emoji_set
from bot.signals.message_info import SignalCache
from bot.signals.utterance import Utterance
from bot.staff import StaffRule
from bot.store.facts import AnswerInfo, MessageInfo

RECENT_MESSAGES = 50_000  # per community: what links and reactions resolve without the database
RECENT_ANSWERS = 50_000
THANKS_REACH_S = 7 * 86400  # a thank-you credits an answer given at most this long before
WINDOW_IDLE_S = 6 * 3600  # a thread's linking window is dropped after this long without messages


class CommunityMemory:
    """What the engine remembers of one community between batches (in memory only)."""

    def __init__(self, scope: Scope, settings: CommunitySettings,
                 privacy: dict[str, tuple[str, float]], secret: bytes, history: int) -> None:
        self.scope = scope
        self.settings = settings
        self.privacy = privacy
        self.secret = secret
        self.history = history
        self.ack_emoji = normalize_emoji_set(settings.ack_emoji)
        self.staff = StaffRule(settings)
        self.channels = ChannelRule(settings)
        self.ignored = set(settings.ignored_users)
        self.recent: OrderedDict[str, MessageInfo] = OrderedDict()
        self.answers: OrderedDict[str, list[AnswerInfo]] = OrderedDict()  # by answer message
        self.latest_answer: dict[tuple[str, str], AnswerInfo] = {}  # (asker, helper)
        self.windows: dict[tuple[str, str | None], list[Utterance]] = {}
        self.window_last: dict[tuple[str, str | None], float] = {}
        self.identities: dict[str, str | None] = {}
        self.threaded: OrderedDict[str, None] = OrderedDict()  # messages with a thread
        self.seeded: set[str] = set()  # channels whose window got the stored questions back
        # per member: (name, staff, week, earliest message ts, seen in catch-up) last written
        self.members_written: dict[str, tuple[str | None, bool, int, float, bool]] = {}
        self.signals = SignalCache()  # the linker's per-message facts (text, dropped with us)
        self.since_prune = 0
        self.channel_names: dict[str, str] = {}  # names written (or queued) this run
        # the newest message time stored (or about to be): newer messages are surely new
        self.newest_stored: float | None = None
        self.replaying: set[str] = set()  # this batch's messages that are stored already

    # -- who is who --------------------------------------------------------------------
    def identity(self, user: str, ts: float) -> str | None:
        """The id facts about ``user`` are stored under; ``None``: forgotten, drop the fact."""
        if not self.privacy:
            return user
        cached = self.identities.get(user, "")
        if cached != "" and cached is not None:
            return cached
        hashed = user_hash(self.secret, self.scope, user)
        state = self.privacy.get(hashed)
        if state is None:
            result: str | None = user
        elif state[0] == "forgotten" and ts <= state[1]:
            return None  # a re-import of something said before the member was forgotten
        else:
            result = anon_id(hashed)
        self.identities[user] = result
        return result

    def is_staff(self, message: Message) -> bool:
        return self.staff.is_staff(message.author, platform_says=message.author_is_staff,
                                   roles=message.author_roles)

    def watches(self, channel: str) -> bool:
        return self.channels.watches(channel)

    def channel_kind(self, channel: str, declared: str) -> str:
        return self.channels.kind(channel, declared)

    # -- memory ----------------------------------------------------------------------
    def remember(self, info: MessageInfo) -> None:
        self.recent[info.id] = info
        self.recent.move_to_end(info.id)
        if len(self.recent) > RECENT_MESSAGES:
            self.recent.popitem(last=False)

    def remember_answer(self, answer: AnswerInfo) -> None:
        rows = self.answers.setdefault(answer.answer_id, [])
        rows[:] = [r for r in rows if r.question_id != answer.question_id]
        rows.append(answer)
        self.answers.move_to_end(answer.answer_id)
        if len(self.answers) > RECENT_ANSWERS:
            self.answers.popitem(last=False)
        if answer.active:
            self.latest_answer[(answer.asker, answer.answerer)] = answer

    def mark_threaded(self, root: str) -> None:
        """``root`` has a thread of its own: later channel messages are not its answers."""
        if root not in self.threaded:
            self.threaded[root] = None
            if len(self.threaded) > RECENT_MESSAGES:
                self.threaded.popitem(last=False)

    def candidate(self, message_id: str | None, window: list[Utterance] | None
                  ) -> Candidate | None:
        """What the credit policy needs of an earlier message: only questions are worth it
        (the policy credits nothing else), with their text when the window still has it."""
        info = self.recent.get(message_id) if message_id else None
        if info is None or not info.is_question:
            return None
        text, name = "", None
        for utterance in reversed(window or ()):
            if utterance.id == message_id:
                text, name = utterance.text, utterance.author_name
                break
        return Candidate(info, text, name,
                         info.thread == info.id or info.id in self.threaded)

    def window(self, key: tuple[str, str | None], now: float) -> list[Utterance]:
        found = self.windows.get(key)
        if found is None:
            found = self.windows[key] = []
        self.window_last[key] = now
        self.since_prune += 1
        if self.since_prune > 5000:
            self._prune(now)
        return found

    def _prune(self, now: float) -> None:
        self.since_prune = 0
        for key, last in list(self.window_last.items()):
            if now - last > WINDOW_IDLE_S:
                del self.window_last[key]
                self.windows.pop(key, None)
        # The linker's per-message facts: the windows still open are kept, to be carried on
        # (they hold their messages' facts themselves), the rest is dropped.
        signals = self.signals
        signals.infos.clear()
        windows = signals.windows
        kept = {}
        for window in self.windows.values():
            if window and (found := windows.get(window[-1].id)) is not None:
                kept[window[-1].id] = found
        signals.windows = kept
        stale = [k for k, v in self.latest_answer.items() if now - v.ts > THANKS_REACH_S]
        for k in stale:
            del self.latest_answer[k]


def window_key(info: MessageInfo) -> tuple[str, str | None]:
    """The linking window a message joined: its channel, or its thread in the channel."""
    in_thread = info.thread is not None and info.thread != info.id
    return info.channel, info.thread if in_thread else None
