"""Reading cards: one by id, the queue's entries, today's learning cards, flags."""

from __future__ import annotations

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

# What today's queue may show: live, not suspended, not buried past the learner's today.
_QUEUE_BASE = "retired = 0 and suspended = 0 and (buried_until is null or buried_until <= ?)"


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

    def live_cards(self, deck: str | None = None) -> list[Row]:
        """Every card not retired (of one deck, or all), in uid order: what stats count."""
        sql = f"select {ROW_COLUMNS} from cards where retired = 0"
        params: list[Any] = []
        if deck:
            sql += " and deck = ?"
            params.append(deck)
        return self._row_list(sql + " order by uid", params)

    def all_cards(self) -> list[Row]:
        """Every card, retired ones too, in deck order."""
        return self._row_list(f"select {ROW_COLUMNS} from cards order by deck, position", [])

    def studied_cards(self) -> list[Row]:
        """Every card that has left the new state, in uid order (what a reschedule moves)."""
        return self._row_list(f"select {ROW_COLUMNS} from cards where state != 0 order by uid", [])

    def learning_cards(self, today: str, before: datetime, deck: str | None = None) -> list[Row]:
        """Live, unburied learning and relearning cards due before ``before``, soonest first."""
        sql = f"select {ROW_COLUMNS} from cards where {_QUEUE_BASE} and state in (1, 3) and due < ?"
        params: list[Any] = [today, ts(before)]
        if deck:
            sql += " and deck = ?"
            params.append(deck)
        return self._row_list(sql + " order by due", params)

    def due_reviews(
        self, today: str, before: datetime, deck: str | None, limit: int
    ) -> list[Entry]:
        """Queue entries of live review cards due before ``before``, oldest due first, up to
        ``limit``. Ties fall back to rowid (the order cards were added), which the index
        already holds: a sort on other columns would cost more than the whole query."""
        return self._entries(
            "state = 2 and due < ?", [ts(before)], "due, rowid", today, deck, limit
        )

    def due_load(
        self, start: datetime, end: datetime, decks: tuple[bool, list[str]] | None = None
    ) -> list[tuple[datetime, str, int]]:
        """(due, sibling key, state) of every live studied card due in ``[start, end)``,
        suspended and buried ones included, as Anki's load balancer counts them (any card
        whose due day lies in the range). The key is the card's fact within its deck, else
        its uid. ``decks`` limits it to a preset's decks, as Anki balances per preset:
        (True, slugs) only those decks, (False, slugs) all decks but those."""
        sql = (
            "select due, case when coalesce(fact, '') = '' then uid"
            " else deck || char(31) || fact end, state from cards"
            " where retired = 0 and suspended in (0, 1) and state in (1, 2, 3)"
            " and due >= ? and due < ?"
        )
        args: list[Any] = [ts(start), ts(end)]
        if decks is not None:
            inside, slugs = decks
            marks = ", ".join("?" for _ in slugs)
            sql += f" and deck {'' if inside else 'not '}in ({marks})"
            args += slugs
        out = []
        for due, key, state in self.conn.execute(sql, args):
            when = parse_ts(due)
            assert when is not None
            out.append((when, key, state))
        return out

    def new_cards(self, today: str, deck: str | None, limit: int) -> list[Entry]:
        """Queue entries of live new cards in deck order, up to ``limit``."""
        return self._entries("state = 0", [], "deck, position", today, deck, limit)

    def _entries(
        self, where: str, extra: list[Any], order: str, today: str, deck: str | None, limit: int
    ) -> list[Entry]:
        sql = (
            f"select uid, deck, coalesce(fact, ''), position, rowid from cards where {_QUEUE_BASE}"
        )
        params: list[Any] = [today]
        if deck:
            sql += " and deck = ?"
            params.append(deck)
        sql += f" and {where} order by {order} limit {int(limit)}"
        return [Entry(*t) for t in self.conn.execute(sql, [*params, *extra])]

    def _row_list(self, sql: str, params: list[Any]) -> list[Row]:
        # Straight from the cursor: building a dict per row first costs more than the query.
        return [row_from_tuple(t) for t in self.conn.execute(sql, params)]

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
        sql = (
            f"select uid, due, rowid from cards where {_QUEUE_BASE} and state in (1, 3) and due < ?"
        )
        params: list[Any] = [today, ts(before)]
        if deck:
            sql += " and deck = ?"
            params.append(deck)
        return self.conn.execute(sql + " order by due", params).fetchall()

    def set_flags(self, uid: str, **flags: Any) -> None:
        with self._write():
            self.db.table("cards").update(uid, flags)
