"""Card generation on the shipped lesson and on lessons of other shapes and subjects."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recall.author.facts import Attribute, Event, MemberSet
from recall.author.sheets import Sheets
from recall.cards import LETTERS, Card
from recall.text import fold, format_date
from tests.conftest import LESSONS, SHIPPED
from tests.helpers import deck_for, deck_for_text, find, quality_violations, sheets


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    return deck_for(SHIPPED).cards


def text_of(card: Card) -> str:
    return "\n".join([card.front, *card.options, card.back])


def test_every_card_kind_is_generated(cards: list[Card]) -> None:
    kinds = Counter(c.kind for c in cards)
    assert set(kinds) == {"basic", "reverse", "cloze", "mcq"}


def test_msp_expansion_and_leader(cards: list[Card]) -> None:
    (expand,) = find(cards, fact="msp.name", kind="basic")
    assert expand.front == "What does MSP stand for?"
    assert expand.back.startswith("Minerals Security Partnership\n")
    (leader,) = find(cards, fact="msp.leader")
    assert "United States" in leader.back and "State Department" in leader.back


def test_india_joined_msp_in_june_2023(cards: list[Card]) -> None:
    (joined,) = find(cards, fact="msp.india-joined")
    assert joined.front == "When did India join the Minerals Security Partnership (MSP)?"
    assert joined.back.startswith("June 2023, during Prime Minister Modi's state visit")


def test_forge_succession_and_msp_cards_are_flagged(cards: list[Card]) -> None:
    (succ,) = find(cards, fact="forge.succession", kind="basic")
    assert succ.front == "What replaced the Minerals Security Partnership (MSP) on 4 February 2026?"
    assert succ.back.startswith("FORGE (Forum on Resource Geostrategic Engagement)")
    msp_cards = [c for c in cards if c.fact.startswith("msp.")]
    assert len(msp_cards) >= 8
    for card in msp_cards:
        assert (
            "Since 4 February 2026, the Minerals Security Partnership (MSP) has been succeeded by FORGE"
            in card.back
        )
        assert re.search(r"As of \w+ 20\d\d\.", card.back)
    # A lesson card that names the MSP is flagged too, with the lesson's date.
    from_lesson = [
        c
        for c in cards
        if not c.fact.startswith("msp.")
        and re.search(r"\bMSP\b|Minerals Security", c.front + c.back)
        and ".txt:" in c.source
    ]
    assert from_lesson
    for card in from_lesson:
        assert "As of 2 February 2026. Since 4 February 2026" in card.back


def test_niobium_vanadium_titanium_on_indias_list_and_a_not_on_list_mcq(cards: list[Card]) -> None:
    listed = find(cards, fact="india.critical-minerals-list", kind="mcq")
    correct = {
        c.correct_option for c in listed if " NOT " not in c.front and "statements" not in c.front
    }
    assert {"Niobium", "Vanadium", "Titanium"} <= correct
    (not_mcq,) = [c for c in listed if " NOT " in c.front]
    assert (
        not_mcq.front
        == "Which one of the following minerals is NOT on India's first list of 30 critical minerals (June 2023)?"
    )
    assert {"Niobium", "Vanadium", "Titanium"} <= set(not_mcq.options)


def test_uses_of_lithium_cobalt_and_rees(cards: list[Card]) -> None:
    assert "lithium-ion batteries" in find(cards, fact="uses.lithium")[0].back.lower()
    assert "jet engines" in find(cards, fact="uses.cobalt")[0].back
    (ree,) = find(cards, fact="uses.ree", kind="basic")
    assert ree.front == "What are rare earth elements mainly used for?"
    assert "permanent magnets" in ree.back


def test_kabil_and_its_three_parents(cards: list[Card]) -> None:
    (parents,) = find(cards, fact="kabil.parents")
    for name in ("NALCO", "HCL", "MECL", "40 : 30 : 30"):
        assert name in parents.back
    assert find(cards, fact="kabil.name")[0].back == "Khanij Bidesh India Ltd"


def test_lesson_facts_definition_net_zero_lead_time_china_way_forward(cards: list[Card]) -> None:
    (definition,) = find(cards, fact="definition:critical-minerals-diplomacy", kind="basic")
    assert definition.front == "What is Critical Minerals Diplomacy?"
    assert definition.back.startswith("The strategic governmental effort to secure long-term")
    (net_zero,) = find(cards, fact="target:net-zero")
    assert (net_zero.front, net_zero.back) == ("What is India's target year for Net Zero?", "2070")
    clozes = {c.front for c in cards if c.kind == "cloze"}
    assert any("{{c1::5–10 years}}" in f for f in clozes)
    assert any("a single nation ({{c1::China}}) in refining and processing" in f for f in clozes)
    (way,) = find(cards, fact="list:way-forward")
    assert (
        way.back
        == "1. Joint R&D in Recycling\n2. Strategic Equity Acquisition\n3. Creating Common Standards"
    )
    for label in (
        "joint-r-d-in-recycling",
        "strategic-equity-acquisition",
        "creating-common-standards",
    ):
        assert find(cards, fact=f"point:way-forward:{label}", kind="basic")


def test_every_card_has_id_source_tags_and_as_of(cards: list[Card]) -> None:
    for card in cards:
        assert re.fullmatch(r"[0-9a-f]{16}", card.id)
        assert card.source and card.tags and card.as_of
        assert card.tags[0] == "india-us-critical-minerals-diplomacy-supply-chain-resilience"
        assert ("prelims" in card.tags) != ("mains" in card.tags)
        if card.fact.startswith(("msp.", "india.", "mmdr.", "uses.", "kabil.", "forge.", "ncmm.")):
            assert card.url.startswith("http")
        elif not card.fact.startswith("match:"):
            assert re.fullmatch(r".*india-us-critical-minerals\.txt:\d+", card.source)


def _sibling_of(s: Sheets, fact: Attribute, option: str) -> Attribute:
    """The one fact of the sheet, of the same kind as ``fact``, that an option names."""
    named = [
        g
        for g in s.facts.values()
        if isinstance(g, Attribute)
        and s.sheet_of(g.key) == s.sheet_of(fact.key)
        and (g.group == fact.group if fact.group else g.attribute == fact.attribute)
        and re.sub(r"^the ", "", fold(g.subject))
        in {fold(option), f"{fold(option)} of the constitution"}
    ]
    assert len(named) == 1, (option, [g.key for g in named])
    return named[0]


def _sheet_truth(s: Sheets, card: Card) -> list[bool]:
    """Which options are correct, judged from the fact sheet alone."""
    fact = s.facts[card.fact]
    if isinstance(fact, Event):
        # Dates: each false option is the date of another event of the same sheet.
        dates = {
            format_date(g.date): g
            for g in s.facts.values()
            if isinstance(g, Event) and s.sheet_of(g.key) == s.sheet_of(fact.key)
        }
        assert all(o in dates for o in card.options) and len(set(card.options)) == 4
        return [dates[o].key == fact.key for o in card.options]
    if isinstance(fact, Attribute):
        # Siblings: each false option is another fact of the same kind, with another value.
        named = [_sibling_of(s, fact, o) for o in card.options]
        assert len({fold(g.value) for g in named}) == 4, card.front
        assert card.front == fact.reverse_question
        return [g.key == fact.key for g in named]
    assert isinstance(fact, MemberSet)
    members = {fold(m) for m in fact.members}
    if "statements" in card.front:
        claims = re.findall(r"^\d\. (.+?) (?:is|was) ", card.front, re.M)
        t1, t2 = (fold(x) in members for x in claims)
        return [t1 and not t2, t2 and not t1, t1 and t2, not t1 and not t2]
    if " NOT " in card.front:
        return [fold(o) not in members for o in card.options]
    return [fold(o) in members for o in card.options]


@pytest.mark.parametrize("lesson", sorted(LESSONS.iterdir()), ids=lambda p: p.name)
def test_every_mcq_has_exactly_one_correct_option_by_the_sheet(lesson: object) -> None:
    s = sheets()
    generated = deck_for(lesson)  # type: ignore[arg-type]
    for card in (c for c in generated.cards if c.kind == "mcq"):
        if card.fact.startswith(("match:", "cloze:")):
            continue  # match-the-pairs and the lesson's own MCQs are checked elsewhere
        truth = _sheet_truth(s, card)
        assert sum(truth) == 1, card.front
        assert LETTERS[truth.index(True)] == card.answer
        fact = s.facts[card.fact]
        if isinstance(fact, (Attribute, Event)):
            continue  # its options were each traced to a sibling fact above
        assert isinstance(fact, MemberSet)
        # Distractors come from the sheet's own members and contrast set, never from nothing.
        if "statements" not in card.front:
            assert {fold(o) for o in card.options} <= {
                fold(x) for x in (*fact.members, *fact.contrast)
            }


def test_match_the_pairs_is_right_by_the_sheet(cards: list[Card]) -> None:
    s = sheets()
    (match,) = find(cards, fact="match:mineral-uses")
    lines = match.front.split("\n")
    list1 = {ln[0]: ln[3:] for ln in lines if re.match(r"^[A-D]\. ", ln)}
    list2 = {
        ln.split(". ", 1)[0]: ln.split(". ", 1)[1] for ln in lines if re.match(r"^[1-4]\. ", ln)
    }
    pair_of = {f.subject: s.pairs[k] for k, f in s.facts.items() if k in s.pairs}  # type: ignore[attr-defined]
    right = ", ".join(
        f"{letter}-{next(n for n, u in list2.items() if u == pair_of[m])}"
        for letter, m in sorted(list1.items())
    )
    assert match.correct_option == right
    assert len(set(match.options)) == 4


def test_likely_facts_are_marked_and_never_an_mcq(cards: list[Card]) -> None:
    s = sheets()
    likely = {k for k, f in s.facts.items() if f.source.confidence == "likely"}
    assert likely
    for card in cards:
        if card.fact in likely:
            assert card.kind != "mcq"
            assert "(Unconfirmed" in card.back


def test_argentina_is_only_ever_a_wrong_answer_for_msp_membership(cards: list[Card]) -> None:
    for card in find(cards, fact="msp.members", kind="mcq"):
        if "Argentina" in card.options:
            assert card.correct_option != "Argentina" or " NOT " in card.front


@pytest.mark.parametrize("lesson", sorted(LESSONS.iterdir()), ids=lambda p: p.name)
def test_quality_rules_hold_on_every_example_lesson(lesson: object) -> None:
    generated = deck_for(lesson)  # type: ignore[arg-type]
    assert len(generated.cards) >= 4
    assert quality_violations(generated.cards) == []


def test_generation_is_deterministic() -> None:
    assert deck_for(SHIPPED).cards == deck_for(SHIPPED).cards


def test_rewording_keeps_ids_and_changes_hashes() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    before = {c.id: c for c in deck_for_text(text).cards}
    reworded = text.replace(
        "Prioritizing collaboration in ‘Urban Mining’",
        "Giving priority to joint work on ‘Urban Mining’",
    )
    reworded = reworded.replace("(often 5–10 years)", "(typically 5–10 years)")
    after = {c.id: c for c in deck_for_text(reworded).cards}
    assert before.keys() == after.keys()
    changed = {i for i in before if before[i].hash != after[i].hash}
    assert changed and all(i in after for i in changed)
    assert len(changed) <= 4


def test_same_fact_in_two_lessons_gets_different_ids() -> None:
    a = deck_for(SHIPPED).cards
    b = deck_for(LESSONS / "national-critical-mineral-mission.md").cards
    assert find(a, fact="kabil.name") and find(b, fact="kabil.name")
    assert not {c.id for c in a} & {c.id for c in b}


UNCOVERED = """Great Indian Bustard: Saving a Grassland Bird

Why in News?

A court asked power companies to bury their lines across the bustard's grasslands.

Prelims Focus:

  • Habitat of the Great Indian Bustard in the Thar desert.
"""


def test_topics_without_facts_are_reported_with_why() -> None:
    generated = deck_for_text(UNCOVERED)
    assert [i.line for i in generated.topics.unmatched] == [9]
    (line,) = generated.topics.lines
    assert line.facts == [] and line.why == "no sheet topic's name or alias occurs in it"
    assert not any(c.url for c in generated.cards)  # no sheet facts were invented for it


def test_shipped_lesson_topics_all_match_and_kabil_is_found_in_the_text() -> None:
    generated = deck_for(SHIPPED)
    assert generated.topics.unmatched == []
    assert sorted({t for ids in generated.topics.matched.values() for t in ids}) == [
        "india-critical-minerals",
        "mineral-uses",
        "msp",
    ]
    assert generated.topics.mentioned == ["kabil"]


def test_labelled_points_make_no_which_label_is_this_reverse_cards() -> None:
    generated = deck_for(LESSONS / "fundamental-rights.txt")
    assert find(generated.cards, fact="point:way-forward:legal-aid", kind="basic")
    assert not [c for c in generated.cards if c.fact.startswith("point:") and c.kind == "reverse"]
    assert not [c for c in generated.cards if "which dimension is this" in c.front.lower()]


_LINES = st.sampled_from(
    [
        "Why in News?", "What are the Challenges?", "Prelims Focus:", "What is the Way Forward?",
        "  • Strategic: Secures the supply (e.g., Cobalt, Nickel) of inputs.", "- (China) leads (MSP).",
        "Net Zero 2070 target", "X is the thing that does (often 5–10 years) work.", "",
        "A B C (ABC) is a group.", "• : :", "{{c1::x}} <script>", "DIRECT ANSWER:", "# T",
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_LINES, st.text(max_size=80)), min_size=1, max_size=25))
def test_generation_never_raises_and_every_card_passes_the_rules(lines: list[str]) -> None:
    text = "\n".join(lines)
    if not text.strip():
        return
    generated = deck_for_text(text)
    assert quality_violations(generated.cards) == []
