"""The review log: the answer path, undo, and whole-log reads in time order."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from recall.errors import RecallError
from recall.memory import Memory, Rating
from recall.store.cards import CardStore
from recall.store.rows import (
    BEFORE_AFTER,
    MEMORY_COLUMNS,
    MEMORY_NAMES,
    SET_MEMORY,
    SET_MEMORY_SAME_STATE,
    STAMP_NAMES,
    Row,
    insert_sql,
    memory_from_tuple,
    memory_values,
    ts,
)

# searched) and checks the uid too, since a VACUUM may renumber rowids.
_READ_MEMORY = f"select rowid, {', '.join(MEMORY_NAMES)} from cards"
_SELECT_MEMORY_AT = f"{_READ_MEMORY} where rowid = ? and uid = ?"
_SELECT_MEMORY_BY_UID = f"{_READ_MEMORY} where uid = ?"
_UPDATE_MEMORY = f"{SET_MEMORY} where uid = ?"
_UPDATE_MEMORY_AT = f"{SET_MEMORY} where rowid = ?"
_UPDATE_MEMORY_SAME_STATE = f"{SET_MEMORY_SAME_STATE} where rowid = ?"


_INSERT_REVIEW = insert_sql(
    "reviews", "card", "rating", "reviewed_at", "duration_ms", "elapsed_days", *BEFORE_AFTER,
    *STAMP_NAMES, "preset",
)  # fmt: skip
_NO_STAMP = (None,) * len(STAMP_NAMES)


class LogStore(CardStore):
    """Named queries of the review log: the answer path, undo, and reads in time order."""

    def answer(
        self,
        uid: str,
        schedule: Callable[[Memory], tuple[Memory, int]],
        rating: Rating,
        now: datetime,
        duration_ms: int,
        rowid: int = 0,
        stamp: Sequence[Any] | None = None,
        preset: int | None = None,
    ) -> int:
        """Store one answer: the card's new memory and its log row, in one transaction.

        The card's memory is read inside the transaction (which takes the write lock at
        once), so an answer given in another session a moment ago is built upon, never lost.
        ``rowid`` is the card's :attr:`Row.rowid`, a shortcut checked against ``uid``.
        ``stamp`` is what the row records of the calendar and steps (:data:`STAMP_NAMES`),
        ``preset`` the version of the deck's preset it was scheduled with.
        """
        conn = self.conn
        with self._keys_unchecked(), self._write(raw=True):
            found = conn.execute(_SELECT_MEMORY_AT, (rowid, uid)).fetchone() if rowid else None
            if found is None:
                found = conn.execute(_SELECT_MEMORY_BY_UID, (uid,)).fetchone()
                if found is None:
                    raise RecallError(f"no such card: {uid}")
            key, row = found[0], found[1:]
            before = memory_from_tuple(row)
            after, elapsed_days = schedule(before)
            values = memory_values(after)
            calendar = stamp or _NO_STAMP
            if values[0] == row[0]:
                conn.execute(_UPDATE_MEMORY_SAME_STATE, (*values[1:], key))
            else:
                conn.execute(_UPDATE_MEMORY_AT, (*values, key))
            cursor = conn.execute(
                _INSERT_REVIEW,
                (
                    uid,
                    int(rating),
                    ts(now),
                    duration_ms,
                    elapsed_days,
                    *row,
                    *values,
                    *calendar,
                    preset,
                ),
            )
            return int(cursor.lastrowid or 0)

    def undo(self, review_id: int) -> Row:
        """Take back one answer: delete its log row and restore the card exactly as before.

        Refused when the card was answered again since, or rescheduled since (``recall
        optimize --apply`` or ``--revert``, or a forget): the memory before the answer would
        then undo the reschedule too, and the log could no longer explain the card. Read and
        written under the write lock, so nothing can slip in between the checks and the write.
        """
        with self._write():
            rows = list(self._query("select * from reviews where id = ?", [review_id]))
            if not rows:
                raise RecallError("nothing to undo")
            log = rows[0]
            later = self.conn.execute(
                "select count(*) from reviews where id > ? and card = ?", [review_id, log["card"]]
            ).fetchone()[0]
            if later:
                raise RecallError("that card was answered again since; undo the later answer first")
            rescheduled = self.conn.execute(
                "select count(*) from reschedules where card = ? and at >= ?",
                [log["card"], log["reviewed_at"]],
            ).fetchone()[0]
            if rescheduled:
                raise RecallError(
                    "cannot undo: recall optimize (or a forget) rescheduled this card after "
                    "that answer"
                )
            before = {name: log[f"{name}_before"] for name, _ in MEMORY_COLUMNS}
            self.db.table("cards").update(log["card"], before)
            self.db.execute("delete from reviews where id = ?", [review_id])
        return self.card(log["card"])

    def log(self, uid: str) -> list[dict[str, Any]]:
        """One card's log rows, oldest first: a scan of the whole log (see m004)."""
        return list(self._query("select * from reviews where card = ? order by id", [uid]))

    def all_logs(self) -> Iterator[dict[str, Any]]:
        yield from self._rows("select * from reviews order by card, id")

    def answered_between(
        self, start: datetime, end: datetime, deck: str | None = None
    ) -> list[dict[str, Any]]:
        sql = """
            select r.card, r.rating, r.state_before, r.reviewed_at, r.duration_ms, c.deck, c.fact
            from reviews r join cards c on c.uid = r.card
            where r.reviewed_at >= ? and r.reviewed_at < ?
        """
        params: list[Any] = [ts(start), ts(end)]
        if deck:
            sql += " and c.deck = ?"
            params.append(deck)
        return list(self._query(sql, params))

    def answered_since(self, instant: str) -> set[str]:
        sql = "select distinct card from reviews where reviewed_at > ?"
        return {uid for (uid,) in self.conn.execute(sql, [instant])}

    def logs_by_card(self, slug: str) -> dict[str, list[tuple[Any, ...]]]:
        """A deck's review log grouped by card, oldest first, as tuples of (reviewed_at in
        UNIX ms, rating, duration_ms, state_before, due_before, state_after, due_after; dues
        in UNIX seconds; interval_after, the days the answer gave as recorded, None on a row
        that recorded none). SQLite converts the times: a lifetime's log is a million rows."""
        ms = "cast(round((julianday({}) - 2440587.5) * 86400000) as integer)"
        sql = f"""select r.card, {ms.format("r.reviewed_at")}, r.rating, r.duration_ms,
                         r.state_before, {ms.format("r.due_before")} / 1000.0,
                         r.state_after, {ms.format("r.due_after")} / 1000.0, r.interval_after
                  from reviews r join cards c on c.uid = r.card
                  where c.deck = ? and c.retired = 0 order by r.id"""
        out: dict[str, list[tuple[Any, ...]]] = {}
        for card, *rest in self.conn.execute(sql, [slug]):
            out.setdefault(card, []).append(tuple(rest))
        return out

    def studied_memories(self) -> dict[str, Memory]:
        """Every studied card's memory, by uid: what a reschedule starts from."""
        return {row.uid: row.memory for row in self.studied_cards()}

    def review_history(
        self, deck: str | None = None, cards: Iterable[str] | None = None
    ) -> dict[str, list[tuple[float, int, int | None]]]:
        """Every card's answers, oldest first, as (UNIX time, rating, learner day): the
        optimizer's input. The day is the one the row recorded when it was answered (a
        proleptic ordinal; None on a row that recorded none), so a later change of day start
        or zone does not move past reviews. ``cards`` reads only those cards' answers (one
        pass over the log, however many they are)."""
        sql = """select r.card, (julianday(r.reviewed_at) - 2440587.5) * 86400, r.rating,
                        cast(julianday(r.day) - 1721424.5 as integer)
                 from reviews r"""
        params: list[Any] = []
        if deck:
            sql += " join cards c on c.uid = r.card where c.deck = ?"
            params.append(deck)
        if cards is not None:
            sql += " and" if deck else " where"
            sql += " r.card in (select value from json_each(?))"
            params.append(json.dumps(sorted(cards)))
        out: dict[str, list[tuple[float, int, int | None]]] = {}
        for card, at, rating, day in self.conn.execute(sql + " order by r.id", params):
            out.setdefault(card, []).append((at, rating, day))
        return {card: out[card] for card in sorted(out)}  # the fit sees cards in uid order
