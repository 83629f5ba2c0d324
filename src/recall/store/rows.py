"""Row shapes: a card as the queue and the screens see it, and the columns a memory fills.

Times are stored as sortable UTC text (:func:`ts`); a memory is nine columns, written
once per answer and twice per log row (before and after).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from recall.memory import Memory, State

#: The memory columns m001 created (m001 and m003 build their tables from these: a
#: migration's tables never change once released).
MEMORY_COLUMNS_M001 = (
    ("state", int), ("step", int), ("stability", float), ("difficulty", float),
    ("due", str), ("last_review", str), ("reps", int), ("lapses", int),
)  # fmt: skip
#: Every memory column: m005 added a review card's scheduled days.
MEMORY_COLUMNS = (*MEMORY_COLUMNS_M001, ("interval", int))

#: What a log row records about the calendar and steps its answer was scheduled with (m005),
#: so that a later change of zone, day start or steps never rewrites the past.
STAMP_NAMES = ("day", "zone", "day_start_hour", "learning_steps", "relearning_steps")


MEMORY_NAMES = tuple(name for name, _ in MEMORY_COLUMNS)
# The answer path runs once per key press: prepared statements, no introspection. It finds
# its card by rowid (the queue read it from the index it walked, so no second B-tree is
SET_MEMORY = f"update cards set {', '.join(f'{n} = ?' for n in MEMORY_NAMES)}"
# Most answers leave the state as it was (a review stays a review). Leaving the column out
# of the statement lets SQLite skip the new-card index, which holds state but not due: one
# page fewer to read and to write to the log per answer on a collection too big to cache.
SET_MEMORY_SAME_STATE = f"update cards set {', '.join(f'{n} = ?' for n in MEMORY_NAMES[1:])}"


BEFORE_AFTER = (*(f"{n}_before" for n in MEMORY_NAMES), *(f"{n}_after" for n in MEMORY_NAMES))


def insert_sql(table: str, *names: str) -> str:
    return f"insert into {table} ({', '.join(names)}) values ({', '.join('?' * len(names))})"


def ts(instant: datetime) -> str:
    """A UTC instant as sortable text: ``2026-11-25T06:30:00.000000Z``."""
    return instant.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def parse_ts(text: str | None) -> datetime | None:
    """The inverse of :func:`ts` (``fromisoformat`` reads the ``Z``, ten times faster)."""
    return None if text is None else datetime.fromisoformat(text)


@dataclass(frozen=True)
class Row:
    """A card in the collection: what it shows and its scheduling memory."""

    uid: str
    deck: str
    id: str
    position: int
    kind: str
    fact: str
    front: str
    back: str
    options: tuple[str, ...]
    answer: str
    memory: Memory
    suspended: bool = False
    buried_until: str | None = None
    retired: bool = False
    rowid: int = 0  # SQLite's key for the row: a shortcut for the answer, never an identity

    @property
    def sibling_key(self) -> str:
        return f"{self.deck}\x1f{self.fact}" if self.fact else self.uid


@dataclass(frozen=True, slots=True)
class Entry:
    """A card's place in today's queue: enough to order it and keep siblings apart.

    The queue holds hundreds of these; the full :class:`Row` is read only for the card on
    screen, which keeps the first card of a session quick on a lifetime collection. The
    sibling key is worked out once here: the session filters the queue by it per answer.
    """

    uid: str
    deck: str
    fact: str
    position: int
    rowid: int = 0
    sibling_key: str = field(init=False)

    def __post_init__(self) -> None:
        key = f"{self.deck}\x1f{self.fact}" if self.fact else self.uid
        object.__setattr__(self, "sibling_key", key)


def memory_columns(m: Memory, suffix: str = "") -> dict[str, Any]:
    return {
        f"state{suffix}": int(m.state), f"step{suffix}": m.step, f"stability{suffix}": m.stability,
        f"difficulty{suffix}": m.difficulty, f"due{suffix}": ts(m.due) if m.due else None,
        f"last_review{suffix}": ts(m.last_review) if m.last_review else None,
        f"reps{suffix}": m.reps, f"lapses{suffix}": m.lapses, f"interval{suffix}": m.interval,
    }  # fmt: skip


def memory_values(m: Memory) -> tuple[Any, ...]:
    """A memory in column order (:data:`MEMORY_NAMES`)."""
    return (
        int(m.state), m.step, m.stability, m.difficulty, ts(m.due) if m.due else None,
        ts(m.last_review) if m.last_review else None, m.reps, m.lapses, m.interval,
    )  # fmt: skip


def memory_from_tuple(t: tuple[Any, ...]) -> Memory:
    state, step, stability, difficulty, due, last_review, reps, lapses, interval = t[:9]
    due_at, last_at = parse_ts(due), parse_ts(last_review)
    return Memory(
        State(state), step, stability, difficulty, due_at, last_at, reps, lapses, interval
    )


def memory_from(row: dict[str, Any], suffix: str = "") -> Memory:
    return Memory(
        state=State(row[f"state{suffix}"]),
        step=row[f"step{suffix}"],
        stability=row[f"stability{suffix}"],
        difficulty=row[f"difficulty{suffix}"],
        due=parse_ts(row[f"due{suffix}"]),
        last_review=parse_ts(row[f"last_review{suffix}"]),
        reps=row[f"reps{suffix}"],
        lapses=row[f"lapses{suffix}"],
        interval=row.get(f"interval{suffix}"),
    )


ROW_COLUMNS = (
    "uid, deck, id, position, kind, fact, front, back, options, answer, suspended, "
    f"buried_until, retired, {', '.join(MEMORY_NAMES)}, rowid"
)


def row_from_tuple(t: tuple[Any, ...]) -> Row:
    uid, deck, id_, position, kind, fact, front, back, options, answer = t[:10]
    suspended, buried_until, retired = t[10:13]
    return Row(
        uid, deck, id_, position, kind, fact or "", front, back,
        tuple(json.loads(options)) if options and options != "[]" else (), answer or "",
        memory_from_tuple(t[13:22]), bool(suspended), buried_until, bool(retired), t[22],
    )  # fmt: skip
