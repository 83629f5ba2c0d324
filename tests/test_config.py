"""`recall config`: every key refuses a bad value in one line (what is valid, the value in
force), exit 2, nothing changed; steps take units; a calendar change says what it does."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from recall.settings import DEFAULT_PARAMETERS
from tests.conftest import run

BAD = {
    "desired_retention": ["2", "-0.5", "", "abc", "0.5"],
    "learning_steps": ["99999999999999", "-5", "1x", "0", "400d"],
    "relearning_steps": ["-5", "10q", "0m"],
    "maximum_interval": ["-10", "0", "36501", "", "1e3"],
    "fuzz": ["maybe", ""],
    "new_per_day": ["1e23", "-5", "", "ten", "10000"],
    "reviews_per_day": ["-1", "", "x", "99999"],
    "day_start_hour": ["24", "-1", "", "4.5", "noon"],
    "timezone": ["Mars/Olympus", "", "../../etc/passwd"],
    "learn_ahead_minutes": ["1e11", "-1", "", "1441"],
    "bury_siblings": ["2", ""],
    "parameters": ["1 2 3", "", "x " * 21, " ".join(["1e300"] * 21)],
}


def _config_rows(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute("select key, value from config").fetchall())


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, vs in BAD.items() for v in vs])
def test_a_bad_value_is_refused_in_one_line_and_changes_nothing(
    recall_home: Path, key: str, value: str
) -> None:
    assert run("config", "new_per_day", "30").exit_code == 0
    db = recall_home / "collection.db"
    before = _config_rows(db)
    shown = run("config", key).output.split(" = ", 1)[1].strip()
    if key == "parameters":  # shown described; the error gives the weights themselves
        shown = " ".join(str(w) for w in DEFAULT_PARAMETERS)
    result = run("config", "--", key, value)  # "--": negative values reach the command
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"recall: error: {key}: ")
    assert "is not valid: " in lines[0] and lines[0].endswith(f"(now {shown})")
    assert "Traceback" not in result.output + result.stderr
    assert _config_rows(db) == before


def test_the_current_value_is_shown_not_the_default(recall_home: Path) -> None:
    assert run("config", "new_per_day", "35").exit_code == 0
    assert run("config", "--", "new_per_day", "-3").stderr.strip().endswith("(now 35)")


def test_steps_take_units_as_the_readme_shows(recall_home: Path) -> None:
    assert run("config", "learning_steps", "1m 10m").output == "learning_steps = 60 600\n"
    assert run("config", "relearning_steps", "1h, 1d").output == "relearning_steps = 3600 86400\n"
    assert run("config", "learning_steps", "90").output == "learning_steps = 90\n"
    assert run("config", "learning_steps", "").output == "learning_steps = \n"


def test_an_unknown_setting_lists_the_known_ones(recall_home: Path) -> None:
    result = run("config", "colour", "red")
    assert result.exit_code == 2 and "the settings are: bury_siblings, " in result.stderr


def test_changing_the_day_start_says_how_many_due_days_move(recall_home: Path) -> None:
    from tests.test_review import DECK

    assert run("config", "timezone", "Asia/Kolkata").exit_code == 0
    assert run("add", DECK).exit_code == 0
    with time_machine.travel(datetime(2026, 11, 25, 6, 30, tzinfo=UTC), tick=False):
        assert run("review", "--limit", "5", input="\n4\n" * 5).exit_code == 0
        out = run("config", "day_start_hour", "10").output
    assert out.startswith("due days of 5 review cards move by up to 1 day;")
    assert out.endswith("day_start_hour = 10\n")
    assert run("check").exit_code == 0
