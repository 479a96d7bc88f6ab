"""``/circle unanswered`` and the message actions that correct what was detected."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot import reports
from bot.events import Event, MarkAnswer, NotQuestion, UnmarkAnswer
from bot.features import PUBLIC, Cog, Command, CommandContext, MessageAction, Reply, UsageError
from bot.period import period_from
from bot.render.figures import plural
from bot.weekly.post import open_question_lines

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
        settings = await ctx.runtime.community_settings(ctx.scope)
        span = period_from(None, None, days=7,
                           now=datetime.fromtimestamp(ctx.runtime.now(), UTC))
        open_questions = await reports.unanswered(ctx.runtime.store, ctx.scope, span,
                                                  ctx.runtime.now())
        lines = open_question_lines(open_questions, ctx.platform, ctx.scope, SHOWN, more="")
        if not open_questions:
            lines.append("Every question of the last 7 days has an answer.")
        return Reply(title=f"Open now: {plural(len(open_questions), 'question')} of the last "
                     "7 days without an answer", lines=lines,
                     public=bool(public), footer=span.label(settings.timezone),
                     tone="warn" if open_questions else "good")

    async def _correct(self, ctx: CommandContext, event: Event, refused: str, title: str,
                       done: str) -> Reply:
        result = await ctx.runtime.engine.apply(event)
        if result is None or not result.ok:
            raise UsageError(f"{refused}: {result.reason if result else 'unknown error'}.")
        return Reply(title=title, text=done, tone="good")

    def _common(self, ctx: CommandContext) -> dict[str, Any]:
        return {"community": ctx.scope.community, "platform": ctx.scope.platform,
                "ts": datetime.fromtimestamp(ctx.runtime.now(), UTC), "user": ctx.invoker.user,
                "by_staff": ctx.invoker.is_staff}

    async def mark_answer(self, ctx: CommandContext, message_id: str) -> Reply:
        """The asker or staff marks a message as the answer to the question it replies to."""
        return await self._correct(ctx, MarkAnswer(**self._common(ctx), answer=message_id),
                                   "Not marked", "Marked as the answer",
                                   "Thanks! The helper gets the credit.")

    async def not_answer(self, ctx: CommandContext, message_id: str) -> Reply:
        """Staff: this message is not an answer (undoes a mark or a detected answer)."""
        return await self._correct(ctx, UnmarkAnswer(**self._common(ctx), answer=message_id),
                                   "Nothing changed", "Not an answer",
                                   "It no longer counts as an answer.")

    async def not_question(self, ctx: CommandContext, message_id: str) -> Reply:
        """Staff: this message is not a question."""
        return await self._correct(ctx, NotQuestion(**self._common(ctx), message=message_id),
                                   "Nothing changed", "Not a question",
                                   "It no longer counts as a question.")
