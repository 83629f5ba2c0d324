"""recall optimize --apply racing a review session, and undo after an optimize: the steps are
taken in the racing order (answers land between the reschedule's computation and its write,
and after it in a session that started before it), and `recall check` must still find the
log explaining every card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from recall.errors import RecallError
from recall.memory import Rating
from recall.store import Collection, ts
from recall.study.replay import verify
from recall.study.schedule import Scheduler
from recall.study.session import Session
from tests.conftest import run
from tests.test_optimize import copy, simulated  # noqa: F401  (the module's fixture)

LATER = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)


def session_at(db: Path, clock: list[datetime]) -> Session:
    col = Collection(db)
    return Session(col, Scheduler(col.settings()), clock=lambda: clock[0])


def answer_some(session: Session, clock: list[datetime], n: int) -> list[str]:
    done = []
    for _ in range(n):
        row = session.next_card()
        assert row is not None
        clock[0] += timedelta(seconds=20)
        session.answer(row, Rating.Good)
        done.append(row.uid)
    return done


def mismatches(db: Path) -> list[tuple[str, str]]:
    col = Collection(db)
    try:
        return verify(col).mismatches
    finally:
        col.close()


def test_answers_between_the_reschedule_and_its_write_are_kept_and_replay(
    simulated: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    frozen_time: time_machine.Traveller,
) -> None:
    from recall.cli.common import backup_now

    db = copy(simulated, tmp_path)
    frozen_time.move_to(LATER)
    clock = [LATER]
    session = session_at(db, clock)
    answer_some(session, clock, 3)
    raced: list[str] = []

    def answers_then_backup(col: Collection, why: str) -> None:
        # optimize has computed every card's new memory; the session answers now.
        raced.extend(answer_some(session, clock, 4))
        backup_now(col, why)

    monkeypatch.setattr("recall.cli.settings.backup_now", answers_then_backup)
    result = run("optimize", "--db", str(db), "--apply")
    assert result.exit_code == 0, result.output
    assert len(raced) == 4
    # The session goes on with the answers it had before; later answers replay too.
    answer_some(session, clock, 4)
    assert mismatches(db) == []
    col = Collection(db)
    for uid in raced:  # the raced answer is in the card, not overwritten by a stale memory
        memory, last = col.card(uid).memory, col.log(uid)[-1]
        assert memory.last_review is not None and ts(memory.last_review) == last["reviewed_at"]
        assert memory.reps == last["reps_after"]
    col.close()


def test_an_answer_undone_between_the_reschedule_and_its_write_is_recomputed_without_it(
    simulated: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    frozen_time: time_machine.Traveller,
) -> None:
    from recall.cli.common import backup_now

    db = copy(simulated, tmp_path)
    frozen_time.move_to(LATER)
    clock = [LATER]
    session = session_at(db, clock)
    answered = answer_some(session, clock, 2)

    def undo_then_backup(col: Collection, why: str) -> None:
        assert session.undo() is not None  # the reschedule counted this answer; it is gone
        backup_now(col, why)

    monkeypatch.setattr("recall.cli.settings.backup_now", undo_then_backup)
    result = run("optimize", "--db", str(db), "--apply")
    assert result.exit_code == 0, result.output
    assert mismatches(db) == []
    col = Collection(db)
    assert col.card(answered[-1]).memory.reps == len(col.log(answered[-1]))
    col.close()


def test_undo_of_an_answer_an_optimize_rescheduled_since_is_refused_in_one_line(
    simulated: Path,  # noqa: F811
    tmp_path: Path,
    frozen_time: time_machine.Traveller,
) -> None:
    from recall.terminal.review import _message

    db = copy(simulated, tmp_path)
    frozen_time.move_to(LATER)
    clock = [LATER]
    session = session_at(db, clock)
    uid = answer_some(session, clock, 1)[0]
    assert run("optimize", "--db", str(db), "--apply").exit_code == 0
    col = Collection(db)
    kept = col.card(uid).memory
    with pytest.raises(RecallError, match="rescheduled this card after that answer"):
        session.undo()
    assert session.last_action() == "answer"  # still the session's, still refused
    row = col.card(uid)
    shown = _message(session, "undo", row)
    assert (
        shown
        == "Cannot undo: recall optimize (or a forget) rescheduled this card after that answer."
    )
    assert "\n" not in shown
    assert col.card(uid).memory == kept and len(col.log(uid)) > 0
    col.close()
    # An answer given after the optimize undoes as before.
    clock[0] += timedelta(minutes=5)
    later = answer_some(session, clock, 1)[0]
    undone = session.undo()
    assert undone is not None and undone.uid == later
    assert mismatches(db) == []
