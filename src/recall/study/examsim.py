"""The days until an exam, simulated on a learner's cards: the forecast `recall exam` shows.

Each learner day, the cards due are answered through the real :class:`Scheduler` (with the
exam's rule when exam mode is on), new cards are introduced up to the daily limit, and
whether each review is recalled is drawn from the card's retrievability under the learner's
parameters (Again when forgotten, Good otherwise). The result: reviews per day and, on exam
morning, each card's predicted retrievability: their mean is the expected share recalled.
The same code is the proof in ``tests/test_exam_simulation.py``.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta

from recall.memory import Memory, Rating, State
from recall.study.exam import Exam, Planner, on_exam_day
from recall.study.schedule import Scheduler

_HOUR_OF_STUDY = 6  # hours after the day starts: 10 a.m. with the default 4 a.m. start


@dataclass(frozen=True)
class Forecast:
    """What the days until the exam hold."""

    reviews: Counter[date]
    exam_recall: float  # mean predicted retrievability on exam morning (unseen cards: 0)
    at_target: float  # share of cards at or above the target on exam morning
    target: float

    @property
    def total(self) -> int:
        return sum(self.reviews.values())

    @property
    def peak(self) -> tuple[date | None, int]:
        if not self.reviews:
            return None, 0
        day, count = max(self.reviews.items(), key=lambda kv: (kv[1], kv[0]))
        return day, count


def simulate(
    sched: Scheduler,
    cards: list[tuple[str, Memory]],
    today: date,
    exam: Exam,
    *,
    exam_mode: bool = True,
    seed: int = 0,
) -> Forecast:
    """Simulate from ``today`` up to exam morning; ``cards`` are (deck, memory) in the order
    new cards are introduced. Only the cards the exam covers are counted."""
    rng = random.Random(seed)
    mine = [m for deck, m in cards if exam.covers(deck)]
    plan = Planner(sched, [exam] if exam_mode else [])
    for memory in mine:
        plan.placed(memory)
    rule = plan.rule(next(iter(exam.decks), "")) if exam_mode else None
    reviews: Counter[date] = Counter()
    new_left = [i for i, m in enumerate(mine) if m.state == State.New]
    day = today
    while day < exam.day:
        at = sched.day_start(day) + timedelta(hours=_HOUR_OF_STUDY)
        end = sched.day_start(day + timedelta(days=1))
        todays = [i for i, m in enumerate(mine) if m.state != State.New and m.due and m.due < end]
        introduced, new_left = (
            new_left[: sched.settings.new_per_day],
            new_left[sched.settings.new_per_day :],
        )
        for i in todays + introduced:
            memory, when = mine[i], at
            while True:  # learning steps come back the same day
                rating = _draw(sched, memory, when, rng)
                memory = sched.answer(memory, rating, when, exam=rule)
                reviews[day] += 1
                plan.placed(memory)
                if memory.due is None or memory.due >= end or memory.state == State.Review:
                    break
                when = max(memory.due, when + timedelta(minutes=1))
            mine[i] = memory
        day += timedelta(days=1)
    return _exam_morning(sched, mine, exam, reviews)


def _draw(sched: Scheduler, memory: Memory, when: object, rng: random.Random) -> Rating:
    if memory.state == State.New:
        return Rating.Good
    r = sched.retrievability(replace(memory), when)  # type: ignore[arg-type]
    return Rating.Again if r is not None and rng.random() > r else Rating.Good


def _exam_morning(
    sched: Scheduler, cards: list[Memory], exam: Exam, reviews: Counter[date]
) -> Forecast:
    rs = [on_exam_day(sched, m, exam.day) or 0.0 for m in cards]
    n = max(1, len(rs))
    return Forecast(
        reviews,
        exam_recall=sum(rs) / n,
        at_target=sum(1 for r in rs if r >= exam.target) / n,
        target=exam.target,
    )
