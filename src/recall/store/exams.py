"""Exams the learner studies for, kept in the config table as one dated history.

Each exam is a JSON record (date, decks, target, daily cap) with the instant it was set and,
once cleared, the instant it was cleared. Nothing is ever deleted: the exams in force at any
answer are the ones set before it and not yet cleared, so the log's instants and this history
together say which exam shaped each recorded due day.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, NotRequired, TypedDict

from recall.memory import Memory, State
from recall.store.connection import Base
from recall.store.rows import (
    BEFORE_AFTER,
    MEMORY_NAMES,
    SET_MEMORY_SAME_STATE,
    insert_sql,
    memory_values,
    ts,
)

_KEY = "exams"
_EXAM = "exam"  # the kind of the parameter change an `exam set` reschedule is written as
_INSERT_RESCHEDULE = insert_sql("reschedules", "change", "card", "at", *BEFORE_AFTER)


class ExamRecord(TypedDict):
    """One exam as stored: ``decks`` empty means every deck; ``max_reviews`` None means the
    learner's daily review limit."""

    id: int
    date: str
    decks: list[str]
    target: float
    max_reviews: int | None
    set_at: str
    cleared_at: str | None
    #: The reschedule change that brought cards forward when the exam was set (none moved:
    #: absent); ``max_minutes`` and ``seconds_per_review`` when the cap was given in minutes.
    change: NotRequired[int]
    max_minutes: NotRequired[int]
    seconds_per_review: NotRequired[float]


class ExamStore(Base):
    """Named reads and writes of the exam history."""

    def exam_history(self) -> list[ExamRecord]:
        """Every exam ever set, oldest first (cleared ones too)."""
        row = self.conn.execute("select value from config where key = ?", [_KEY]).fetchone()
        return list(json.loads(row[0])) if row else []

    def exams_in_force(self, at: datetime) -> list[ExamRecord]:
        """The exams set before ``at`` and not cleared by then."""
        stamp = ts(at)
        return [
            e
            for e in self.exam_history()
            if e["set_at"] <= stamp and (e["cleared_at"] is None or e["cleared_at"] > stamp)
        ]

    def next_exam_id(self) -> int:
        return 1 + max((e["id"] for e in self.exam_history()), default=0)

    def add_exam(self, record: ExamRecord, moves: dict[str, Memory], now: datetime) -> ExamRecord:
        """Store ``record`` and bring ``moves`` (uid: memory with the earlier due) forward, in
        one transaction. The moves are written as a reschedule change of kind ``exam``, with
        each card's memory before and after, so ``recall check`` replays them."""
        stamp = ts(now)
        with self._write():
            if moves:
                record = {**record, "change": self._reschedule(moves, stamp)}
            history = [*self.exam_history(), record]  # not _save_exams: one transaction
            self.db.table("config").upsert({"key": _KEY, "value": json.dumps(history)}, pk="key")
        return record

    def _reschedule(self, moves: dict[str, Memory], stamp: str) -> int:
        """Inside a write: one ``exam`` change with a reschedule row per moved card."""
        found = self.conn.execute("select value from config where key = 'parameter_stack'")
        row = found.fetchone()
        in_force = json.loads(row[0])[-1] if row else None
        cursor = self.conn.execute(
            "insert into parameter_changes (at, parameter_set, kind) values (?, ?, ?)",
            [stamp, in_force, _EXAM],
        )
        change = int(cursor.lastrowid or 0)
        sql = f"select {', '.join(MEMORY_NAMES)} from cards where uid = ?"
        before = {uid: tuple(self.conn.execute(sql, [uid]).fetchone()) for uid in moves}
        rows = [(change, uid, stamp, *before[uid], *memory_values(m)) for uid, m in moves.items()]
        self.conn.executemany(_INSERT_RESCHEDULE, rows)
        self.conn.executemany(
            f"{SET_MEMORY_SAME_STATE} where uid = ?",
            [(*memory_values(m)[1:], uid) for uid, m in moves.items()],
        )
        return change

    def exam_moves_left(self, change: int) -> int:
        """Cards an exam's reschedule brought forward that no answer has rescheduled since."""
        sql = """select count(*) from reschedules s join parameter_changes c on c.id = s.change
                 where s.change = ? and not exists (select 1 from reviews r
                 where r.card = s.card and r.reviewed_at >= c.at)"""
        return int(self.conn.execute(sql, [change]).fetchone()[0])

    def review_seconds(self) -> tuple[float, int] | None:
        """The mean time of an answer to a review card, in seconds, over the timed answers
        in the log, with how many there were; None when the log has none."""
        sql = "select avg(duration_ms), count(*) from reviews where state_before = ? "
        sql += "and duration_ms > 0"
        mean, n = self.conn.execute(sql, [int(State.Review)]).fetchone()
        return (float(mean) / 1000, int(n)) if n else None

    def clear_exams(self, now: datetime, ids: list[int] | None = None) -> list[ExamRecord]:
        """Mark the exams in force (or those of ``ids``) cleared at ``now``; returns them."""
        history, stamp, cleared = self.exam_history(), ts(now), []
        for exam in history:
            if exam["cleared_at"] is None and (ids is None or exam["id"] in ids):
                exam["cleared_at"] = stamp
                cleared.append(exam)
        if cleared:
            self._save_exams(history)
        return cleared

    def _save_exams(self, history: list[Any]) -> None:
        with self._write():
            self.db.table("config").upsert({"key": _KEY, "value": json.dumps(history)}, pk="key")
