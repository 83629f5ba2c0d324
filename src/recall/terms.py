"""The structured card query: the terms a search is made of, below both parser and store.

``recall.study.query`` parses a learner's query text (Anki's browser syntax where it fits)
into these; ``recall.store.search`` compiles them into SQL with bound parameters. They sit
here, among the shared modules, because the store may not import the study package (imports
go one way) and the parser must not write SQL. Values are plain data: nothing in a term is
ever pasted into a statement; column names come from the store's own tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Field(StrEnum):
    """Where a text search looks: every shown field, or one of them."""

    Any = "any"
    Front = "front"
    Back = "back"
    Fact = "fact"
    Source = "source"


class Flag(StrEnum):
    """``is:`` words that name a state or a flag."""

    New = "new"
    Learning = "learning"  # learning and relearning, as Anki's is:learn
    Review = "review"  # review and relearning, as Anki's is:review
    Relearning = "relearning"
    Suspended = "suspended"
    Buried = "buried"  # replaced by BuriedOn(today) before the store sees it
    Retired = "retired"


class Prop(StrEnum):
    """Numeric card columns a ``prop:`` term compares."""

    Lapses = "lapses"
    Reps = "reps"
    Stability = "stability"
    Difficulty = "difficulty"
    Position = "position"


COMPARISONS = ("<=", ">=", "!=", "<", ">", "=")


@dataclass(frozen=True)
class Text:
    """Text in a field; ``*`` matches any run of characters; case is ignored (ASCII)."""

    pattern: str
    field: Field = Field.Any


@dataclass(frozen=True)
class InDeck:
    """A deck by slug or title (``*`` wildcards)."""

    pattern: str


@dataclass(frozen=True)
class Tagged:
    pattern: str


@dataclass(frozen=True)
class OfKind:
    kind: str


@dataclass(frozen=True)
class CardIs:
    flag: Flag


@dataclass(frozen=True)
class BuriedOn:
    """Buried past ``today`` (a learner day, ISO): hidden from today's queue."""

    today: str


@dataclass(frozen=True)
class CardRef:
    """A card by its deck-file id or its uid (``deck:id``)."""

    ref: str


@dataclass(frozen=True)
class Compare:
    prop: Prop
    op: str
    number: float


@dataclass(frozen=True)
class DueDays:
    """Due relative to the learner's today, in learner days: ``due:<7`` is ``op='<'``,
    ``days=7``. The parser yields this; :class:`DueBetween` replaces it once the day is known."""

    op: str
    days: int


@dataclass(frozen=True)
class DueBetween:
    """Studied cards due at or after ``start`` and before ``end`` (UTC text, either open)."""

    start: str | None
    end: str | None


@dataclass(frozen=True)
class Not:
    part: Node


@dataclass(frozen=True)
class All:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    parts: tuple[Node, ...]


Node = (
    Text | InDeck | Tagged | OfKind | CardIs | BuriedOn | CardRef | Compare | DueDays
    | DueBetween | Not | All | Any_
)  # fmt: skip
