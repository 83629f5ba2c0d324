"""An example collection with months of history, made by a simulated learner.

A newcomer can only try ``recall stats``, the forecast or ``recall optimize`` after weeks of
reviews; this builds those weeks in seconds. The simulated learner studies through the real
:class:`~recall.study.session.Session` on a moved clock, so every answer is scheduled and
logged exactly as a person's would be (``recall check`` replays it clean). Whether it
remembers a card is drawn from FSRS's own retrievability for the card at that moment — a
learner whose memory behaves as the default parameters predict, slightly worse (so a fit
has something to find) — and a few days are skipped, as people do.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from recall.memory import Rating, State
from recall.store import Collection, Row
from recall.study.schedule import Scheduler
from recall.study.session import Session

#: How much worse than FSRS's prediction the simulated learner remembers (a fit finds it).
FORGETFULNESS = 0.93
SKIP_DAY = 0.1  # chance of missing a day entirely
FIRST_TIME = 0.6  # chance of knowing a new card's answer on first sight


@dataclass
class Simulated:
    days: int = 0
    days_studied: int = 0
    answers: int = 0


def simulate(
    col: Collection,
    *,
    days: int,
    end: datetime,
    seed: int = 1,
    progress: Callable[[int], None] = lambda n: None,
) -> Simulated:
    """Study the collection every day for ``days`` learner days ending the day before
    ``end``, at a morning hour, with learning cards coming back within each day."""
    sched = Scheduler(col.settings())
    rng = random.Random(seed)
    report = Simulated(days=days)
    first = sched.day(end) - timedelta(days=days)
    for offset in range(days):
        progress(1)
        if rng.random() < SKIP_DAY:
            continue
        day = first + timedelta(days=offset)
        start = datetime.combine(day, time(9, rng.randrange(60)), tzinfo=sched.tz)
        report.answers += _study_day(col, sched, rng, start)
        report.days_studied += 1
    return report


def _study_day(col: Collection, sched: Scheduler, rng: random.Random, start: datetime) -> int:
    """One day's study: sessions until nothing is due, learning steps waited out."""
    now = [start]
    answers = 0
    for _ in range(4):  # learning steps (minutes apart) come back in later sessions that day
        session = Session(col, sched, clock=lambda: now[0])
        while (row := session.next_card()) is not None:
            now[0] += timedelta(seconds=rng.randrange(4, 25))
            session.answer(row, _rating(sched, rng, row, now[0]))
            answers += 1
        now[0] += timedelta(minutes=15)
    return answers


def _rating(sched: Scheduler, rng: random.Random, row: Row, now: datetime) -> Rating:
    m = row.memory
    r = sched.retrievability(m, now) if m.state != State.New else None
    chance = FIRST_TIME if r is None else r * FORGETFULNESS
    if rng.random() >= chance:
        return Rating.Again
    roll = rng.random()
    return Rating.Hard if roll < 0.1 else Rating.Easy if roll > 0.92 else Rating.Good
