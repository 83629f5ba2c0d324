"""The card query language: what it parses to, what it finds, and how it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from recall.deckfile import read_deck
from recall.errors import RecallError
from recall.memory import Memory, Rating
from recall.settings import Settings
from recall.store import Collection
from recall.study.browse import search
from recall.study.query import parse
from recall.study.schedule import Scheduler
from recall.terms import All, Any_, CardIs, Compare, DueDays, Field, Flag, InDeck, Not, Prop, Text
from tests.conftest import NOW, ROOT

DECK = ROOT / "decks" / "india-us-critical-minerals-diplomacy-supply-chain-resilience.toml"
RARE = ROOT / "decks" / "rare-earth-elements-in-india.toml"


def test_terms_side_by_side_bind_tighter_than_or_as_in_anki() -> None:
    assert parse("a or b c") == Any_((Text("a"), All((Text("b"), Text("c")))))
    assert parse("-(a or b)") == Not(Any_((Text("a"), Text("b"))))
    assert parse("deck:india* -is:suspended") == All(
        (InDeck("india*"), Not(CardIs(Flag.Suspended)))
    )


def test_fields_props_and_days() -> None:
    assert parse('front:"rare earth"') == Text("rare earth", Field.Front)
    assert parse('"a:b"') == Text("a:b")  # a quoted colon is text, not a field
    assert parse("prop:lapses>3") == Compare(Prop.Lapses, ">", 3.0)
    assert parse("prop:s<=2.5") == Compare(Prop.Stability, "<=", 2.5)
    assert parse("due:<7") == DueDays("<", 7)
    assert parse("due:today") == parse("is:due") == DueDays("<", 1)
    assert parse("is:learn") == CardIs(Flag.Learning)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("prop:lapses>>3", "bad query: prop:lapses>>3: a number must follow '>'"),
        ("prop:ivl>3", "bad query: prop:ivl>3: prop: takes one of lapses"),
        ("foo:bar", "bad query: foo:bar: unknown field 'foo:' (known: deck:, tag:"),
        ("(msp", "bad query: a '(' is never closed"),
        ("msp)", "bad query: a ')' has no '(' before it"),
        ("or msp", "bad query: 'or' needs a term before it"),
        ("msp or", "bad query: 'or' needs a term after it"),
        ('"rare earth', "bad query: a quote opened at character 1 is never closed"),
        ("kind:essay", "bad query: kind:essay: kind is one of basic, reverse, cloze, mcq"),
        ("due:soon", "bad query: due:soon: due: takes today, tomorrow, overdue"),
        ("deck:", "bad query: deck:: deck: needs a value"),
        ("   ", "bad query: empty"),
    ],
)
def test_malformed_queries_name_the_part_that_is_wrong(query: str, message: str) -> None:
    with pytest.raises(RecallError) as caught:
        parse(query)
    assert str(caught.value).startswith(message)


@pytest.fixture
def col(tmp_path: Path) -> Collection:
    c = Collection(tmp_path / "c.db")
    c.add_deck(read_deck(DECK), str(DECK), NOW)
    c.add_deck(read_deck(RARE), str(RARE), NOW)
    return c


def find(col: Collection, query: str) -> list[str]:
    sched = Scheduler(Settings(timezone="Asia/Kolkata"))
    return [r.id for r in search(col, sched, query, NOW)]


def test_text_deck_kind_and_negation_find_the_right_cards(col: Collection) -> None:
    every = col.all_cards()
    mcq_india = {r.id for r in every if r.kind == "mcq" and r.deck.startswith("india-us")}
    assert set(find(col, "deck:india-us* kind:mcq")) == mcq_india
    assert set(find(col, "deck:*")) == {r.id for r in every}
    assert set(find(col, "-kind:mcq")) == {r.id for r in every if r.kind != "mcq"}
    msp = {r.id for r in every if "msp" in (r.front + r.back + "".join(r.options)).lower()}
    assert set(find(col, "MSP")) == msp and msp
    # A deck's title works as well as its slug, case aside.
    assert set(find(col, 'deck:"rare earth elements in india"')) == {
        r.id for r in every if r.deck == "rare-earth-elements-in-india"
    }


def test_percent_and_underscore_are_matched_as_typed(col: Collection) -> None:
    with_percent = {r.id for r in col.all_cards() if "6%" in r.front + r.back}
    assert with_percent and set(find(col, "6%")) == with_percent
    with pytest.raises(RecallError, match="no cards match: 6_"):
        find(col, "6_")


def test_states_flags_props_and_due_days(col: Collection) -> None:
    sched = Scheduler(Settings(timezone="Asia/Kolkata", fuzz=False))
    first, second, third = col.all_cards()[:3]

    def schedule(memory: Memory) -> tuple[Memory, int]:
        return sched.answer(memory, Rating.Easy, NOW), 0

    col.answer(first.uid, schedule, Rating.Easy, NOW, 1000)
    col.set_flags(second.uid, suspended=1)
    col.set_flags(third.uid, buried_until="2026-11-26")
    assert find(col, "is:review") == [first.id]
    assert find(col, "is:suspended") == [second.id]
    assert find(col, "is:buried") == [third.id]
    assert find(col, "prop:reps=1") == [first.id]
    assert first.id not in find(col, "is:new")
    assert find(col, "prop:s>1") == [first.id]
    assert first.id not in find(col, "-prop:s>1")  # a new card has no stability: still "not"
    assert second.id in find(col, "-prop:s>1")
    easy_days = sched.day(col.card(first.uid).memory.due or NOW) - sched.day(NOW)
    assert find(col, f"due:{easy_days.days}") == [first.id]
    assert find(col, f"due:<{easy_days.days + 1} -is:new") == [first.id]
    with pytest.raises(RecallError, match="no cards match: due:today"):
        find(col, "due:today")


def test_retired_cards_only_when_asked_for(col: Collection) -> None:
    one = col.all_cards()[0]
    col.set_flags(one.uid, retired=1)
    assert one.id not in find(col, "*")
    assert find(col, "is:retired") == [one.id]


def test_a_query_never_reaches_sql_as_text(col: Collection) -> None:
    before = len(col.all_cards())
    with pytest.raises(RecallError, match="no cards match"):
        find(col, '"\'; drop table cards; --"')
    assert len(col.all_cards()) == before
