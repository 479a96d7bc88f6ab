"""Privacy operations: opt-out, opt-in, export and forget (DESIGN.md's rules).

- Opt-out re-keys every stored fact about a member to their anonymous token
  (``anon_id(user_hash(...))``) and records the hash as ``opted_out`` so that the engine
  re-keys future events. Opt-in removes that state; what was anonymised stays anonymous.
- Forget deletes every fact about the member (under their id and their anonymous token):
  their questions stay, counted only as anonymous; answers others gave them stay credited
  to those others (the asker is re-keyed); acknowledgements they gave stay, anonymous, so
  that the helpers keep their credit. Only the HMAC stays, as ``forgotten``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.identity import anon_id, user_hash
from bot.scope import Scope
from bot.store import schema
from bot.store.database import Database
from bot.store.dialect import upsert
from bot.store.schema import in_scope
from bot.store.writes import refresh_questions

m, a, k, d = schema.messages, schema.answers, schema.acks, schema.activity_days
mem, c, e, s = schema.members, schema.corrections, schema.excerpts, schema.settings
p, n = schema.privacy, schema.nominations



def _swap(key: str, old: str, new: str) -> str:
    """A composite key (``react:<msg>:<user>:<emoji>``) with ``old`` parts replaced."""
    return ":".join(new if part == old else part for part in key.split(":"))


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


class PrivacyQueries(Database):
    """Mixed into ``Store``."""

    def identities(self, scope: Scope, user: str) -> tuple[str, str]:
        """(the member's hash, their anonymous token)."""
        hashed = user_hash(self.secret, scope, user)
        return hashed, anon_id(hashed)

    async def privacy_state(self, scope: Scope, user: str) -> tuple[str, float] | None:
        hashed, _ = self.identities(scope, user)
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(p.c.state, p.c.since).where(
                in_scope(p, scope), p.c.user_hash == hashed))).first()
        return None if row is None else (row.state, row.since)

    # -- opt-out / opt-in ---------------------------------------------------------------
    async def opt_out(self, scope: Scope, user: str, at: float) -> str:
        """Re-key the member's facts to their anonymous token; future events follow."""
        hashed, anon = self.identities(scope, user)
        async with self.engine.begin() as conn:
            await _set_state(conn, scope, hashed, "opted_out", at, keep_forgotten=True)
            await _rekey(conn, scope, user, anon)
        return anon

    async def opt_in(self, scope: Scope, user: str) -> bool:
        """Remove the opted-out state (anonymised facts stay anonymous). False: not opted out."""
        hashed, _ = self.identities(scope, user)
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(p).where(
                in_scope(p, scope), p.c.user_hash == hashed, p.c.state == "opted_out"))
            return bool(result.rowcount)

    # -- forget ---------------------------------------------------------------------------
    async def forget(self, scope: Scope, user: str, at: float) -> dict[str, int]:
        """Delete every fact about the member; only their HMAC stays (``forgotten``).
        Returns how many rows each step touched."""
        hashed, anon = self.identities(scope, user)
        ids = [user, anon]
        counts: dict[str, int] = {}
        async with self.engine.begin() as conn:
            touched: set[str] = set()
            found = await conn.execute(select(a.c.question_id).where(
                in_scope(a, scope), a.c.answerer.in_(ids)))
            touched.update(found.scalars())
            counts["answers_deleted"] = (await conn.execute(delete(a).where(
                in_scope(a, scope), a.c.answerer.in_(ids)))).rowcount
            counts["answers_to_them_kept"] = (await conn.execute(
                update(a).where(in_scope(a, scope), a.c.asker == user)
                .values(asker=anon))).rowcount
            found = await conn.execute(select(k.c.question_id).where(
                in_scope(k, scope), k.c.helper.in_(ids)))
            touched.update(found.scalars())
            counts["acks_deleted"] = (await conn.execute(delete(k).where(
                in_scope(k, scope), k.c.helper.in_(ids)))).rowcount
            await _rekey_acks(conn, scope, user, anon)  # thanks they gave: credit stays

            own = select(m.c.id).where(in_scope(m, scope), m.c.author.in_(ids))
            counts["excerpts_deleted"] = (await conn.execute(delete(e).where(
                in_scope(e, scope), e.c.message_id.in_(own)))).rowcount
            questions = or_(m.c.is_question == true(), m.c.not_question == true())
            counts["messages_deleted"] = (await conn.execute(delete(m).where(
                in_scope(m, scope), m.c.author.in_(ids), ~questions))).rowcount
            counts["questions_kept_anonymous"] = (await conn.execute(
                update(m).where(in_scope(m, scope), m.c.author == user)
                .values(author=anon))).rowcount
            counts["activity_days_deleted"] = (await conn.execute(delete(d).where(
                in_scope(d, scope), d.c.user_id.in_(ids)))).rowcount
            counts["members_deleted"] = (await conn.execute(delete(mem).where(
                in_scope(mem, scope), mem.c.user_id.in_(ids)))).rowcount
            counts["corrections_deleted"] = (await conn.execute(delete(c).where(
                in_scope(c, scope), c.c.user_id.in_(ids)))).rowcount
            counts["nominations_deleted"] = (await conn.execute(delete(n).where(
                in_scope(n, scope), n.c.user_id.in_(ids)))).rowcount
            for column in ("nominated_by", "decided_by"):
                await conn.execute(update(n).where(in_scope(n, scope), n.c[column].in_(ids))
                                   .values({column: None}))
            counts["settings_changed"] = await _drop_from_settings(conn, scope, ids)
            await _set_state(conn, scope, hashed, "forgotten", at, keep_forgotten=False)
            if touched:
                await refresh_questions(conn, scope.platform, scope.community, touched)
        return counts

    # -- export ---------------------------------------------------------------------------
    async def export_member(self, scope: Scope, user: str, at: float) -> dict[str, Any]:
        """Everything stored about the member (under their id and their anonymous token),
        without other members' ids."""
        hashed, anon = self.identities(scope, user)
        ids = [user, anon]
        async with self.engine.connect() as conn:
            async def rows(columns: Iterable[Any], *where: Any) -> list[dict[str, Any]]:
                result = await conn.execute(select(*columns).where(*where))
                return [_jsonable(dict(row._mapping)) for row in result]

            state = (await conn.execute(select(p.c.state, p.c.since).where(
                in_scope(p, scope), p.c.user_hash == hashed))).first()
            own_messages = select(m.c.id).where(in_scope(m, scope), m.c.author.in_(ids))
            settings_rows = await conn.execute(select(s.c.key, s.c.value).where(in_scope(s, scope)))
            mentioned = [key for key, value in settings_rows
                         if isinstance(json.loads(value), list)
                         and set(json.loads(value)) & set(ids)]
            data: dict[str, Any] = {
                "format": "innercircle-export-1",
                "platform": scope.platform,
                "community": scope.community,
                "user": user,
                "anonymous_token": anon,
                "exported_at": _iso(at),
                "privacy": None if state is None else {"state": state.state,
                                                       "since": _iso(state.since)},
                "member": await rows([mem.c.user_id, mem.c.name, mem.c.is_staff,
                                      mem.c.joined_at, mem.c.left_at, mem.c.first_seen_at,
                                      mem.c.last_seen_at], in_scope(mem, scope),
                                     mem.c.user_id.in_(ids)),
                "messages": await rows([m.c.id, m.c.channel, m.c.thread, m.c.reply_to, m.c.ts,
                                        m.c.author, m.c.is_question, m.c.not_question,
                                        m.c.deleted, m.c.first_peer_answer_ts,
                                        m.c.first_staff_answer_ts],
                                       in_scope(m, scope), m.c.author.in_(ids)),
                "question_excerpts": await rows([e.c.message_id, e.c.text, e.c.expires_at],
                                                in_scope(e, scope),
                                                e.c.message_id.in_(own_messages)),
                "answers_given": await rows([a.c.question_id, a.c.answer_id, a.c.ts, a.c.via,
                                             a.c.active, a.c.acknowledged],
                                            in_scope(a, scope), a.c.answerer.in_(ids)),
                "answers_received": await rows([a.c.question_id, a.c.answer_id, a.c.ts,
                                                a.c.via, a.c.active, a.c.answerer_is_staff],
                                               in_scope(a, scope), a.c.asker.in_(ids)),
                "thanks_given": await rows([k.c.question_id, k.c.ts], in_scope(k, scope),
                                           k.c.user_id.in_(ids)),
                "thanks_received": await rows([k.c.question_id, k.c.ts], in_scope(k, scope),
                                              k.c.helper.in_(ids)),
                "activity_days": await rows([d.c.day, d.c.messages], in_scope(d, scope),
                                            d.c.user_id.in_(ids)),
                "corrections": await rows([c.c.kind, c.c.target, c.c.question_id, c.c.ts],
                                          in_scope(c, scope), c.c.user_id.in_(ids)),
                "nominations": await rows([n.c.id, n.c.source, n.c.week_start, n.c.reason,
                                           n.c.score, n.c.created_at, n.c.state,
                                           n.c.decided_at, n.c.outcome],
                                          in_scope(n, scope), n.c.user_id.in_(ids)),
                "named_in_settings": mentioned,
            }
        for row in data["activity_days"]:
            row["day"] = datetime.fromtimestamp(row["day"] * 86400, UTC).date().isoformat()
        return data


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("ts", "since", "joined_at", "left_at", "first_seen_at", "last_seen_at",
                   "expires_at", "created_at", "decided_at", "first_peer_answer_ts",
                   "first_staff_answer_ts"):
            value = _iso(value)
        out[key] = value
    return out


async def _set_state(conn: AsyncConnection, scope: Scope, hashed: str, state: str, at: float,
                     *, keep_forgotten: bool) -> None:
    if keep_forgotten:
        found = (await conn.execute(select(p.c.state).where(
            in_scope(p, scope), p.c.user_hash == hashed))).scalar_one_or_none()
        if found == "forgotten":
            return
    stmt = upsert(p, conn.dialect.name, ["platform", "community", "user_hash"],
                  {"state": lambda ex: ex.state, "since": lambda ex: ex.since})
    await conn.execute(stmt, [{"platform": scope.platform, "community": scope.community,
                               "user_hash": hashed, "state": state, "since": at}])


async def _rekey_acks(conn: AsyncConnection, scope: Scope, old: str, new: str) -> None:
    """Acks by or for ``old``: helper, user and the source key (which embeds them)."""
    rows = (await conn.execute(select(k.c.source, k.c.helper, k.c.user_id).where(
        in_scope(k, scope), or_(k.c.helper == old, k.c.user_id == old)))).all()
    for source, helper, user_id in rows:
        new_source = _swap(source, old, new)
        clash = new_source != source and (await conn.execute(select(k.c.source).where(
            in_scope(k, scope), k.c.source == new_source))).first() is not None
        if clash:
            await conn.execute(delete(k).where(in_scope(k, scope), k.c.source == source))
            continue
        await conn.execute(update(k).where(in_scope(k, scope), k.c.source == source).values(
            source=new_source, helper=new if helper == old else helper,
            user_id=new if user_id == old else user_id))


async def _rekey(conn: AsyncConnection, scope: Scope, old: str, new: str) -> None:
    """Every fact keyed by ``old`` re-keyed to ``new`` (opt-out)."""
    await conn.execute(update(m).where(in_scope(m, scope), m.c.author == old).values(author=new))
    await conn.execute(update(a).where(in_scope(a, scope), a.c.answerer == old)
                       .values(answerer=new))
    await conn.execute(update(a).where(in_scope(a, scope), a.c.asker == old).values(asker=new))
    await _rekey_acks(conn, scope, old, new)
    days = (await conn.execute(select(d.c.day, d.c.messages).where(
        in_scope(d, scope), d.c.user_id == old))).all()
    if days:
        stmt = upsert(d, conn.dialect.name, ["platform", "community", "user_id", "day"],
                      {"messages": lambda ex: d.c.messages + ex.messages})
        await conn.execute(stmt, [{"platform": scope.platform, "community": scope.community,
                                   "user_id": new, "day": day, "messages": count}
                                  for day, count in days])
        await conn.execute(delete(d).where(in_scope(d, scope), d.c.user_id == old))
    await _merge_member(conn, scope, old, new)
    corrections = (await conn.execute(select(c.c.id).where(
        in_scope(c, scope), c.c.user_id == old))).scalars().all()
    for correction_id in corrections:
        await conn.execute(update(c).where(in_scope(c, scope), c.c.id == correction_id)
                           .values(id=_swap(correction_id, old, new), user_id=new))
    await conn.execute(update(n).where(in_scope(n, scope), n.c.user_id == old,
                                       n.c.state == "pending")
                       .values(state="withdrawn", outcome="the member opted out"))
    for column in ("user_id", "nominated_by", "decided_by"):
        await conn.execute(update(n).where(in_scope(n, scope), n.c[column] == old)
                           .values({column: new}))
    await conn.execute(update(s).where(in_scope(s, scope), s.c.updated_by == old)
                       .values(updated_by=new))


async def _merge_member(conn: AsyncConnection, scope: Scope, old: str, new: str) -> None:
    """The member row of ``old`` becomes (or merges into) ``new``'s, without a name."""
    cols = [mem.c.is_staff, mem.c.joined_at, mem.c.left_at, mem.c.first_seen_at,
            mem.c.last_seen_at, mem.c.seen_in_catchup]
    mine = (await conn.execute(select(*cols).where(in_scope(mem, scope),
                                                   mem.c.user_id == old))).first()
    if mine is None:
        return
    theirs = (await conn.execute(select(*cols).where(in_scope(mem, scope),
                                                     mem.c.user_id == new))).first()
    values: dict[str, Any] = dict(mine._mapping)
    if theirs is not None:
        other = dict(theirs._mapping)
        for key in ("joined_at", "first_seen_at"):
            present = [v for v in (values[key], other[key]) if v is not None]
            values[key] = min(present) if present else None
        present = [v for v in (values["last_seen_at"], other["last_seen_at"]) if v is not None]
        values["last_seen_at"] = max(present) if present else None
        values["is_staff"] = bool(values["is_staff"] or other["is_staff"])
        values["seen_in_catchup"] = bool(values["seen_in_catchup"] or other["seen_in_catchup"])
        await conn.execute(update(mem).where(in_scope(mem, scope), mem.c.user_id == new)
                           .values(**values, name=None))
    else:
        await conn.execute(mem.insert().values(platform=scope.platform,
                                               community=scope.community, user_id=new,
                                               name=None, **values))
    await conn.execute(delete(mem).where(in_scope(mem, scope), mem.c.user_id == old))


async def _drop_from_settings(conn: AsyncConnection, scope: Scope, ids: list[str]) -> int:
    """Remove the member from list settings (moderators, staff_users …); forget who changed."""
    changed = 0
    for key, value in (await conn.execute(select(s.c.key, s.c.value).where(
            in_scope(s, scope)))).all():
        decoded = json.loads(value)
        if isinstance(decoded, list) and set(decoded) & set(ids):
            kept = [item for item in decoded if item not in ids]
            await conn.execute(update(s).where(in_scope(s, scope), s.c.key == key)
                               .values(value=json.dumps(kept)))
            changed += 1
    await conn.execute(update(s).where(in_scope(s, scope), s.c.updated_by.in_(ids))
                       .values(updated_by=None))
    return changed


__all__ = ["PrivacyQueries"]
