"""Writing an imported Anki history into the collection: decks, cards, their review log and
memory, in one transaction, so a failed import leaves the collection as it was.

Idempotent by construction: a card is inserted only when its uid is new, a review only when
the card has no review at the same millisecond (Anki's revlog ids are epoch milliseconds),
and a card's memory is written only when reviews were added to it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from recall.memory import Memory
from recall.store.cards import EXPORT_COLUMNS
from recall.store.connection import Base
from recall.store.rows import (
    BEFORE_AFTER,
    MEMORY_NAMES,
    STAMP_NAMES,
    insert_sql,
    memory_values,
    ts,
)

if TYPE_CHECKING:
    from recall.cards import Card
    from recall.deckfile import Deck

_INSERT_REVIEW = insert_sql(
    "reviews",
    "card",
    "rating",
    "reviewed_at",
    "duration_ms",
    "elapsed_days",
    *BEFORE_AFTER,
    *STAMP_NAMES,
)
_SET_MEMORY = f"update cards set {', '.join(f'{n} = ?' for n in MEMORY_NAMES)} where uid = ?"


@dataclass(frozen=True)
class ImportedReview:
    rating: int
    at: datetime
    duration_ms: int
    elapsed_days: int
    before: Memory
    after: Memory
    day: str  # the learner day it was answered on, in the calendar it was replayed on


@dataclass
class History:
    """A card's review log from Anki and the memory it ends in."""

    uid: str
    reviews: Sequence[ImportedReview]
    memory: Memory
    suspended: bool = False
    buried_until: str | None = None


@dataclass
class ImportCounts:
    decks: int = 0
    cards_added: int = 0
    cards_edited: int = 0
    reviews_added: int = 0
    reviews_present: int = 0
    histories: int = 0
    added_uids: list[str] = field(default_factory=list)


class ImportStore(Base):
    """Named queries for ``recall import``."""

    def card_keys(self) -> list[tuple[str, str, str]]:
        """(uid, deck, id) of every card: what an Anki note's guid is matched against."""
        return self.conn.execute("select uid, deck, id from cards").fetchall()

    def card_content(self, uid: str) -> tuple[Any, ...] | None:
        """One card's :data:`~recall.store.cards.EXPORT_COLUMNS` (what its note shows)."""
        sql = f"select {', '.join(EXPORT_COLUMNS)} from cards where uid = ?"
        row = self.conn.execute(sql, [uid]).fetchone()
        return tuple(row) if row else None

    def review_millis(self) -> dict[str, set[int]]:
        """Each card's review instants in epoch milliseconds (what a revlog id holds)."""
        ms = "cast(round((julianday(reviewed_at) - 2440587.5) * 86400000) as integer)"
        out: dict[str, set[int]] = {}
        for card, at in self.conn.execute(f"select card, {ms} from reviews"):
            out.setdefault(card, set()).add(at)
        return out

    def import_history(
        self,
        decks: Sequence[tuple[Deck, str]],
        edits: Sequence[tuple[str, Card, datetime]],
        histories: Sequence[History],
        now: datetime,
        calendar: tuple[str, int, str, str],
    ) -> ImportCounts:
        """Add ``decks`` (with their file names), the learner's ``edits`` of existing cards
        (uid, new content, when edited) and ``histories``, all in one transaction. Each log
        row records ``calendar`` (zone, day-start hour, learning and relearning steps, as
        :func:`recall.study.schedule.log_stamp`), the settings its history was replayed on,
        so that changing them later leaves the imported past as it was."""
        counts = ImportCounts()
        known = {uid for uid, _, _ in self.card_keys()}
        present = self.review_millis()
        with self._write(), self._keys_unchecked():
            for deck, file in decks:
                counts.decks += 1
                self._import_deck(deck, file, known, now, counts)
            for uid, card, when in edits:
                self.conn.execute(
                    "update cards set front = ?, back = ?, options = ?, answer = ?, "
                    "changed_at = ? where uid = ?",
                    [card.front, card.back, json.dumps(list(card.options), ensure_ascii=False),
                     card.answer, ts(when), uid],
                )  # fmt: skip
                counts.cards_edited += 1
            added = set(counts.added_uids)
            rows: list[tuple[Any, ...]] = []
            states: list[tuple[Any, ...]] = []
            flags: list[tuple[Any, ...]] = []
            for history in histories:
                if not history.reviews:
                    if history.uid in added:  # a new card's flags come with it, once
                        flags.append(_flags(history))
                    continue
                before = len(rows)
                _review_rows(history, present.get(history.uid, set()), calendar, rows)
                if len(rows) == before:
                    counts.reviews_present += len(history.reviews)
                    continue
                counts.reviews_present += len(history.reviews) - (len(rows) - before)
                counts.reviews_added += len(rows) - before
                counts.histories += 1
                states.append((*memory_values(history.memory), history.uid))
                flags.append(_flags(history))
            self.conn.executemany(_INSERT_REVIEW, rows)
            self.conn.executemany(_SET_MEMORY, states)
            self.conn.executemany(_SET_FLAGS, flags)
        return counts

    def _import_deck(
        self, deck: Deck, file: str, known: set[str], now: datetime, counts: ImportCounts
    ) -> None:
        self.conn.execute(
            "insert into decks (slug, title, category, date, lesson, file, added_at) "
            "values (?, ?, ?, ?, ?, ?, ?) on conflict(slug) do update set title = "
            "excluded.title, category = excluded.category, file = excluded.file",
            [deck.slug, deck.title, deck.category, deck.date, deck.lesson, file, ts(now)],
        )
        (start,) = self.conn.execute(
            "select coalesce(max(position) + 1, 0) from cards where deck = ?", [deck.slug]
        ).fetchone()
        rows = []
        for card in deck.cards:
            uid = f"{deck.slug}:{card.id}"
            if uid in known:
                continue
            known.add(uid)
            rows.append(_card_values(deck.slug, card, start + counts.cards_added, now))
            counts.cards_added += 1
            counts.added_uids.append(uid)
        self.conn.executemany(
            "insert into cards (uid, deck, id, position, kind, fact, front, back, options, "
            "answer, tags, source, url, as_of, hash, retired, suspended, state, reps, "
            "lapses, added_at, changed_at) values "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, ?, ?)",
            rows,
        )


_SET_FLAGS = "update cards set suspended = ?, buried_until = ? where uid = ?"


def _flags(history: History) -> tuple[Any, ...]:
    return (int(history.suspended), history.buried_until, history.uid)


def _review_rows(
    history: History, present: set[int], calendar: tuple[str, int, str, str],
    out: list[tuple[Any, ...]],
) -> None:  # fmt: skip
    """Append the log rows of ``history`` not already in the log; each memory is turned into
    column values once (a row's "before" is the previous row's "after")."""
    uid, values = history.uid, memory_values(history.reviews[0].before)
    for r in history.reviews:
        after = memory_values(r.after)
        if _millis(r.at) not in present:  # after[5], its last review, is this answer's instant
            out.append((uid, r.rating, after[5], r.duration_ms, r.elapsed_days, *values, *after,
                        r.day, *calendar))  # fmt: skip
        values = after


def _millis(at: datetime) -> int:
    return round(at.timestamp() * 1000)


def _card_values(slug: str, card: Card, position: int, now: datetime) -> list[Any]:
    stamp = ts(now)
    return [
        f"{slug}:{card.id}", slug, card.id, position, card.kind, card.fact, card.front,
        card.back, json.dumps(list(card.options), ensure_ascii=False), card.answer,
        json.dumps(list(card.tags), ensure_ascii=False), card.source, card.url, card.as_of,
        card.hash, stamp, ts(datetime.fromisoformat(card.changed)) if card.changed else stamp,
    ]  # fmt: skip
