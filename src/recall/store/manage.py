"""A learner's changes to cards outside a review: flags for many cards, forget, edit, and
removing a deck.

Forgetting keeps the review log whole (it is the source of truth): the reset is written as a
reschedule, the same record ``recall optimize --apply`` leaves, so ``recall check`` replays a
forgotten card from its new start and still checks every answer before it.

A learner's edit of a card's text is remembered beside the card as the deck-file text it
was made over (a digest, in the config table: no new column). ``recall add`` of a newer
deck file keeps the edit while the file's text of that card is still what it was, and
reports it; once the file itself changes that card, the file wins, as a lesson change wins
over a teacher's edit in ``recall generate``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from recall.errors import RecallError
from recall.memory import Memory
from recall.store.cards import CardStore
from recall.store.rows import BEFORE_AFTER, SET_MEMORY, insert_sql, memory_values, ts

_EDIT_KEY = "edit:"  # + uid: the content digest of the deck-file text an edit was made over
_INSERT_RESCHEDULE = insert_sql("reschedules", "change", "card", "at", *BEFORE_AFTER)
_FORGET = "forget"


@dataclass(frozen=True)
class CardText:
    """What a learner may edit: the text shown, and for multiple choice the options."""

    front: str
    back: str
    options: tuple[str, ...] = ()
    answer: str = ""


@dataclass(frozen=True)
class Removed:
    deck: str
    cards: int
    reviews: int


class ManageStore(CardStore):
    """Named writes a learner makes by hand: flags, forget, edit, remove a deck."""

    def set_flags_many(self, uids: Iterable[str], **flags: Any) -> None:
        """The same flags on many cards, in one transaction."""
        names = sorted(flags)
        sql = f"update cards set {', '.join(f'{n} = ?' for n in names)} where uid = ?"
        values = [flags[n] for n in names]
        with self._write(raw=True):
            self.conn.executemany(sql, [(*values, uid) for uid in uids])

    def forget(self, memories: dict[str, Memory], now: datetime) -> int:
        """Reset cards to new; ``memories`` is each card's memory now. Written as one
        reschedule change of kind ``forget``, so the log still explains every card."""
        stamp = ts(now)
        stack = self._parameter_stack()
        with self._write(raw=True):
            cursor = self.conn.execute(
                "insert into parameter_changes (at, parameter_set, kind) values (?, ?, ?)",
                [stamp, stack[-1], _FORGET],
            )
            change = int(cursor.lastrowid or 0)
            fresh = memory_values(Memory())
            rows = [(change, uid, stamp, *memory_values(m), *fresh) for uid, m in memories.items()]
            self.conn.executemany(_INSERT_RESCHEDULE, rows)
            self.conn.executemany(
                f"{SET_MEMORY}, buried_until = null where uid = ?",
                [(*fresh, uid) for uid in memories],
            )
        return change

    def _parameter_stack(self) -> list[int | None]:
        row = self.conn.execute("select value from config where key = 'parameter_stack'")
        found = row.fetchone()
        return list(json.loads(found[0])) if found else [None]

    def edit_card(self, uid: str, text: CardText, base: str, now: datetime) -> None:
        """Put the learner's text on a card. ``base`` is the content digest of the deck-file
        text being replaced (kept from the first edit on, so later edits stay over it)."""
        with self._write(raw=True):
            self.conn.execute(
                "update cards set front = ?, back = ?, options = ?, answer = ?, changed_at = ? "
                "where uid = ?",
                [text.front, text.back, json.dumps(list(text.options), ensure_ascii=False),
                 text.answer, ts(now), uid],
            )  # fmt: skip
            self.conn.execute(
                "insert into config (key, value) values (?, ?) on conflict(key) do nothing",
                [_EDIT_KEY + uid, json.dumps({"base": base, "at": ts(now)})],
            )

    def learner_edits(self, slug: str) -> dict[str, str]:
        """Card id → the content digest each learner edit of this deck was made over."""
        prefix = f"{_EDIT_KEY}{slug}:"
        sql = "select key, value from config where key >= ? and key < ?"
        rows = self.conn.execute(sql, [prefix, prefix + "\U0010ffff"])
        return {key[len(prefix) :]: json.loads(value)["base"] for key, value in rows}

    def edit_base(self, uid: str) -> str | None:
        sql = "select value from config where key = ?"
        row = self.conn.execute(sql, [_EDIT_KEY + uid]).fetchone()
        return str(json.loads(row[0])["base"]) if row else None

    def _drop_edits(self, uids: Iterable[str]) -> None:
        """Forget learner edits (inside a write transaction)."""
        self.conn.executemany("delete from config where key = ?", [(_EDIT_KEY + u,) for u in uids])

    def remove_deck(self, slug: str) -> Removed:
        """Delete a deck, its cards, their review log and reschedules, in one transaction."""
        count = "select count(*) from {} where card in (select uid from cards where deck = ?)"
        reviews = int(self.conn.execute(count.format("reviews"), [slug]).fetchone()[0])
        uids = [u for (u,) in self.conn.execute("select uid from cards where deck = ?", [slug])]
        if not self.conn.execute("select 1 from decks where slug = ?", [slug]).fetchone():
            raise RecallError(f"no such deck: {slug!r}")
        with self._write(raw=True):
            for table in ("reviews", "reschedules"):
                self.conn.execute(
                    f"delete from {table} where card in (select uid from cards where deck = ?)",
                    [slug],
                )
            self._drop_edits(uids)
            self.conn.execute("delete from cards where deck = ?", [slug])
            self.conn.execute("delete from decks where slug = ?", [slug])
        return Removed(slug, len(uids), reviews)
