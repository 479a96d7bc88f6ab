"""``/circle unanswered`` and the message actions that correct what was detected."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import reports
from bot.events import MarkAnswer, NotQuestion, UnmarkAnswer
from bot.features import Cog, Command, CommandContext, MessageAction, Reply, UsageError
from bot.period import period_from
from bot.render.figures import duration
from bot.runtime import PUBLIC

SHOWN = 15


class QuestionsCog(Cog):
    def commands(self) -> list[Command]:
        return [Command("unanswered", "Questions from the last 7 days that nobody has "
                        "answered yet, oldest first.", self.unanswered, (PUBLIC,))]

    def message_actions(self) -> list[MessageAction]:
        return [
            MessageAction("Mark as answer", "mark_answer", self.mark_answer),
            MessageAction("Not an answer", "not_answer", self.not_answer, staff_only=True),
            MessageAction("Not a question", "not_question", self.not_question, staff_only=True),
        ]

    async def unanswered(self, ctx: CommandContext, public: bool | None) -> Reply:
        """Open questions with a link, and an excerpt while the text is kept."""
        span = period_from(None, None, days=7)
        open_questions = await reports.unanswered(ctx.runtime.store, ctx.scope, span,
                                                  ctx.runtime.now())
        lines = []
        for q in open_questions[:SHOWN]:
            link = ctx.platform.message_link(ctx.scope, q.channel, q.id)
            text = f"“{q.excerpt}”" if q.excerpt else "(text no longer kept)"
            where = f" – {link}" if link else ""
            lines.append(f"• {duration(q.age_s)} waiting: {text}{where}")
        if len(open_questions) > SHOWN:
            lines.append(f"… and {len(open_questions) - SHOWN} more.")
        if not open_questions:
            lines.append("Every question of the last 7 days has an answer.")
        return Reply(title=f"Unanswered questions ({len(open_questions)})", lines=lines,
                     public=bool(public), footer=span.label(),
                     tone="warn" if open_questions else "good")

    def _when(self, ctx: CommandContext) -> datetime:
        return datetime.fromtimestamp(ctx.runtime.now(), UTC)

    async def mark_answer(self, ctx: CommandContext, message_id: str) -> Reply:
        """The asker or staff marks a message as the answer to the question it replies to."""
        result = await ctx.runtime.engine.apply(MarkAnswer(
            community=ctx.scope.community, platform=ctx.scope.platform, ts=self._when(ctx),
            user=ctx.invoker.user, answer=message_id))
        if result is None or not result.ok:
            raise UsageError(f"Not marked: {result.reason if result else 'unknown error'}.")
        return Reply(title="Marked as the answer", text="Thanks! The helper gets the credit.",
                     tone="good")

    async def not_answer(self, ctx: CommandContext, message_id: str) -> Reply:
        """Staff: this message is not an answer (undoes a mark or a detected answer)."""
        result = await ctx.runtime.engine.apply(UnmarkAnswer(
            community=ctx.scope.community, platform=ctx.scope.platform, ts=self._when(ctx),
            user=ctx.invoker.user, answer=message_id))
        if result is None or not result.ok:
            raise UsageError(f"Nothing changed: {result.reason if result else 'unknown'}.")
        return Reply(title="Not an answer", text="It no longer counts as an answer.",
                     tone="good")

    async def not_question(self, ctx: CommandContext, message_id: str) -> Reply:
        """Staff: this message is not a question."""
        result = await ctx.runtime.engine.apply(NotQuestion(
            community=ctx.scope.community, platform=ctx.scope.platform, ts=self._when(ctx),
            user=ctx.invoker.user, message=message_id))
        if result is None or not result.ok:
            raise UsageError(f"Nothing changed: {result.reason if result else 'unknown'}.")
        return Reply(title="Not a question", text="It no longer counts as a question.",
                     tone="good")
