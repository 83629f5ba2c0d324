"""The review screen's extras: suspend and bury say what they did and undo takes them back,
studying ahead, two sessions on one collection, and what every command does when its reader
goes away or it was asked for JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from recall.memory import Rating
from recall.store import Collection
from recall.study.schedule import Scheduler
from recall.study.session import AnsweredElsewhere, Session
from tests.conftest import ROOT, run

SLUG = "india-us-critical-minerals-diplomacy-supply-chain-resilience"
DECK = str(ROOT / "decks" / f"{SLUG}.toml")
REE_UID = f"{SLUG}:2fe3065973c454b2"


@pytest.fixture
def loaded(recall_home: Path) -> Path:
    assert run("config", "timezone", "Asia/Kolkata").exit_code == 0
    assert run("config", "fuzz", "off").exit_code == 0
    assert run("add", DECK).exit_code == 0
    return recall_home / "collection.db"


def test_suspend_and_bury_say_what_they_did_and_undo_takes_them_back(loaded: Path) -> None:
    result = run("review", input="s\nu\nb\nu\n \n3\nq\n")
    out = result.output
    assert "Suspended “What does REE stand for?”: it will not show until `recall unsuspend`" in out
    assert "Unsuspended “What does REE stand for?”: here it is again." in out
    assert "Buried “What does REE stand for?” until tomorrow. u undoes." in out
    assert "Unburied “What does REE stand for?”: here it is again." in out
    assert "Session done: 1 card" in out
    col = Collection(loaded)
    assert not any(r.suspended or r.buried_until for r in col.all_cards())
    (answered,) = [r for r in col.all_cards() if r.memory.reps]
    assert answered.front == "What does REE stand for?"
    assert "mismatches: 0" in run("check").stdout


def test_undo_takes_back_whichever_came_last(loaded: Path) -> None:
    col = Collection(loaded)
    session = Session(col, Scheduler(col.settings()))
    first = session.next_card()
    assert first is not None
    session.answer(first, Rating.Good)
    second = session.next_card()
    assert second is not None
    session.suspend(second)
    assert session.last_action() == "suspend"
    assert session.undo() is not None and not col.card(second.uid).suspended
    assert session.last_action() == "answer"
    assert session.undo() is not None and col.card(first.uid).memory.reps == 0
    assert session.last_action() is None and session.undo() is None


def test_a_card_answered_in_another_session_since_it_was_shown_is_refused(
    loaded: Path,
) -> None:
    col_a, col_b = Collection(loaded), Collection(loaded)
    a = Session(col_a, Scheduler(col_a.settings()))
    b = Session(col_b, Scheduler(col_b.settings()))
    shown_a, shown_b = a.next_card(), b.next_card()
    assert shown_a is not None and shown_b is not None and shown_a.uid == shown_b.uid
    b.answer(shown_b, Rating.Good)
    with pytest.raises(AnsweredElsewhere, match="was answered in another session"):
        a.answer(shown_a, Rating.Easy)
    assert col_a.log(shown_a.uid)[0]["rating"] == 3 and len(col_a.log(shown_a.uid)) == 1
    following = a.next_card()
    assert following is not None and following.uid != shown_a.uid  # the screen moves on
    a.answer(following, Rating.Good)
    assert "mismatches: 0" in run("check").stdout


def test_the_screen_says_so_and_moves_on(loaded: Path) -> None:
    col = Collection(loaded)
    other = Session(col, Scheduler(col.settings()))

    class Elsewhere:
        """Answers the card on screen from another session just before this one does."""

        def __init__(self) -> None:
            self.lines = iter([" ", "answer-elsewhere", "3", "q"])

        def readline(self) -> str:
            line = next(self.lines)
            if line == "answer-elsewhere":
                row = other.next_card()
                assert row is not None
                other.answer(row, Rating.Again)
                line = next(self.lines)
            return line + "\n"

        def isatty(self) -> bool:
            return False

    from recall.terminal.review import Terminal
    from recall.terminal.review import run as drive

    session = Session(col, Scheduler(col.settings()))
    summary = drive(session, Terminal(Elsewhere()))  # type: ignore[arg-type]
    assert summary["cards"] == 0
    assert [r["rating"] for r in col.log(REE_UID)] == [1]


def test_review_ahead_studies_cards_before_they_are_due(
    loaded: Path, frozen_time: time_machine.Traveller
) -> None:
    run("review", input=" \n4\nq\n")  # REE, Easy: a review card due in 8 days
    frozen_time.shift(timedelta(days=3))
    today = run("review", input="q\n").output
    assert "What does REE stand for?" not in today
    ahead = run("review", "--ahead", "7", input=" \n3\nq\n")
    assert "What does REE stand for?" in ahead.output and "new 0 · learning 0 · review 1" in (
        ahead.output
    )
    col = Collection(loaded)
    log = col.log(REE_UID)
    assert [(r["rating"], r["elapsed_days"]) for r in log] == [(4, 0), (3, 3)]
    assert "mismatches: 0" in run("check").stdout
    assert run("review", "--ahead", "1", input="q\n").output.count("REE") == 0


def test_a_closed_pipe_ends_any_command_quietly_with_status_0(loaded: Path) -> None:
    env = {**os.environ, "RECALL_HOME": str(loaded.parent)}
    for args in (["cards", "*"], ["stats"], ["decks"], ["card", REE_UID]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "recall", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before the command prints a line
        with proc.stderr:
            err = proc.stderr.read().decode()
        assert proc.wait() == 0, (args, err)
        assert "error" not in err.lower() and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("cards", "--json", "zzzz"), {"error": "no cards match: zzzz"}),
        (("card", "--json", "nope"), {"error": "no such card: nope"}),
        (("due", "--json", "--deck", "nope"), None),
        (("stats", "--json", "--deck", "nope"), None),
        (("optimize", "--json"), None),
        (("generate", "--json", "/no/such/lesson.txt"),
         {"error": "no such file or directory", "file": "/no/such/lesson.txt"}),
    ],
)  # fmt: skip
def test_json_commands_report_errors_as_json(
    loaded: Path, args: tuple[str, ...], error: dict[str, str] | None
) -> None:
    result = run(*args)
    assert result.exit_code == 2 and result.stderr == ""
    data = json.loads(result.stdout)
    assert set(data) <= {"error", "file", "line"} and data["error"]
    if error is not None:
        assert data == error
    plain = run(*[a for a in args if a != "--json"])
    assert plain.stdout == "" and plain.stderr.startswith("recall: error: ")


def test_what_the_last_key_did_is_said_even_when_no_card_follows(loaded: Path) -> None:
    run("config", "new_per_day", "1")
    out = run("review", input="s\n").output
    assert out.count("Suspended “What does REE stand for?”") == 1
    again = run("review", "--deck", "india-us", input="q\n").output
    assert "Suspended" not in again
