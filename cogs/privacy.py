"""``/circle privacy``: each member decides about their own data (DESIGN.md's rules).

``forget`` is confirmed with a button ("privacy:forget:<user>") that only the member
themselves may press: the command alone deletes nothing.
"""

from __future__ import annotations

import json

from bot.features import (
    Button,
    ButtonHandler,
    Cog,
    Command,
    CommandContext,
    Option,
    Reply,
    UsageError,
)

ACTIONS = ("optout", "optin", "export", "forget")


class PrivacyCog(Cog):
    def commands(self) -> list[Command]:
        return [Command(
            "privacy", "Your data: `optout` (stop being named; past facts anonymised), "
            "`optin`, `export` (a JSON file by DM), `forget` (delete everything about you).",
            self.privacy,
            (Option("action", "choice", "optout, optin, export or forget.", required=True,
                    choices=ACTIONS),))]

    def buttons(self) -> dict[str, ButtonHandler]:
        return {"privacy": self.confirm}

    async def privacy(self, ctx: CommandContext, action: str) -> Reply:
        """What the member asked about their own data."""
        store = ctx.runtime.store
        user = ctx.invoker.user
        now = ctx.runtime.now()
        if action == "optout":
            await ctx.runtime.opt_out(ctx.scope, user)
            return Reply(title="You have opted out",
                         text="From now on nothing names you. Your past and future activity "
                              "still counts in the community's figures, anonymously. "
                              "`/circle privacy optin` undoes this for the future.",
                         tone="good")
        if action == "optin":
            state = await store.privacy_state(ctx.scope, user)
            if state is not None and state[0] == "forgotten":
                raise UsageError("You asked to be forgotten: your activity stays anonymous.")
            if not await ctx.runtime.opt_in(ctx.scope, user):
                return Reply(title="Nothing to change", text="You had not opted out.")
            return Reply(title="You have opted in",
                         text="From now on your activity carries your name again; what was "
                              "anonymised stays anonymous.", tone="good")
        if action == "export":
            data = await store.export_member(ctx.scope, user, now)
            body = json.dumps(data, indent=2, ensure_ascii=False).encode()
            name = f"innercircle-export-{ctx.scope.platform}-{ctx.scope.community}.json"
            sent = await ctx.platform.send_dm(ctx.scope, user, Reply(
                title="Your Innercircle data",
                text="Everything this bot stores about you in this community.",
                file=(name, body)))
            if sent:
                return Reply(title="Export sent",
                             text="I sent you your data by direct message.", tone="good")
            return Reply(title="Export not sent",
                         text="I could not send you a direct message. Allow direct messages "
                              "from this bot (or members of this community) and try again.",
                         tone="error")
        return Reply(title="Forget everything about you?",
                     text="This deletes every fact stored about you in this community: your "
                          "answers, thanks, activity and profile. Questions you asked stay "
                          "counted, anonymously. It cannot be undone.",
                     buttons=[Button(f"privacy:forget:{user}", "Forget me", "danger")],
                     tone="warn")

    async def confirm(self, ctx: CommandContext, payload: str) -> Reply:
        """The member confirmed ``forget`` (only they can)."""
        verb, _, user = payload.partition(":")
        if verb != "forget" or not user:
            raise UsageError("This button is not understood.")
        if user != ctx.invoker.user:
            raise UsageError("Only the member themselves can confirm this.")
        await ctx.runtime.forget(ctx.scope, user)
        return Reply(title="You have been forgotten",
                     text="Every fact about you in this community was deleted; the figures "
                          "were recomputed. Only a keyed hash of your id stays, so that "
                          "history imports do not bring you back.", tone="good")
