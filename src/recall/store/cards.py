"""Reading cards: one by id, the queue's entries, today's learning cards, flags."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from recall.errors import RecallError
from recall.memory import State
from recall.store.connection import Base
from recall.store.rows import MEMORY_NAMES, ROW_COLUMNS, Entry, Row, parse_ts, row_from_tuple, ts

EXPORT_COLUMNS = (
    "uid", "id", "kind", "fact", "front", "back", "options", "answer", "tags", "source", "url",
    "as_of", "position", "changed_at", "added_at", "suspended", "buried_until",
)  # fmt: skip


class CardStore(Base):
    """Named queries that read cards: by id, for today's queue, for export; and their flags."""

    def next_due(self, after: datetime | None = None, deck: str | None = None) -> datetime | None:
        """The earliest due instant of a studied, live card (at or after ``after``).

        One indexed lookup per state rather than ``state != 0``, which no index can serve.
        """
        best: str | None = None
        for state in (State.Learning, State.Review, State.Relearning):
            sql = "select min(due) from cards where retired = 0 and suspended = 0 and state = ?"
            params: list[Any] = [int(state)]
            if after is not None:
                sql += " and due >= ?"
                params.append(ts(after))
            if deck:
                sql += " and deck = ?"
                params.append(deck)
            (due,) = self.conn.execute(sql, params).fetchone()
            if due is not None and (best is None or due < best):
                best = due
        return parse_ts(best)

    def card(self, uid: str, rowid: int = 0) -> Row:
        """The card ``uid``; ``rowid`` (from a queue :class:`Entry`) finds it with one
        B-tree search instead of two, and is checked against the uid."""
        row = None
        if rowid:
            sql = f"select {ROW_COLUMNS} from cards where rowid = ? and uid = ?"
            row = self.conn.execute(sql, [rowid, uid]).fetchone()
        if row is None:
            sql = f"select {ROW_COLUMNS} from cards where uid = ?"
            row = self.conn.execute(sql, [uid]).fetchone()
        if row is None:
            raise RecallError(f"no such card: {uid}")
        return row_from_tuple(row)

    def find_card(self, ref: str) -> Row:
        """A card by uid (``deck:id``) or by its deck-file id when that is unique."""
        sql = f"select {ROW_COLUMNS} from cards where uid = ? or id = ?"
        rows = self.conn.execute(sql, [ref, ref]).fetchall()
        if len(rows) != 1:
            raise RecallError(f"{'no such card' if not rows else 'several cards have id'}: {ref}")
        return row_from_tuple(rows[0])

    def cards(
        self,
        where: str = "1",
        params: Iterable[Any] = (),
        order: str = "deck, position",
        limit: int | None = None,
    ) -> list[Row]:
        sql = f"select {ROW_COLUMNS} from cards where {where} order by {order}" + (
            f" limit {int(limit)}" if limit is not None else ""
        )
        # Straight from the cursor: building a dict per row first costs more than the query.
        return [row_from_tuple(t) for t in self.conn.execute(sql, list(params))]

    def entries(
        self, where: str, params: Iterable[Any], order: str, limit: int | None = None
    ) -> list[Entry]:
        """Queue entries for the cards matching ``where`` (see :meth:`cards`)."""
        sql = f"select uid, deck, coalesce(fact, ''), position, rowid from cards where {where}"
        sql += f" order by {order}"
        if limit is not None:
            sql += f" limit {int(limit)}"
        return [Entry(*t) for t in self.conn.execute(sql, list(params))]

    def export_rows(self, slug: str) -> list[tuple[Any, ...]]:
        """Every live card of a deck in deck order, as tuples of :data:`EXPORT_COLUMNS`
        followed by the memory columns (for ``recall export``)."""
        sql = f"""select {", ".join(EXPORT_COLUMNS)}, {", ".join(MEMORY_NAMES)} from cards
                  where deck = ? and retired = 0 order by position"""
        return self.conn.execute(sql, [slug]).fetchall()

    def learning_due(
        self, before: datetime, today: str, deck: str | None = None
    ) -> list[tuple[str, str, int]]:
        """(uid, due, rowid) of live, unburied learning and relearning cards due before ``before``.

        Asked at the start of a session and after each answer that moves a card into or out
        of learning, so it reads three columns, not whole cards.
        """
        sql = """select uid, due, rowid from cards where retired = 0 and suspended = 0
                 and (buried_until is null or buried_until <= ?)
                 and state in (1, 3) and due < ?"""
        params: list[Any] = [today, ts(before)]
        if deck:
            sql += " and deck = ?"
            params.append(deck)
        return self.conn.execute(sql + " order by due", params).fetchall()

    def set_flags(self, uid: str, **flags: Any) -> None:
        with self._write():
            self.db.table("cards").update(uid, flags)
