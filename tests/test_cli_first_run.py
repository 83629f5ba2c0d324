"""What a learner's first runs print: an empty collection points to the commands that fill
it, a limited session counts only what it will show, stats says why true retention has no
figure yet, and every command with --json reports its errors as JSON."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import click
import time_machine

from recall.cli import cli
from tests.conftest import ROOT, run

DECK = str(ROOT / "decks" / "india-us-critical-minerals-diplomacy-supply-chain-resilience.toml")
HEADER = re.compile(r"new (\d+) · learning (\d+) · review (\d+)")


def test_review_on_an_empty_collection_points_to_add_and_example(recall_home: Path) -> None:
    result = run("review", input="q\n")
    assert result.exit_code == 0
    assert "Your collection has no cards yet" in result.output
    assert "`recall add decks/`" in result.output
    assert "`recall example example.db`" in result.output
    assert "No cards answered" not in result.output


def test_due_on_an_empty_collection_points_to_add(recall_home: Path) -> None:
    result = run("due")
    assert result.output.startswith("today: 0 new, 0 learning, 0 review\n")
    assert "`recall add decks/`" in result.output


def test_review_with_cards_but_none_due_does_not_claim_the_collection_is_empty(
    recall_home: Path,
) -> None:
    assert run("add", DECK).exit_code == 0
    assert run("config", "new_per_day", "0").exit_code == 0
    out = run("review", input="q\n").output
    assert "no cards yet" not in out
    assert "No cards answered." in out


def test_a_limited_session_counts_what_it_will_show_not_the_whole_day(
    recall_home: Path,
) -> None:
    assert run("add", DECK).exit_code == 0
    # Good, Again, Good: the header before each card sums to the answers the limit leaves.
    out = run("review", "--limit", "3", input=" \n3\n \n1\n \n3\nq\n").output
    headers = [tuple(map(int, m)) for m in HEADER.findall(out)]
    assert headers[0] == (3, 0, 0)
    assert [sum(h) for h in headers] == [3, 2, 1]
    assert "Session done: 3 cards" in out
    unlimited = run("review", input="q\n").output
    first = HEADER.search(unlimited)
    assert first is not None and sum(map(int, first.groups())) > 3  # the whole day's count


def test_stats_says_learning_steps_are_not_in_true_retention(
    recall_home: Path, frozen_time: time_machine.Traveller
) -> None:
    assert run("add", DECK).exit_code == 0
    assert "true retention (30 days): no reviews yet\n" in run("stats").output
    run("review", "--limit", "2", input=" \n4\n \n3\nq\n")  # Easy graduates, Good learns
    out = run("stats").output
    assert "reviews: 2 today" in out
    assert (
        "true retention (30 days): none yet: it counts only answers to cards in review; "
        "your 2 answers in these 30 days were all learning steps, which it leaves out"
    ) in out
    frozen_time.shift(timedelta(days=15))  # the Easy card is a review card due by now
    assert run("config", "new_per_day", "0").exit_code == 0
    # The card left in learning comes first (a learning step), then the review card.
    answered = run("review", "--limit", "2", input=" \n3\n \n3\nq\n").output
    assert "Session done: 2 cards" in answered
    out = run("stats").output
    assert (
        "true retention (30 days): 100.0% of 1 answer to review cards (learning steps not counted)"
    ) in out


def _json_commands() -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(cli.commands.items()):
        if any("--json" in getattr(p, "opts", []) for p in command.params):
            found.append((name, command))
    return found


def test_every_json_command_reports_a_usage_error_as_json() -> None:
    commands = _json_commands()
    assert {"cards", "card", "due", "generate", "optimize", "stats"} <= {n for n, _ in commands}
    for name, _ in commands:
        result = run(name, "--json", "--no-such-option")
        assert result.exit_code == 2, name
        assert json.loads(result.output) == {"error": "No such option '--no-such-option'."}, name


def test_every_json_command_reports_a_bad_collection_or_input_as_json(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-collection.db"
    bad.write_text("not sqlite\n")
    for name, command in _json_commands():
        args = [name, "--json"]
        args += ["missing-lesson.txt" if name == "generate" else "x" for p in command.params
                 if isinstance(p, click.Argument)]  # fmt: skip
        if any("--db" in p.opts for p in command.params):
            args += ["--db", str(bad)]
        result = run(*args)
        assert result.exit_code == 2, name
        error = json.loads(result.output)
        assert error["error"], name
        assert error.get("file") in {str(bad), "missing-lesson.txt"}, (name, error)


def test_without_json_a_usage_error_is_clicks_usual_text() -> None:
    result = run("stats", "--no-such-option")
    assert result.exit_code == 2
    assert "Error: No such option '--no-such-option'." in result.output
    assert not result.output.lstrip().startswith("{")
