"""*Which one of the following* from fact-sheet attributes: a Polity lesson gets Prelims
MCQs from the constitution sheet, whose facts are Article → content, not sets."""

from __future__ import annotations

from pathlib import Path

from recall.author.generate import Generated, generate
from recall.author.lesson import parse
from recall.author.sheets import load_sheets
from recall.cards import Card
from tests.conftest import LESSONS
from tests.helpers import deck_for, quality_violations


def mcqs(g: Generated) -> list[Card]:
    return [c for c in g.cards if c.kind == "mcq"]


def test_fundamental_rights_lesson_asks_which_article_with_sibling_articles() -> None:
    cards = mcqs(deck_for(LESSONS / "fundamental-rights.txt"))
    (liberty,) = [
        c for c in cards if c.front == "Which Article protects life and personal liberty?"
    ]
    assert liberty.correct_option == "Article 21"
    assert all(o.startswith("Article ") for o in liberty.options)
    # the explanation gives each false option's own content, from the sheet
    for option in liberty.options:
        assert f"{option}: " in liberty.back
    assert liberty.back.startswith("Article 21: Protection of life and personal liberty")
    (part,) = [c for c in cards if "form which Part" in c.front]
    assert part.correct_option == "Part III" and all(o.startswith("Part ") for o in part.options)
    assert quality_violations(cards) == []


_FACT = """
[[fact]]
key = "{key}"
type = "attribute"
group = "toy-articles"
subject = "{subject}"
attribute = "subject"
value = "{value}"
reverse_question = "Which toy article covers {value}?"
topics = ["toy"]
source = "https://example.org/a"
sources = ["https://example.org/b"]
as_of = "2024"
checked = "2026-12-01"
confidence = "{confidence}"
"""

_LESSON = """Toy articles

A short lesson on the toy constitution and its articles.

Prelims Focus:

  • Toy articles and what they cover.
"""


def _deck(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Generated:
    text = '[topics]\ntoy = ["Toy articles"]\n' + "".join(
        _FACT.format(key=f"toy.{i}", subject=s, value=v, confidence=c)
        for i, (s, v, c) in enumerate(rows)
    )
    path = tmp_path / "toy.toml"
    path.write_text(text, encoding="utf-8")
    return generate(parse(_LESSON, "toy.txt"), load_sheets([path], library=False))


def test_false_options_are_verified_siblings_with_other_values(tmp_path: Path) -> None:
    g = _deck(
        tmp_path,
        [
            ("Toy 1", "apples", "verified"),
            ("Toy 2", "pears", "verified"),
            ("Toy 3", "plums", "verified"),
            ("Toy 4", "apples", "verified"),  # same value as Toy 1: could also be the answer
            ("Toy 5", "figs", "likely"),  # one source: never an option, never asked
            ("Toy 6", "dates", "verified"),
        ],
    )
    cards = mcqs(g)
    assert "Which toy article covers apples?" in {c.front for c in cards}
    for c in cards:
        assert "Toy 5" not in c.options and "figs" not in c.front
        if c.front == "Which toy article covers apples?":
            assert c.correct_option in {"Toy 1", "Toy 4"}
            assert not {"Toy 1", "Toy 4"} <= set(c.options)
        assert len(set(c.options)) == 4


def test_fewer_than_three_siblings_make_no_attribute_mcq(tmp_path: Path) -> None:
    g = _deck(
        tmp_path,
        [
            ("Toy 1", "apples", "verified"),
            ("Toy 2", "pears", "verified"),
            ("Toy 3", "plums", "verified"),
            ("Toy 4", "figs", "likely"),
        ],
    )
    assert mcqs(g) == []
    assert any(c.kind == "reverse" for c in g.cards)  # the facts still make their cards


def test_event_dates_are_asked_with_other_events_dates_of_the_sheet() -> None:
    cards = mcqs(deck_for(LESSONS / "fundamental-rights.txt"))
    (adopted,) = [c for c in cards if c.fact == "const.adopted"]
    assert adopted.correct_option == "26 November 1949"
    assert len(set(adopted.options)) == 4
    # each false option is explained by the event it is the date of
    for option in adopted.options:
        assert f"{option}: " in adopted.back
    assert "constitution.toml#" in adopted.back


def test_a_two_part_question_keeps_only_its_date_half() -> None:
    from recall.author.mcq import _when_only

    assert (
        _when_only("When was the Montreal Protocol signed, and when did it enter into force?")
        == "When was the Montreal Protocol signed?"
    )
    assert _when_only("When was XPoSat launched, on which vehicle?") == "When was XPoSat launched?"
