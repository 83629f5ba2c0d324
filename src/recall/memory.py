"""A card's memory: its learning state, the four ratings, and the scheduling state recall
stores in its own columns (never py-fsrs's JSON, whose layout may change between versions).

Shared by the store, the scheduler, the review screens and the Anki export, so it sits below
all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum


class State(IntEnum):
    """A card's learning state; ``New`` is recall's (py-fsrs has no unseen state)."""

    New = 0
    Learning = 1
    Review = 2
    Relearning = 3


class Rating(IntEnum):
    Again = 1
    Hard = 2
    Good = 3
    Easy = 4


@dataclass(frozen=True)
class Memory:
    """A card's scheduling state, in recall's own columns (not py-fsrs's JSON)."""

    state: State = State.New
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    #: A review card's scheduled days (Anki's ``ivl``): what fuzz may not go below. None
    #: while learning, and on rows written before it was stored.
    interval: int | None = None
