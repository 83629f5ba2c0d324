"""Exam mode: dues before an exam, decks it leaves alone, the cap, bad input, and check."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from recall.memory import Memory, Rating, State
from recall.settings import Settings
from recall.store import Collection
from recall.study.exam import Exam, Planner, on_exam_day, shortfall
from recall.study.schedule import Scheduler
from tests.conftest import run

SCHED = Scheduler(Settings(timezone="UTC", fuzz=False))
TODAY = date(2027, 1, 10)
NOW = datetime(2027, 1, 10, 10, tzinfo=UTC)


def _review(stability: float, difficulty: float, elapsed: int) -> Memory:
    last = NOW - timedelta(days=elapsed)
    return Memory(State.Review, None, stability, difficulty, NOW, last, 5, 0, elapsed)


@settings(max_examples=60, deadline=None)
@given(
    stability=st.floats(1.0, 400.0),
    difficulty=st.floats(1.0, 10.0),
    elapsed=st.integers(1, 60),
    exam_in=st.integers(2, 120),
    rating=st.sampled_from([Rating.Hard, Rating.Good, Rating.Easy]),
)
def test_no_card_due_after_the_exam_is_below_target_unless_reported(
    stability: float, difficulty: float, elapsed: int, exam_in: int, rating: Rating
) -> None:
    exam = Exam(1, TODAY + timedelta(days=exam_in), frozenset({"prelims"}), 0.95, 1)
    plan = Planner(SCHED, [exam])
    after = SCHED.answer(_review(stability, difficulty, elapsed), rating, NOW,
                         exam=plan.rule("prelims"))  # fmt: skip
    assert after.due is not None
    r = on_exam_day(SCHED, after, exam.day)
    assert r is not None
    if SCHED.day(after.due) >= exam.day and r < exam.target:
        [short] = shortfall(plan, [("prelims", after)], TODAY)
        assert short.below == 1  # reported: no day before the exam could lift it


def test_a_full_cap_leaves_the_card_short_and_says_which_cap_would_do() -> None:
    exam = Exam(1, TODAY + timedelta(days=60), frozenset(), 0.95, 3)
    full = Counter({TODAY + timedelta(days=d): 3 for d in range(1, 60)})
    memory = _review(40.0, 5.0, 30)
    free = SCHED.answer(memory, Rating.Good, NOW, exam=Planner(SCHED, [exam]).rule("x"))
    capped_plan = Planner(SCHED, [exam], full)
    capped = SCHED.answer(memory, Rating.Good, NOW, exam=capped_plan.rule("x"))
    plain = SCHED.answer(memory, Rating.Good, NOW)
    assert plain.interval is not None and plain.interval > 60
    assert free.interval is not None and free.interval < 60  # brought before the exam
    assert capped.interval == plain.interval  # no room under the cap
    [short] = shortfall(capped_plan, [("x", capped)], TODAY)
    assert short.below == 1 and short.needed_cap == 4


@settings(max_examples=40, deadline=None)
@given(stability=st.floats(1.0, 400.0), elapsed=st.integers(1, 60), exam_in=st.integers(2, 90))
def test_decks_outside_the_exam_schedule_as_without_it(
    stability: float, elapsed: int, exam_in: int
) -> None:
    exam = Exam(1, TODAY + timedelta(days=exam_in), frozenset({"prelims"}), 0.95, None)
    plan = Planner(SCHED, [exam])
    assert plan.rule("mains") is None
    memory = _review(stability, 5.0, elapsed)
    assert SCHED.outcomes(memory, NOW, exam=plan.rule("mains")) == SCHED.outcomes(memory, NOW)


def _collection(tmp_path_db: str) -> None:
    run("example", tmp_path_db)


def test_bad_exam_input_is_one_line_exit_2_and_changes_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "c.db")
    Collection(tmp_path / "c.db").close()
    for args in (
        ["2020-01-01"], ["2099-01-01", "--target", "0.7"], ["2099-01-01", "--target", "1"],
        ["2099-01-01", "--max-reviews", "0"], ["2099-01-01", "--deck", "nosuch"], ["tomorrow"],
    ):  # fmt: skip
        result = run("exam", "set", *args, "--db", db)
        assert result.exit_code == 2, args
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert Collection(tmp_path / "c.db").exam_history() == []


def test_exam_mode_answers_replay_clean_and_are_announced(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "ex.db"
    run("example", str(db))
    exam_day = (datetime.now(UTC) + timedelta(days=40)).date().isoformat()
    assert run("exam", "set", exam_day, "--max-reviews", "60", "--db", str(db)).exit_code == 0
    assert "exam mode shapes today's queue" in run("due", "--db", str(db)).output
    shown = run("exam", "--db", str(db)).output
    assert "of cards at or above target on exam morning" in shown
    before = Collection(db).exam_history()[0]
    answered = run("review", "--db", str(db), input=" \n3\n" * 6 + "q\n")
    assert answered.exit_code == 0
    assert "mismatches: 0" in run("check", "--db", str(db)).output
    col = Collection(db)
    rows = col.conn.execute("select reviewed_at from reviews order by id desc limit 6")
    for (at,) in rows:
        when = datetime.fromisoformat(at)
        assert [e["id"] for e in col.exams_in_force(when)] == [before["id"]]
    assert "cleared 1 exam" in run("exam", "clear", "--db", str(db)).output
    assert json.dumps(col.exams_in_force(datetime.now(UTC) + timedelta(seconds=1))) == "[]"
