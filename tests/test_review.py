"""A whole review session driven through the CLI on stdin, and the commands around it."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from recall.store import Collection, Row
from tests.conftest import ROOT, SHIPPED_CARDS, run

DECK = str(ROOT / "decks" / "india-us-critical-minerals-diplomacy-supply-chain-resilience.toml")


@pytest.fixture
def loaded(recall_home: Path) -> Path:
    assert run("config", "timezone", "Asia/Kolkata").exit_code == 0
    assert run("config", "fuzz", "off").exit_code == 0
    result = run("add", DECK)
    assert result.output.endswith(f"{SHIPPED_CARDS} added, 0 updated, 0 retired, 0 unchanged\n")
    return recall_home / "collection.db"


def test_full_session_on_stdin(loaded: Path, frozen_time: time_machine.Traveller) -> None:
    # In deck order: What does REE stand for? (Good), What does MSP stand for? (Again),
    # Which country leads the MSP? (Easy); the reverse REE card is a sibling and waits.
    result = run("review", input=" \n3\n \n1\n \n4\nq\n")
    out = result.output
    assert result.exit_code == 0
    assert "new 20 · learning 0 · review 0" in out
    assert "What does REE stand for?" in out and "Rare Earth Elements" in out
    assert "What does MSP stand for?" in out and "succeeded by FORGE" in out
    assert "Which country led the Minerals Security Partnership (MSP) when India joined" in out
    assert "abbreviation" not in out  # siblings of answered cards wait for another day
    assert "1 Again 1m   2 Hard 6m   3 Good 10m   4 Easy 8d" in out
    assert "Session done: 3 cards, 67% correct" in out
    col = Collection(loaded)
    logs = col.db.execute(
        "select rating, state_before, state_after from reviews order by id"
    ).fetchall()
    assert logs == [(3, 0, 1), (1, 0, 1), (4, 0, 2)]


def test_a_cloze_shows_a_gap_then_its_answer(loaded: Path) -> None:
    col = Collection(loaded)
    for row in [r for r in col.all_cards() if r.kind != "cloze"]:
        col.set_flags(row.uid, suspended=1)
    out = run("review", input=" \n3\nq\n").output
    assert "materials like […] (REEs)." in out
    assert "materials like [Lithium and Rare Earth Elements] (REEs)." in out


def test_multiple_choice_is_graded_by_letter_with_override(loaded: Path) -> None:
    col = Collection(loaded)
    mcqs: list[Row] = []
    for r in [
        r for r in col.all_cards() if r.kind == "mcq"
    ]:  # deck order, one per fact: siblings wait a day
        if r.fact not in {m.fact for m in mcqs}:
            mcqs.append(r)
    wrong = next(letter for letter in "ABCD" if letter != mcqs[0].answer)
    for row in [r for r in col.all_cards() if r.kind != "mcq"]:
        col.set_flags(row.uid, suspended=1)
    # First MCQ: the right letter, Enter accepts Good. Second: a wrong letter, Enter accepts Again.
    # Third: a wrong letter, but the learner overrides with 2 (Hard): a slip, not a lapse.
    first, second, third = mcqs[0], mcqs[1], mcqs[2]
    w2 = next(x for x in "ABCD" if x != second.answer)
    w3 = next(x for x in "ABCD" if x != third.answer)
    script = f"{first.answer.lower()}\n\n{w2.lower()}\n\n{w3.lower()}\n2\nq\n"
    result = run("review", input=script)
    assert "Correct." in result.output
    assert f"Not quite: the answer is {second.answer}." in result.output
    assert "Enter accepts Good" in result.output and "Enter accepts Again" in result.output
    ratings = [r[0] for r in col.db.execute("select rating from reviews order by id")]
    assert ratings == [3, 1, 2]
    assert wrong  # the first card's wrong letters exist (4 options)
    assert "Session done: 3 cards, 33% correct" in result.output


def test_quit_and_end_of_input_lose_nothing(loaded: Path) -> None:
    run("review", input=" \n3\n")  # input ends after one answer: that answer is saved
    col = Collection(loaded)
    assert col.db.execute("select count(*) from reviews").fetchone()[0] == 1
    run("review", input="q\n")
    assert col.db.execute("select count(*) from reviews").fetchone()[0] == 1


def test_b_on_a_multiple_choice_question_answers_b_and_dash_buries(loaded: Path) -> None:
    col = Collection(loaded)
    for row in [r for r in col.all_cards() if r.kind != "mcq"]:
        col.set_flags(row.uid, suspended=1)
    first = next(r for r in col.all_cards() if r.kind == "mcq")
    result = run("review", input="b\n\n-\nq\n")
    assert ("Correct." if first.answer == "B" else "Not quite") in result.output
    assert [r[0] for r in col.db.execute("select rating from reviews")] == [
        3 if first.answer == "B" else 1
    ]
    assert sum(1 for r in col.all_cards() if r.buried_until) == 1


def test_undo_suspend_and_bury_keys(loaded: Path) -> None:
    result = run("review", input=" \n3\nu\n \n4\ns\nb\nq\n")
    assert "Undid the last answer." in result.output
    col = Collection(loaded)
    assert [r[0] for r in col.db.execute("select rating from reviews")] == [4]
    assert sum(1 for r in col.all_cards() if r.suspended) == 1
    assert sum(1 for r in col.all_cards() if r.buried_until) == 1


def test_limit_and_deck_options(loaded: Path) -> None:
    result = run("review", "--deck", "india-us", "--limit", "2", input=" \n3\n \n3\n \n3\n")
    assert "Session done: 2 cards" in result.output
    bad = run("review", "--deck", "nope")
    assert bad.exit_code == 2
    assert bad.stderr.startswith(
        "recall: error: no such deck: 'nope' (decks: india-us-critical-minerals"
    )


def test_due_and_stats(loaded: Path, frozen_time: time_machine.Traveller) -> None:
    run("review", input=" \n4\n \n4\n \n1\nq\n")
    data = json.loads(run("due", "--json").output)
    assert data["day"] == "2026-11-25"
    assert data["total"] == {"new": 17, "learning": 1, "review": 0}
    assert data["next_due"] is not None
    text = run("due").output
    assert "today: 17 new, 1 learning, 0 review" in text
    stats = json.loads(run("stats", "--json").output)
    assert stats["cards"]["review"] == 2 and stats["cards"]["learning"] == 1
    assert stats["reviews"] == {"today": 3, "7_days": 3, "30_days": 3}
    assert stats["streak_days"] == 1
    assert sum(d["due"] for d in stats["forecast"]) == 3
    frozen_time.move_to(datetime(2026, 12, 5, 6, 30, tzinfo=UTC))
    run("review", input=" \n3\n" * 30 + "q\n")
    stats = json.loads(run("stats", "--json").output)
    assert stats["true_retention_30_days"] is not None
    assert 0 < stats["average_retrievability"] <= 1
    chart = run("stats").output
    assert "due in the next 30 days:" in chart and "█" in chart


def test_config_shows_and_validates(loaded: Path) -> None:
    out = run("config").output
    for line in ("desired_retention = 0.9", "learning_steps = 60 600", "relearning_steps = 600",
                 "maximum_interval = 36500", "new_per_day = 20", "reviews_per_day = 200",
                 "day_start_hour = 4", "timezone = Asia/Kolkata", "parameters = FSRS-6, 21 weights (default)"):  # fmt: skip
        assert line in out
    assert run("config", "new_per_day", "30").output == "new_per_day = 30\n"
    bad = run("config", "desired_retention", "2")
    assert bad.exit_code == 2 and "is not valid: a number from 0.70 to 0.99 (now 0.9)" in bad.stderr
    assert run("config", "timezone", "Mars/Olympus").exit_code == 2
    assert run("config", "colour", "red").exit_code == 2


def test_check_reports_ok_then_a_tampered_card(
    loaded: Path, frozen_time: time_machine.Traveller
) -> None:
    run("review", input=" \n3\n \n4\nq\n")
    ok = run("check")
    assert ok.exit_code == 0 and "integrity: ok" in ok.output and "mismatches: 0" in ok.output
    con = sqlite3.connect(loaded)
    con.execute("update cards set reps = 7 where reps = 1 and state = 2")
    con.commit()
    con.close()
    bad = run("check")
    assert (
        bad.exit_code == 1
        and "mismatches: 1" in bad.output
        and "reps is 7, the log gives 1" in bad.output
    )


def test_db_option_and_recall_home(tmp_path: Path, recall_home: Path) -> None:
    other = tmp_path / "elsewhere.db"
    run("add", "--db", str(other), DECK)
    assert other.exists() and not (recall_home / "collection.db").exists()
    assert f"{SHIPPED_CARDS} cards" in run("decks", "--db", str(other)).output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a database at all", "not a recall collection (not an SQLite file)"),
        (b"SQLite format 3\x00" + b"\x00" * 50, "collection is damaged"),
    ],
)
def test_bad_collection_files(tmp_path: Path, content: bytes, message: str) -> None:
    db = tmp_path / "c.db"
    db.write_bytes(content)
    result = run("due", "--db", str(db))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"recall: error: {db}: {message}")
    assert result.stderr.count("\n") == 1
    assert db.read_bytes() == content


def test_adding_a_broken_deck_file_leaves_the_collection_untouched(
    loaded: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[deck]\nslug = "x"\ntitle = "X"\n\n[[card]]\nid = "a"\nkind = "essay"\nfront = "Q"\nback = "A"\n'
    )
    before = loaded.read_bytes()
    result = run("add", DECK, str(bad))
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"recall: error: {bad}:5: card a: kind must be one of basic, reverse, cloze, mcq, not 'essay'\n"
    )
    assert Collection(loaded).db.execute("select count(*) from decks").fetchone()[0] == 1
    assert loaded.read_bytes() == before


def test_a_new_day_brings_reviews_back(loaded: Path, frozen_time: time_machine.Traveller) -> None:
    run("review", input=" \n3\n \n3\n")
    frozen_time.shift(timedelta(minutes=10))
    run("review", input=" \n3\n \n3\n")  # both graduate: due in days
    frozen_time.move_to(datetime(2026, 12, 10, 6, 30, tzinfo=UTC))
    assert json.loads(run("due", "--json").output)["total"]["review"] == 2


def test_card_text_cannot_drive_the_terminal(recall_home: Path, tmp_path: Path) -> None:
    """Escape sequences in a deck (a clear-screen, a bell, a title change) print as text."""
    deck = tmp_path / "evil.toml"
    deck.write_text(
        '[deck]\nslug = "evil"\ntitle = "Evil \\u001b]0;pwned\\u0007"\n\n[[card]]\nid = "e1"\n'
        'kind = "basic"\nfront = "Clear \\u001b[2J\\u001b[H screen?"\nback = "Bell \\u0007 \\u009b31m"\n',
        encoding="utf-8",
    )
    assert run("add", str(deck)).exit_code == 0
    out = run("review", input=" \n3\nq\n").output
    assert "Clear \ufffd[2J\ufffd[H screen?" in out and "Bell \ufffd \ufffd31m" in out
    assert not any(ch in out for ch in "\x1b\x07\x9b")
