"""Exam mode: intervals that keep each card at the target retrievability on exam day.

FSRS holds one desired retention all year; a learner studying for a date wants the cards
remembered *on that date*. Before an exam, a card's next due day stays the FSRS interval
unless the card would then go unreviewed until after the exam with a predicted exam-day
retrievability below the target. Such a card gets one extra review inside its *window*:
from the earliest day from which one more review (answered Good) lifts it to the target on
exam day, up to the last day before the exam. Reviews later in the window lift it further,
so the window's last day is the latest useful one; the card goes to the least loaded day of
the window under the daily cap, the latest on a tie, so the extra reviews spread over the
days before the exam instead of piling up on its eve. When every day of the window is at the
cap (or the window is empty), the card keeps its FSRS interval and counts as a shortfall,
which :func:`shortfall` reports with the cap that would have been needed.

Predictions use the learner's parameters through the same :class:`Scheduler` that schedules
answers: py-fsrs's forgetting curve over learner days, and its stability after a review.
Reviews on exam day itself are not counted on: the exam is in the morning.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from recall.errors import RecallError
from recall.memory import Memory, Rating, State
from recall.store import Collection, ExamRecord
from recall.study.schedule import ExamRule, Scheduler

TARGET_LOW, TARGET_HIGH = 0.7, 0.99


@dataclass(frozen=True)
class Exam:
    """An exam in force: its day, the decks it covers (empty: all), target and daily cap."""

    id: int
    day: date
    decks: frozenset[str]
    target: float
    max_reviews: int | None

    @classmethod
    def from_record(cls, record: ExamRecord) -> Exam:
        return cls(
            record["id"],
            date.fromisoformat(record["date"]),
            frozenset(record["decks"]),
            record["target"],
            record["max_reviews"],
        )

    def covers(self, deck: str) -> bool:
        return not self.decks or deck in self.decks


def check_exam(day: date, today: date, target: float, max_reviews: int | None) -> None:
    """Refuse an exam recall cannot plan for, in one line."""
    if day <= today:
        raise RecallError(f"exam date {day.isoformat()} is not after today ({today.isoformat()})")
    if not TARGET_LOW < target <= TARGET_HIGH:
        raise RecallError(f"target {target} is outside (0.7, 0.99]")
    if max_reviews is not None and max_reviews < 1:
        raise RecallError(f"--max-reviews {max_reviews}: the cap must be at least 1")


def retrievability_after(sched: Scheduler, stability: float, days: int) -> float:
    """py-fsrs's forgetting curve: recall probability ``days`` learner days after a review."""
    engine = sched._exact
    return float((1 + engine._FACTOR * max(0, days) / stability) ** engine._DECAY)


def on_exam_day(sched: Scheduler, memory: Memory, exam_day: date) -> float | None:
    """A card's predicted retrievability on exam day with no further review."""
    if memory.stability is None or memory.last_review is None:
        return None
    days = (exam_day - sched.day(memory.last_review)).days
    return retrievability_after(sched, memory.stability, days)


def lifted(sched: Scheduler, memory: Memory, review_day: date, exam_day: date) -> float:
    """Exam-day retrievability if the card is reviewed (Good) on ``review_day``."""
    at = sched.day_start(review_day) + timedelta(hours=6)
    after = sched._memory_after(memory, Rating.Good, at)
    return retrievability_after(sched, after.stability or 0.0, (exam_day - review_day).days)


def window(sched: Scheduler, memory: Memory, today: date, exam: Exam) -> tuple[int, int] | None:
    """The days (as offsets from ``today``) from which one more review lifts ``memory`` to
    the target on exam day, or None when no day before the exam can. Exam-day
    retrievability after a review grows with the review's day, so the first such day is
    found by bisection."""
    last = (exam.day - today).days - 1
    if last < 1:
        return None

    class Lifts:
        def __getitem__(self, offset: int) -> bool:
            day = today + timedelta(days=offset + 1)
            return lifted(sched, memory, day, exam.day) >= exam.target

        def __len__(self) -> int:
            return last

    first = bisect_left(Lifts(), True) + 1
    return None if first > last else (first, last)


def needs_review(sched: Scheduler, memory: Memory, today: date, days: int, exam: Exam) -> bool:
    """Would this due leave the card unreviewed until after the exam and below target?"""
    if today >= exam.day or today + timedelta(days=days) < exam.day:
        return False
    r = on_exam_day(sched, memory, exam.day)
    return r is not None and r < exam.target


@dataclass
class Planner:
    """The exams in force and the review load per day: builds each card's :data:`ExamRule`.

    ``loads`` counts review cards due per learner day; :meth:`placed` adds each answer's due
    so the answers of one session spread too. A rule is pure, so previews may call it."""

    sched: Scheduler
    exams: list[Exam]
    loads: Counter[date] = field(default_factory=Counter)

    def cap(self, exam: Exam) -> int:
        return exam.max_reviews or self.sched.settings.reviews_per_day

    def rule(self, deck: str) -> ExamRule | None:
        exams = [e for e in self.exams if e.covers(deck)]
        if not exams:
            return None

        def decide(memory: Memory, today: date, days: int) -> int:
            for exam in exams:
                if needs_review(self.sched, memory, today, days, exam):
                    days = min(days, self.pick(memory, today, exam) or days)
            return days

        return decide

    def pick(self, memory: Memory, today: date, exam: Exam) -> int | None:
        """The day in the card's window with the fewest reviews under the cap (latest on a
        tie), as an offset from today; None when the window is empty or full."""
        return self.pick_in(window(self.sched, memory, today, exam), today, exam)

    def pick_in(self, span: tuple[int, int] | None, today: date, exam: Exam) -> int | None:
        if span is None:
            return None
        cap = self.cap(exam)
        room = [
            (self.loads[today + timedelta(days=o)], -o)
            for o in range(span[0], span[1] + 1)
            if self.loads[today + timedelta(days=o)] < cap
        ]
        return -min(room)[1] if room else None

    def placed(self, memory: Memory) -> None:
        if memory.state == State.Review and memory.due is not None:
            self.loads[self.sched.day(memory.due)] += 1

    def shaping(self, deck: str | None, today: date) -> list[Exam]:
        """Exams shaping the queue of ``deck`` (or of any deck) today."""
        return [e for e in self.exams if e.day > today and (deck is None or e.covers(deck))]


def bring_forward(
    plan: Planner, rows: Iterable[tuple[str, str, Memory]], today: date, exam: Exam
) -> dict[str, Memory]:
    """The cards (uid, deck, memory) an exam just set moves earlier: review cards it covers
    that are due on or after exam day with exam-day retrievability below target. Each goes
    to a day of its window as an answer's due would (:meth:`Planner.pick_in`), narrowest
    window first so the cards with the least choice find room; ``plan.loads`` follows each
    move. A card with no room keeps its due (:func:`shortfall` reports it)."""
    spans = []
    for uid, deck, memory in rows:
        if not exam.covers(deck) or memory.state != State.Review or memory.due is None:
            continue
        r = on_exam_day(plan.sched, memory, exam.day)
        if plan.sched.day(memory.due) >= exam.day and r is not None and r < exam.target:
            span = window(plan.sched, memory, today, exam)
            if span is not None:
                spans.append((span[1] - span[0], uid, memory, span))
    moves: dict[str, Memory] = {}
    for _, uid, memory, span in sorted(spans, key=lambda item: (item[0], item[1])):
        offset = plan.pick_in(span, today, exam)
        if offset is None or memory.due is None or memory.last_review is None:
            continue
        day = today + timedelta(days=offset)
        plan.loads[plan.sched.day(memory.due)] -= 1
        plan.loads[day] += 1
        interval = (day - plan.sched.day(memory.last_review)).days
        moves[uid] = replace(memory, due=plan.sched.day_start(day), interval=interval)
    return moves


def planner(col: Collection, sched: Scheduler, now: datetime) -> Planner:
    """The exams in force at ``now`` and the collection's review load per day."""
    exams = [Exam.from_record(r) for r in col.exams_in_force(now)]
    out = Planner(sched, exams)
    if exams:
        for row in col.live_cards():
            if not row.suspended:
                out.placed(row.memory)
    return out


@dataclass(frozen=True)
class Shortfall:
    """Cards of an exam that will go into it below target, and the cap that would do."""

    exam: Exam
    cards: int
    below: int
    needed_cap: int | None


def shortfall(plan: Planner, rows: Iterable[tuple[str, Memory]], today: date) -> list[Shortfall]:
    """Per exam: review cards whose due lies on or after exam day with exam-day
    retrievability below target (the cap or an empty window left them so), and the smallest
    daily cap that would fit one more review for each within the days before the exam."""
    out, rows = [], list(rows)
    for exam in plan.exams:
        if exam.day <= today:
            continue
        mine = [m for deck, m in rows if exam.covers(deck) and m.state == State.Review]
        below = [
            m
            for m in mine
            if m.due is not None
            and plan.sched.day(m.due) >= exam.day
            and (on_exam_day(plan.sched, m, exam.day) or 1.0) < exam.target
        ]
        needed = None
        if below:
            days = [today + timedelta(days=o) for o in range(1, (exam.day - today).days)]
            if days:
                total = sum(plan.loads[d] for d in days) + len(below)
                needed = max(plan.cap(exam), -(-total // len(days)))
        out.append(Shortfall(exam, len(mine), len(below), needed))
    return out
