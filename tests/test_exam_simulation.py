"""Exam mode against FSRS at one retention all year: a synthetic learner whose recall is drawn
from known FSRS parameters studies 2,000 cards for an exam 90 days away."""

from __future__ import annotations

from datetime import date

import pytest

from recall.memory import Memory
from recall.settings import DEFAULT_PARAMETERS, Settings
from recall.study.exam import Exam
from recall.study.examsim import Forecast, simulate
from recall.study.schedule import Scheduler

# The learner's memory (as test_optimize's): first stabilities longer than the defaults,
# gentler forgetting after a lapse; the scheduler knows these parameters.
TRUE = list(DEFAULT_PARAMETERS)
TRUE[0:4] = [1.2, 4.0, 9.0, 30.0]
TRUE[11] = 0.8
TODAY, EXAM_DAY = date(2027, 2, 23), date(2027, 5, 24)  # 90 days
CARDS = 2000


def _run(retention: float, exam_mode: bool) -> Forecast:
    settings = Settings(
        desired_retention=retention, learning_steps=(), relearning_steps=(), fuzz=False,
        new_per_day=40, reviews_per_day=9999, timezone="UTC", parameters=tuple(TRUE),
    )  # fmt: skip
    exam = Exam(1, EXAM_DAY, frozenset({"sim"}), 0.95, 150)
    cards = [("sim", Memory()) for _ in range(CARDS)]
    return simulate(Scheduler(settings), cards, TODAY, exam, exam_mode=exam_mode, seed=3)


@pytest.fixture(scope="module")
def runs() -> dict[str, Forecast]:
    out = {
        "(a) FSRS 0.90 all along": _run(0.90, False),
        "(b) FSRS 0.95 all along": _run(0.95, False),
        "(c) exam mode, target 0.95": _run(0.90, True),
    }
    print(f"\n{'':28} {'reviews':>8} {'peak day':>14} {'at target':>10} {'recall':>8}")
    for name, f in out.items():
        day, n = f.peak
        print(
            f"{name:28} {f.total:>8} {n:>5} ({day:%m-%d}) {f.at_target:>10.1%} "
            f"{f.exam_recall:>8.1%}"
        )
    return out


def test_exam_mode_reaches_the_target_with_fewer_reviews_than_095_all_along(
    runs: dict[str, Forecast],
) -> None:
    a, b, c = runs.values()
    assert c.at_target >= 0.95
    assert c.exam_recall >= 0.95
    assert c.total < b.total
    assert a.at_target < 0.95  # 0.90 all along leaves a quarter of the cards below target


def test_exam_mode_keeps_every_day_under_its_cap(runs: dict[str, Forecast]) -> None:
    c = runs["(c) exam mode, target 0.95"]
    # New cards and FSRS's own dues may exceed the cap; the extra reviews never push a
    # day over it, so the busiest day is no busier than FSRS at 0.90 makes it.
    assert c.peak[1] <= max(150, runs["(a) FSRS 0.90 all along"].peak[1])
