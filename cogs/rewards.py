"""Rewards: weekly nominations decided by moderators (Approve / Decline buttons),
``/circle nominate`` and ``/circle rewards``."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.features import ButtonHandler, Cog, Command, CommandContext, Option, Reply, UsageError
from bot.identity import is_anonymous, user_hash
from bot.staff import StaffRule, acts_as_staff
from bot.weekly.digest import nomination_buttons, nomination_line
from bot.weekly.run import send_nomination

SHOWN = 20


class RewardsCog(Cog):
    def commands(self) -> list[Command]:
        return [
            Command("nominate", "Nominate a member for the community's reward; moderators "
                    "approve or decline.", self.nominate,
                    (Option("member", "member", "Who to nominate.", required=True),
                     Option("reason", "text", "Why, in a few words.", required=True)),
                    staff_only=True),
            Command("rewards", "Past rewards and nominations, newest first.", self.rewards,
                    staff_only=True),
        ]

    def buttons(self) -> dict[str, ButtonHandler]:
        return {"reward": self.decide}

    async def nominate(self, ctx: CommandContext, member: str, reason: str) -> Reply:
        """Staff: put ``member`` forward for the reward, with a reason."""
        store = ctx.runtime.store
        states = await store.privacy_states(ctx.scope)
        if user_hash(store.secret, ctx.scope, member) in states or is_anonymous(member):
            raise UsageError("This member asked not to be named: they cannot be nominated.")
        nomination_id = await store.add_nomination(
            ctx.scope, member, source="manual", at=ctx.runtime.now(), reason=reason,
            by=ctx.invoker.user)
        assert nomination_id is not None
        nomination = await store.nomination(nomination_id)
        assert nomination is not None
        sent = await send_nomination(ctx.runtime, ctx.scope, nomination_id)
        told = (f"Sent to {len(sent)} moderator(s)." if sent
                else "No moderator could be sent it; decide here.")
        return Reply(title="Nomination recorded", text=nomination_line(nomination, ctx.platform),
                     footer=told, buttons=nomination_buttons(nomination), tone="good")

    async def decide(self, ctx: CommandContext, payload: str) -> Reply:
        """Approve / Decline: staff only, never one's own nomination, and only once."""
        verb, _, raw_id = payload.partition(":")
        if verb not in ("approve", "decline") or not raw_id.isdigit():
            raise UsageError("This button is not understood.")
        store = ctx.runtime.store
        nomination = await store.nomination(int(raw_id))
        if nomination is None or nomination.scope != ctx.scope:
            raise UsageError("This nomination no longer exists.")
        settings = await ctx.runtime.community_settings(ctx.scope)
        if not await acts_as_staff(StaffRule(settings), store, ctx.scope, ctx.invoker.user,
                                   platform_says=ctx.invoker.is_staff):
            raise UsageError("Only staff can decide on a nomination.")
        if nomination.user_id == ctx.invoker.user:
            raise UsageError("You cannot decide on your own nomination.")
        state = "approved" if verb == "approve" else "declined"
        now = ctx.runtime.now()
        if not await store.decide_nomination(nomination.id, state, ctx.invoker.user, now):
            current = await store.nomination(nomination.id)
            assert current is not None
            by = ctx.platform.mention(current.decided_by) if current.decided_by else "someone"
            raise UsageError(f"Nomination #{nomination.id} was already decided: "
                             f"{current.state} by {by}.")
        who = ctx.platform.mention(nomination.user_id)
        if state == "declined":
            return Reply(title=f"Nomination #{nomination.id} declined",
                         text=f"{who} is not rewarded this time.")
        outcome = await ctx.platform.grant_reward(ctx.scope, nomination.user_id,
                                                  settings.reward_role or None)
        await store.set_nomination_outcome(nomination.id, outcome)
        return Reply(title=f"Nomination #{nomination.id} approved", text=f"{who}: {outcome}",
                     tone="good")

    async def rewards(self, ctx: CommandContext) -> Reply:
        """Staff: rewards granted and nominations decided, newest first; pending ones."""
        store = ctx.runtime.store
        decided = await store.nominations(ctx.scope, states=["approved", "declined"],
                                          limit=SHOWN)
        pending = await store.nominations(ctx.scope, states=["pending"])
        lines = []
        for n in decided:
            when = datetime.fromtimestamp(n.decided_at or n.created_at, UTC)
            by = ctx.platform.mention(n.decided_by) if n.decided_by else "someone"
            outcome = f" – {n.outcome}" if n.outcome else ""
            lines.append(f"{when:%Y-%m-%d} {_name(ctx, n.user_id)}: {n.state} by {by}{outcome}")
        if not decided:
            lines.append("No reward has been decided yet.")
        if pending:
            lines.append(f"Pending ({len(pending)}): "
                         + ", ".join(f"#{n.id} {_name(ctx, n.user_id)}" for n in pending))
        return Reply(title="Rewards", lines=lines)


def _name(ctx: CommandContext, user: str) -> str:
    return "an anonymous member" if is_anonymous(user) else ctx.platform.mention(user)
