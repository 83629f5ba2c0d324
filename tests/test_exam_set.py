"""`recall exam set` brings due-after-exam cards forward; minutes caps; exams in --json."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from recall.memory import Memory, State
from recall.settings import Settings
from recall.store import Collection
from recall.study.exam import Exam, Planner, bring_forward, on_exam_day, shortfall, window
from recall.study.schedule import Scheduler
from tests.conftest import run

SCHED = Scheduler(Settings(timezone="UTC", fuzz=False))
TODAY = date(2027, 1, 10)
NOW = datetime(2027, 1, 10, 10, tzinfo=UTC)

card = st.tuples(
    st.floats(1.0, 300.0),  # stability
    st.integers(1, 60),  # days since the last review
    st.integers(0, 200),  # due: days after today
    st.sampled_from(["prelims", "mains"]),
)


def _below_after_exam(sched: Scheduler, memory: Memory, exam: Exam) -> bool:
    r = on_exam_day(sched, memory, exam.day)
    assert memory.due is not None and r is not None
    return sched.day(memory.due) >= exam.day and r < exam.target


@settings(max_examples=60, deadline=None)
@given(
    cards=st.lists(card, min_size=1, max_size=40),
    exam_in=st.integers(2, 90),
    cap=st.integers(1, 8),
    preload=st.integers(0, 8),
)
def test_after_exam_set_no_card_due_after_the_exam_is_below_target_unless_reported(
    cards: list[tuple[float, int, int, str]], exam_in: int, cap: int, preload: int
) -> None:
    exam = Exam(1, TODAY + timedelta(days=exam_in), frozenset({"prelims"}), 0.95, cap)
    loads = Counter({TODAY + timedelta(days=d): preload for d in range(1, exam_in)})
    plan = Planner(SCHED, [exam], loads)
    rows = []
    for i, (stability, elapsed, due_in, deck) in enumerate(cards):
        last = NOW - timedelta(days=elapsed)
        due = SCHED.day_start(TODAY + timedelta(days=due_in))
        memory = Memory(State.Review, None, stability, 5.0, due, last, 3, 0, elapsed + due_in)
        rows.append((f"c{i}", deck, memory))
        plan.placed(memory)
    start = Counter(plan.loads)
    moves = bring_forward(plan, rows, TODAY, exam)
    after = [(deck, moves.get(uid, m)) for uid, deck, m in rows]
    for (uid, deck, before), (_, now_) in zip(rows, after, strict=True):
        if deck != "prelims":
            assert uid not in moves  # decks outside the exam are left alone
        if uid in moves:
            assert now_.due is not None and before.due is not None
            assert TODAY < SCHED.day(now_.due) < exam.day <= SCHED.day(before.due)
            assert now_.stability == before.stability and now_.last_review == before.last_review
    # Moves never push a day over the cap (days already over it get no more).
    for day, n in plan.loads.items():
        assert n <= start[day] or n <= cap, f"{day}: {n} reviews over the cap {cap}"
    short = [m for deck, m in after if deck == "prelims" and _below_after_exam(SCHED, m, exam)]
    for memory in short:  # each one had no room left: an empty or full window
        span = window(SCHED, memory, TODAY, exam)
        assert plan.pick_in(span, TODAY, exam) is None
    [report] = shortfall(plan, after, TODAY)
    assert report.below == len(short)


def _exam_day(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def _below(col: Collection, exam_day: str) -> int:
    sched = Scheduler(col.settings())
    exam = Exam(1, date.fromisoformat(exam_day), frozenset(), 0.95, None)
    memories = [r.memory for r in col.live_cards() if r.memory.state == State.Review]
    return sum(_below_after_exam(sched, m, exam) for m in memories)


def test_exam_set_brings_cards_forward_with_a_backup_and_replays_clean(tmp_path: Path) -> None:
    db = tmp_path / "ex.db"
    run("example", str(db))
    day = _exam_day(50)
    col = Collection(db)
    waiting = _below(col, day)
    col.close()
    assert waiting > 10  # the example collection has cards due after the exam below target
    out = run("exam", "set", day, "--max-reviews", "60", "--db", str(db))
    assert out.exit_code == 0, out.output
    moved = int(out.output.split("brought forward ")[1].split()[0])
    assert moved == waiting and "short:" not in out.output
    col = Collection(db)
    assert _below(col, day) == 0
    [record] = col.exam_history()
    assert len(col.reschedules_of(record["change"])) == moved
    assert list((tmp_path / "backups").glob("*before-exam*")), "no backup before the move"
    assert "mismatches: 0" in run("check", "--db", str(db)).output
    [shown] = json.loads(run("due", "--json", "--db", str(db)).output)["exams"]
    assert shown["brought_forward"] == moved and shown["days_left"] == 50
    assert shown["cap"] == 60 and shown["decks"] == []
    # An answer reschedules a moved card normally: clear counts only the cards left.
    answered = run("review", "--db", str(db), input=" \n3\n" * 3 + "q\n")
    assert answered.exit_code == 0
    left = col.exam_moves_left(record["change"])
    bad = run("exam", "clear", "--id", "1", "--id", "9", "--db", str(db))
    assert bad.exit_code == 2 and "no exam in force with id 9" in bad.output
    assert len(col.exams_in_force(datetime.now(UTC))) == 1  # nothing cleared half-way
    cleared = run("exam", "clear", "--db", str(db)).output
    assert f"exam 1: {left} cards it brought forward keep their earlier due" in cleared
    assert "mismatches: 0" in run("check", "--db", str(db)).output
    # The exam's reschedule is not a parameter change to revert.
    assert "nothing to revert" in run("optimize", "--revert", "--db", str(db)).output
    assert json.loads(run("stats", "--json", "--db", str(db)).output)["exams"] == []


def test_a_tight_cap_reports_the_cards_it_leaves_short(tmp_path: Path) -> None:
    db = tmp_path / "ex.db"
    run("example", str(db))
    day = _exam_day(20)
    out = run("exam", "set", day, "--max-reviews", "1", "--db", str(db)).output
    col = Collection(db)
    left = _below(col, day)
    assert left > 0 and f"short: {left} still go into the exam below target" in out
    assert f"short: {left} of" in run("exam", "--db", str(db)).output


def test_max_minutes_uses_the_learners_mean_time_per_review(tmp_path: Path) -> None:
    db = tmp_path / "ex.db"
    run("example", str(db))
    col = Collection(db)
    rows = col.conn.execute("select duration_ms from reviews where state_before = 2")
    timed = [ms for (ms,) in rows if ms > 0]
    seconds = sum(timed) / len(timed) / 1000
    out = run("exam", "set", _exam_day(30), "--max-minutes", "10", "--db", str(db)).output
    cap = int(600 // seconds)
    assert f"≈ {cap} reviews, assuming {seconds:.1f} s per review" in out
    assert f"over {len(timed)} timed review answers" in out
    [record] = col.exam_history()
    assert record["max_reviews"] == cap and record.get("max_minutes") == 10
    [shown] = json.loads(run("stats", "--json", "--db", str(db)).output)["exams"]
    assert shown["max_minutes"] == 10 and shown["cap"] == cap


def test_max_minutes_bad_input_is_one_line_exit_2_and_changes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "c.db"
    Collection(empty).close()
    ex = tmp_path / "ex.db"
    run("example", str(ex))
    day = _exam_day(30)
    for db, args in (
        (empty, ["--max-minutes", "20"]),  # no timed answers to convert with
        (ex, ["--max-minutes", "0"]),
        (ex, ["--max-minutes", "20", "--max-reviews", "50"]),
    ):
        result = run("exam", "set", day, *args, "--db", str(db))
        assert result.exit_code == 2, args
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert Collection(db).exam_history() == []
