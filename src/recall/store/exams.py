"""Exams the learner studies for, kept in the config table as one dated history.

Each exam is a JSON record (date, decks, target, daily cap) with the instant it was set and,
once cleared, the instant it was cleared. Nothing is ever deleted: the exams in force at any
answer are the ones set before it and not yet cleared, so the log's instants and this history
together say which exam shaped each recorded due day.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypedDict

from recall.store.connection import Base
from recall.store.rows import ts

_KEY = "exams"


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

    def add_exam(
        self, day: str, decks: list[str], target: float, max_reviews: int | None, now: datetime
    ) -> ExamRecord:
        history = self.exam_history()
        record: ExamRecord = {
            "id": 1 + max((e["id"] for e in history), default=0),
            "date": day,
            "decks": sorted(decks),
            "target": target,
            "max_reviews": max_reviews,
            "set_at": ts(now),
            "cleared_at": None,
        }
        self._save_exams([*history, record])
        return record

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
