"""Consistency warnings: a lesson that contradicts a fact sheet, or itself, is reported with
the lesson line and the sheet entry, and the sheet wins (the lesson's card is left out)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recall.author.generate import Generated
from recall.cards import CLOZE
from tests.conftest import LESSONS, run
from tests.helpers import deck_for, deck_for_text

OWN = Path(__file__).parent / "data" / "lessons"

# Written for this test: every paragraph but the filler ones states something a fact sheet
# (or the lesson itself) says otherwise.
SEEDED = """India and new partnerships

India joined the Minerals Security Partnership in 2021 to secure lithium and cobalt for its electric vehicle industry.

Argentina became a full member of BRICS in January 2024, together with Egypt and Ethiopia.

India now runs 60 tiger reserves spread across many states of the country.

The Constitution of India has 10 Schedules that deal with many subjects.

When it began, the Constitution of India had 8 Schedules in all.

The Sundarbans reserve covers an area of 2,585 km² in West Bengal along the delta.

The Sundarbans reserve covers an area of 2,600 km² according to the state's own figures.

Prelims Focus:

  • Minerals Security Partnership, BRICS and tiger reserves.
"""


@pytest.fixture(scope="module")
def seeded() -> Generated:
    return deck_for_text(SEEDED, "seeded.txt")


def _pairs(g: Generated) -> set[tuple[str, str]]:
    return {(w.lesson_ref, w.other_ref) for w in g.warnings}


def test_every_seeded_contradiction_is_reported_with_both_sides(seeded: Generated) -> None:
    assert {
        ("seeded.txt:3", "critical-minerals.toml#msp.india-joined"),
        ("seeded.txt:5", "groupings.toml#brics.members"),
        ("seeded.txt:7", "protected-areas.toml#pa.tiger.count"),
        ("seeded.txt:9", "constitution.toml#const.schedules-count"),
        ("seeded.txt:13", "seeded.txt:15"),
    } <= _pairs(seeded)
    by_line = {w.lesson_ref: w.message for w in seeded.warnings}
    assert "2021" in by_line["seeded.txt:3"] and "June 2023" in by_line["seeded.txt:3"]
    assert "2,585 km²" in by_line["seeded.txt:13"] and "2,600 km²" in by_line["seeded.txt:13"]


def test_a_number_the_sheet_also_gives_is_not_a_contradiction(seeded: Generated) -> None:
    # the sheet says 12 Schedules, "the original Constitution had 8"
    assert not [w for w in seeded.warnings if w.lesson_ref == "seeded.txt:11"]


def test_the_sheet_wins_the_lessons_card_is_left_out(seeded: Generated) -> None:
    lesson_cards = [c for c in seeded.cards if c.source.startswith("seeded.txt")]
    fronts = " ".join(CLOZE.sub(r"\2", c.front) + " " + c.back for c in lesson_cards)
    assert "60 tiger reserves" not in fronts and "10 Schedules" not in fronts
    assert any(k == "overruled" for _, k, _ in seeded.dropped)
    # the sheet's own card stays
    assert any(c.fact == "msp.india-joined" for c in seeded.cards)


def test_own_and_shipped_lessons_raise_no_false_alarm() -> None:
    lessons = [*sorted(OWN.glob("*.txt")), *sorted(LESSONS.iterdir())]
    assert len(lessons) >= 20
    alarms = [(p.name, w.message) for p in lessons for w in deck_for(p).warnings]
    assert alarms == []


def test_generate_prints_each_warning_with_lesson_line_and_sheet_entry(
    workdir: Path,
) -> None:
    (workdir / "seeded.txt").write_text(SEEDED, encoding="utf-8")
    result = run("generate", "seeded.txt", "-o", "decks")
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip().startswith("warning:")]
    assert any(
        "seeded.txt:3 vs critical-minerals.toml#msp.india-joined" in ln and "sheet wins" in ln
        for ln in lines
    )
    assert any("seeded.txt:13 vs seeded.txt:15" in ln for ln in lines)
    as_json = json.loads(run("generate", "seeded.txt", "-o", "decks", "--json").output)
    deck = as_json["decks"][0] if "decks" in as_json else as_json[0]
    assert {
        "lesson": "seeded.txt:7",
        "other": "protected-areas.toml#pa.tiger.count",
    }.items() <= next(w for w in deck["warnings"] if w["lesson"] == "seeded.txt:7").items()
