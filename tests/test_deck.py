"""Deck files: exact round trip, strict reading with lines, and edit-keeping regeneration."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recall.cards import Card
from recall.deckfile import Deck, merge, parse_deck, read_deck, write_deck
from recall.errors import RecallError
from tests.conftest import SHIPPED
from tests.helpers import deck_for, deck_for_text

TODAY = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)


def test_generated_deck_reads_back_to_identical_cards(tmp_path: Path) -> None:
    generated = deck_for(SHIPPED)
    deck = Deck(slug=generated.lesson.slug, title=generated.lesson.title, cards=generated.cards,
                category="International Relations", date="2026-02-02", lesson="x.txt")  # fmt: skip
    path = tmp_path / "d.toml"
    write_deck(deck, path)
    back = read_deck(path)
    assert back.cards == generated.cards
    assert (back.slug, back.title, back.category, back.date) == (
        deck.slug,
        deck.title,
        "International Relations",
        "2026-02-02",
    )
    assert "Norway" in path.read_text(encoding="utf-8")  # NO stays Norway; this is TOML


texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(
    front=texts.filter(lambda s: s.strip() != ""),
    back=texts,
    tags=st.lists(texts, max_size=3),
    options=st.lists(texts, min_size=4, max_size=4, unique_by=lambda s: s.strip().casefold()),
    title=texts.filter(lambda s: s.strip() != ""),
)
def test_any_text_round_trips_exactly(
    front: str, back: str, tags: list[str], options: list[str], title: str
) -> None:
    basic = Card(id="a1", kind="basic", fact="f", front=front, back=back, tags=tuple(tags))
    mcq = Card(
        id="a2", kind="mcq", fact="f", front=front, back=back, options=tuple(options), answer="C"
    )
    deck = Deck(slug="s", title=title, cards=[basic.stamped(), mcq.stamped()])
    back_again = parse_deck(deck.to_toml(), "x")
    assert back_again.cards == deck.cards
    assert back_again.title == title


@settings(max_examples=300, deadline=None)
@given(
    front=texts, back=texts, tags=st.lists(texts, max_size=3), title=texts,
    multiline=st.booleans(), short=st.booleans(),
)  # fmt: skip
def test_the_deck_writer_writes_exactly_what_tomli_w_writes(
    front: str, back: str, tags: list[str], title: str, multiline: bool, short: bool
) -> None:
    """The fast writer is held to tomli-w's output byte for byte (and defers to it)."""
    import tomli_w

    from recall.deckfile import dumps

    card = {"id": "a1", "front": front, "back": back, "tags": tags}
    if not short:
        card["hash"] = "0123456789abcdef" * 6
    data = {"deck": {"slug": "s", "title": title}, "card": [card, dict(card, id="a2")]}
    assert dumps(data, multiline=multiline) == tomli_w.dumps(data, multiline_strings=multiline)


CARD = """[deck]
slug = "s"
title = "T"

[[card]]
id = "a1"
kind = "basic"
front = "Q?"
back = "A"
"""


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            CARD + '\n[[card]]\nid = "a1"\nkind = "basic"\nfront = "Q2"\nback = "B"\n',
            11,
            "duplicate card id 'a1'",
        ),
        (CARD.replace('kind = "basic"', 'kind = "essay"'), 5, "kind must be one of"),
        (CARD.replace('back = "A"\n', ""), 5, "missing 'back'"),
        (CARD.replace('front = "Q?"', "front = 7"), 5, "'front' must be a string"),
        (CARD.replace('back = "A"', 'back = "A"\ncolour = "red"'), 5, "unknown field 'colour'"),
        (CARD.replace('kind = "basic"', 'kind = "mcq"'), 5, "needs 4 distinct options"),
        (CARD + 'tags = "x"\n', 5, "'tags' must be a list"),
        (CARD.replace('front = "Q?"', 'front = "Q?'), 8, "TOML error"),
        (CARD.replace('[deck]\nslug = "s"\n', "[deck]\n"), 1, "[deck] needs slug"),
    ],
)
def test_bad_deck_files_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(RecallError) as info:
        parse_deck(text, "deck.toml")
    assert info.value.line == line and message in info.value.message
    assert str(info.value).startswith(f"deck.toml:{line}: ")


def cards_of(text: str) -> list[Card]:
    return deck_for_text(text).cards


def test_regeneration_keeps_a_teachers_edit_when_the_lesson_did_not_change() -> None:
    cards = cards_of(SHIPPED.read_text(encoding="utf-8"))
    edited = [
        replace(c, front="What does M.S.P. stand for?")
        if c.fact == "msp.name" and c.kind == "basic"
        else c
        for c in cards
    ]
    merged, report = merge(Deck("s", "T", edited), cards, TODAY)
    (msp,) = [c for c in merged if c.fact == "msp.name" and c.kind == "basic"]
    assert msp.front == "What does M.S.P. stand for?" and msp.edited
    assert (
        report.kept_edits == [msp.id]
        and not report.changed
        and not report.added
        and not report.retired
    )


def test_regeneration_updates_cards_whose_lesson_text_changed_and_retires_vanished_ones() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    old = cards_of(text)
    new_text = text.replace("(often 5–10 years)", "(often 7–12 years)").replace(
        "  • Creating Common Standards: Working towards harmonized regulatory standards with the U.S. regarding ethical sourcing, environmental safeguards, and transparency, facilitating smoother cross-border investment and trade.\n",
        "",
    )
    new = cards_of(new_text)
    merged, report = merge(Deck("s", "T", old), new, TODAY)
    (cloze,) = [c for c in merged if c.fact == "cloze:challenges:1"]
    assert "{{c1::7–12 years}}" in cloze.front and cloze.id in report.changed
    retired = [c for c in merged if c.retired]
    assert {c.fact for c in retired} == {"point:way-forward:creating-common-standards"}
    assert all(c.retired == "2026-11-25" for c in retired)
    assert sorted(report.retired) == sorted(c.id for c in retired)
    assert "list:way-forward" in {
        merged_card.fact for merged_card in merged if merged_card.id in report.changed
    }
    # Running it again changes nothing more; a retired card stays retired with its date.
    again, report2 = merge(Deck("s", "T", merged), new, datetime(2026, 12, 1, tzinfo=UTC))
    assert again == merged and not report2.changed and not report2.retired


def test_a_retired_card_comes_back_with_its_id_when_its_fact_returns() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    full = cards_of(text)
    cut = cards_of(text.replace("Net Zero 2070 target", "net-zero goal"))
    merged, _ = merge(Deck("s", "T", full), cut, TODAY)
    assert any(c.fact == "target:net-zero" and c.retired for c in merged)
    revived, report = merge(Deck("s", "T", merged), full, TODAY)
    (net_zero,) = [c for c in revived if c.fact == "target:net-zero"]
    assert not net_zero.retired and net_zero.id in report.revived


def test_hand_written_cards_are_never_retired() -> None:
    cards = cards_of(SHIPPED.read_text(encoding="utf-8"))
    mine = Card(
        id="teacher-1",
        kind="basic",
        fact="",
        front="Who chairs FORGE initially?",
        back="The Republic of Korea",
    )
    merged, report = merge(Deck("s", "T", [*cards, mine]), cards, TODAY)
    assert mine in merged and report.hand_written == ["teacher-1"]


def test_changed_moves_only_when_what_a_card_shows_changes() -> None:
    """`changed` becomes an exported note's Anki mod time: Anki updates only newer notes."""
    text = SHIPPED.read_text(encoding="utf-8")
    first, _ = merge(None, cards_of(text), TODAY)
    assert {c.changed for c in first} == {"2026-11-25T06:30:00Z"}
    later = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    new_text = text.replace("(often 5–10 years)", "(often 7–12 years)")
    second, report = merge(Deck("s", "T", first), cards_of(new_text), later)
    moved = {c.id for c in second if c.changed == "2026-12-01T09:00:00Z"}
    assert moved == set(report.changed) and moved
    assert all(c.changed == "2026-11-25T06:30:00Z" for c in second if c.id not in moved)
    unstamped = [replace(c, changed="") for c in second]
    third, _ = merge(Deck("s", "T", unstamped), cards_of(new_text), later)
    assert all(c.changed == "2026-12-01T09:00:00Z" for c in third)
