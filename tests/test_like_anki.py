"""recall schedules as real Anki does: the same cards, answers and (faked) instants, compared.

Each run answers cards in a real Anki collection (the ``anki`` package, FSRS on, the same
parameters, retention and steps, load balancer off) on a clock frozen with libfaketime at
each answer's instant, and answers the same cards in recall's scheduler at the same instant.
Every answer's state, stability, difficulty, interval and due day (or due instant, while
learning) must agree. The answers fall across both of New York's DST switches, in Kolkata,
at 03:59:59 and 04:00:00 local (either side of the day start), between 04:00 and 05:00 on
the night the clocks go back, early and late. With fuzz on, recall is given Anki's seed
(card id + reps) and must pick the very same fuzzed day.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from recall.memory import Memory, Rating, State
from recall.settings import Settings
from recall.study.schedule import Scheduler
from tests.anki_clock import AnkiClock

#: Seconds after a learner day's start at which a due review is answered: the first second
#: (04:00:00), half an hour in (04:30, inside the fall-back hour), midday, and the last
#: second (03:59:59 the next morning, still the same learner day).
_TIMES_OF_DAY = (0, 1800, 5 * 3600, 11 * 3600)
_EDGES = (time(3, 59, 59), time(4, 0, 0))
#: Anki keeps a learning card's due instant in 32 bits, which run out in January 2038:
#: answers after this are not made.
_HORIZON = datetime(2038, 1, 1, tzinfo=UTC)


@dataclass
class Run:
    zone: str
    fuzz: bool
    starts: list[datetime]
    desired_retention: float = 0.9
    answers_per_card: int = 14
    seed: int = 16
    mismatches: list[str] = field(default_factory=list)
    answered: int = 0
    fuzzed_days: int = 0
    near_switch: int = 0
    at_day_start: int = 0  # answers at 03:59:59 or 04:00:00 local


def _rating(rng: random.Random) -> Rating:
    return Rating(rng.choices([1, 2, 3, 4], weights=[12, 15, 53, 20])[0])


def _next_time(
    rng: random.Random, sched: Scheduler, after: Memory, now: datetime, *, fuzz: bool
) -> datetime:
    """When the learner next answers this card: at its due instant while learning, on or
    about its due day otherwise, at one of the telling times of day.

    Without fuzz, Anki runs in its test mode (the only way to switch its fuzz off), which
    moves its clock back two hours between 02:00 and 04:00 local (``rslib/src/timestamp.rs``):
    that run answers at 01:59:59 instead of 03:59:59; the fuzzed run covers 03:59:59."""
    assert after.due is not None
    last_second = timedelta(seconds=1 if fuzz else 7201)
    if after.state in (State.Learning, State.Relearning) and after.due - now < timedelta(hours=6):
        at = after.due + timedelta(seconds=rng.choice([0, 0, 30, 600]))
        if not fuzz and 2 <= at.astimezone(sched.tz).hour < 4:
            at = sched.next_day_start(at)
        return at
    day = sched.day(after.due) + timedelta(days=rng.choice([0, 0, 0, 0, 1, 3, -1]))
    day = max(day, sched.day(now) + timedelta(days=1))
    if rng.random() < 0.3:  # the last second of the learner day: 03:59:59 next morning
        return sched.day_start(day + timedelta(days=1)) - last_second
    return sched.day_start(day) + timedelta(seconds=rng.choice(_TIMES_OF_DAY))


def _compare(run: Run, sched: Scheduler, now: datetime, ours: Memory, anki: dict[str, Any]) -> None:
    where = f"{run.zone} {now.astimezone(sched.tz).isoformat()}"
    if anki["type"] != int(ours.state):
        run.mismatches.append(f"{where}: state {ours.state!r}, Anki {anki['type']}")
        return
    for name in ("stability", "difficulty"):
        mine, theirs = getattr(ours, name), anki[name]
        if abs(mine - theirs) > 1e-4 * max(1.0, abs(theirs)):
            run.mismatches.append(f"{where}: {name} {mine}, Anki {theirs}")
    assert ours.due is not None
    today = sched.day(now)
    if ours.state == State.Review:
        days = (sched.day(ours.due) - today).days
        if (ours.interval, days) != (anki["ivl"], anki["due"] - anki["today"]):
            run.mismatches.append(
                f"{where}: interval {ours.interval} due in {days}d, "
                f"Anki {anki['ivl']} due in {anki['due'] - anki['today']}d"
            )
    elif anki["queue"] == 1:  # learning, due at an instant
        if int(ours.due.timestamp()) != anki["due"]:
            run.mismatches.append(f"{where}: step due {ours.due}, Anki {anki['due']}")
    elif (sched.day(ours.due) - today).days != anki["due"] - anki["today"]:  # a day-long step
        run.mismatches.append(f"{where}: step due {ours.due}, Anki day {anki['due']}")


def _play(run: Run, settings: Settings) -> None:
    sched = Scheduler(settings)
    anki = AnkiClock(run.zone, fuzz=run.fuzz)
    rng = random.Random(run.seed)
    switches = [sched.day_start(date(2026, 3, 8)), sched.day_start(date(2026, 11, 1))]
    try:
        created = min(run.starts) - timedelta(days=2)
        ids = anki.call(
            cmd="setup", created=int(created.timestamp()), cards=len(run.starts),
            parameters=list(settings.parameters), desired_retention=settings.desired_retention,
            learning_steps=list(settings.learning_steps),
            relearning_steps=list(settings.relearning_steps),
            maximum_interval=settings.maximum_interval, day_start_hour=settings.day_start_hour,
        )["ids"]  # fmt: skip
        memories = [Memory() for _ in ids]
        todo = [(start, i, 0) for i, start in enumerate(run.starts)]
        heapq.heapify(todo)
        while todo:
            now, i, n = heapq.heappop(todo)
            rating = _rating(rng)
            theirs = anki.call(cmd="answer", at=int(now.timestamp()), card=ids[i], rating=rating)
            assert theirs["reps_before"] == memories[i].reps
            seed = ids[i] + memories[i].reps if run.fuzz else None
            ours = sched.answer(memories[i], rating, now, seed=seed)
            _compare(run, sched, now, ours, theirs)
            run.answered += 1
            run.near_switch += any(abs(now - s) < timedelta(days=2) for s in switches)
            run.at_day_start += now.astimezone(sched.tz).time() in _EDGES
            if ours.state == State.Review and ours.interval and ours.interval > 2:
                run.fuzzed_days += 1
            memories[i] = ours
            later = _next_time(rng, sched, ours, now, fuzz=run.fuzz)
            if n + 1 < run.answers_per_card and later < _HORIZON:
                heapq.heappush(todo, (later, i, n + 1))
    finally:
        anki.close()


def _starts(
    zone: str, rng: random.Random, days: list[date], count: int, *, fuzz: bool
) -> list[datetime]:
    """First answers on the given local days, at 03:59:59 (01:49:59 without fuzz: see
    :func:`_next_time`), 04:00:00, 04:30 or later, a few minutes apart."""
    sched = Scheduler(Settings(timezone=zone))
    out = []
    for k in range(count):
        day = days[k % len(days)]
        offset = rng.choice([-1 if fuzz else -7801, 0, 1800, 3 * 3600, 9 * 3600, 20 * 3600])
        out.append(sched.day_start(day) + timedelta(seconds=offset + 60 * (k % 7)))
    return out


def _near_switches() -> list[date]:
    return [date(2026, 3, d) for d in (5, 6, 7, 8)] + [date(2026, 10, d) for d in (29, 30, 31)]


@pytest.mark.parametrize("fuzz", [False, True], ids=["fuzz-off", "fuzz-on"])
@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata"])
def test_every_answer_schedules_as_real_anki(zone: str, fuzz: bool) -> None:
    rng = random.Random(f"{zone}{fuzz}")
    run = Run(zone, fuzz, _starts(zone, rng, _near_switches(), 24, fuzz=fuzz))
    _play(run, Settings(timezone=zone))
    assert run.answered > 15 * run.answers_per_card
    assert not run.mismatches, "\n".join(run.mismatches[:20])
    assert run.near_switch > 30  # the DST nights (and the same dates in Kolkata) were crossed
    assert run.at_day_start > 15
    assert run.fuzzed_days > 100


def test_at_high_retention_the_interval_comes_from_the_capped_stability_like_anki() -> None:
    """Easy after Easy at 95% retention: stability reaches the 36,500-day ceiling, and the
    interval must be the one for the ceiling, not for the unclamped stability."""
    zone = "Asia/Kolkata"
    start = Scheduler(Settings(timezone=zone)).day_start(date(2026, 3, 1)) + timedelta(hours=6)
    run = Run(zone, False, [start], desired_retention=0.95, answers_per_card=10, seed=1)
    settings = Settings(timezone=zone, desired_retention=0.95)
    sched = Scheduler(settings)
    anki = AnkiClock(zone, fuzz=False)
    try:
        (cid,) = anki.call(
            cmd="setup", created=int((start - timedelta(days=1)).timestamp()), cards=1,
            parameters=list(settings.parameters), desired_retention=0.95,
            learning_steps=list(settings.learning_steps),
            relearning_steps=list(settings.relearning_steps),
            maximum_interval=settings.maximum_interval, day_start_hour=4,
        )["ids"]  # fmt: skip
        memory, now = Memory(), start
        for _ in range(run.answers_per_card):
            theirs = anki.call(cmd="answer", at=int(now.timestamp()), card=cid, rating=4)
            memory = sched.answer(memory, Rating.Easy, now)
            _compare(run, sched, now, memory, theirs)
            assert memory.due is not None
            now = memory.due + timedelta(hours=6)
    finally:
        anki.close()
    assert not run.mismatches, "\n".join(run.mismatches)
    assert memory.stability == 36500.0
    assert memory.interval is not None and memory.interval < 36500 // 2
