"""`recall facts` and the fact library: checks with file:line, overrides, drafts, staleness,
partial sets, and Prelims lines matched by whole names and by the examples they list."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from recall.author.sheetload import library_sheets
from recall.deckfile import read_deck
from tests.conftest import SHIPPED, run
from tests.helpers import deck_for_text, quality_violations

SLUG = "india-us-critical-minerals-diplomacy-supply-chain-resilience"

FACT = """
[[fact]]
key = "{key}"
type = "attribute"
subject = "{subject}"
attribute = "capital"
value = "{value}"
question = "What is the capital of {subject}?"
topics = ["t"]
as_of = "{as_of}"
checked = "2026-11-20"
source = "https://example.org/{key}"
"""


def sheet(path: Path, *facts: str, topics: str = 't = ["Testland"]') -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"[topics]\n{topics}\n" + "".join(facts), encoding="utf-8")
    return path


def fact(key: str, subject: str = "Testland", value: str = "Alpha", as_of: str = "2024") -> str:
    return FACT.format(key=key, subject=subject, value=value, as_of=as_of)


def test_facts_check_is_clean_on_every_shipped_sheet(workdir: Path) -> None:
    result = run("facts", "check")
    assert result.exit_code == 0, result.output
    shipped = library_sheets()
    assert len(shipped) >= 10
    assert result.output.endswith(f"{len(shipped)} sheets, " + result.output.split(", ")[-1])
    assert "no problems" in result.output
    each = run("facts", "check", *(name for name, _ in shipped))
    assert each.exit_code == 0 and "no problems" in each.output


@pytest.mark.parametrize(
    ("second", "line", "message"),
    [
        (fact("b.one").replace('source = "https://example.org/b.one"\n', ""), 4, "has no source"),
        (fact("b.one").replace('as_of = "2024"\n', ""), 4, "needs as_of"),
        (fact("a.one"), 4, "duplicate fact key 'a.one' (first at "),
        (fact("b.one", value="Beta"), 4, "contradicts 'a.one'"),
        (fact("b.one") + 'superseded_by = "ghost"\n', 4, "superseded_by = 'ghost': no such fact"),
        (
            """
[[fact]]
key = "b.set"
type = "set"
name = "cities"
noun = "city"
relation = "a city"
members = ["Alpha", "Gamma"]
contrast = ["Delta", "gamma"]
topics = ["t"]
as_of = "2024"
checked = "2026-11-20"
source = "https://example.org/s"
""",
            4,
            "'gamma' is both a member and a contrast",
        ),
    ],
    ids=["no-source", "no-as-of", "duplicate-key", "contradiction", "superseded-by", "contrast"],
)
def test_each_check_names_the_broken_sheet_line_and_exits_2(
    workdir: Path, second: str, line: int, message: str
) -> None:
    sheet(workdir / "decks" / "facts" / "a.toml", fact("a.one"))
    sheet(workdir / "decks" / "facts" / "b.toml", second, topics="")
    result = run("facts", "check")
    assert result.exit_code == 2
    hits = [x for x in result.output.splitlines() if message in x]
    assert hits and hits[0].startswith(f"decks/facts/b.toml:{line}: "), result.output
    assert result.stderr.startswith("recall: error: 1 problems in the fact sheets")


def test_check_reports_every_problem_not_just_the_first(workdir: Path) -> None:
    broken = fact("a.one").replace('as_of = "2024"\n', "") + fact("a.two", "Other").replace(
        'checked = "2026-11-20"\n', ""
    )
    sheet(workdir / "decks" / "facts" / "a.toml", broken)
    result = run("facts", "check")
    assert result.exit_code == 2
    assert "decks/facts/a.toml:4: fact 'a.one' needs as_of" in result.output
    assert "decks/facts/a.toml:15: fact 'a.two' needs checked" in result.output
    assert "2 problems" in result.stderr


def test_a_teacher_sheet_overrides_a_library_fact_and_says_so(workdir: Path) -> None:
    own = sheet(
        workdir / "decks" / "facts" / "mine.toml",
        """
[[fact]]
key = "kabil.name"
type = "acronym"
short = "KABIL"
long = "Khanij Bidesh India Limited"
topics = ["kabil"]
as_of = "2019-08"
checked = "2026-11-20"
source = "https://example.org/kabil"
""",
        topics="",
    )
    result = run("generate", str(SHIPPED))
    assert result.exit_code == 0
    assert f"your fact sheet {own.relative_to(workdir)}: 1 facts" in result.output
    assert (
        "decks/facts/mine.toml:4: kabil.name overrides the library's fact (critical-minerals.toml)"
        in result.output
    )
    deck = read_deck(workdir / "decks" / f"{SLUG}.toml")
    (card,) = [c for c in deck.cards if c.fact == "kabil.name" and c.kind == "basic"]
    assert card.back.startswith("Khanij Bidesh India Limited") and card.url.endswith("/kabil")
    assert "(Unconfirmed: likely, one source.)" in card.back  # one URL: likely by default
    checked = run("facts", "check")
    assert checked.exit_code == 0 and "kabil.name overrides the library's fact" in checked.output


PARTIAL = """
[[fact]]
key = "p.set"
type = "set"
name = "some treaty parties"
noun = "country"
relation = "a party to the Test Treaty"
members = ["Alpha", "Beta", "Gamma", "Delta"]
contrast = ["Omega", "Psi", "Chi"]
partial = {partial}
topics = ["t"]
as_of = "2024"
checked = "2026-11-20"
source = "https://example.org/one"
sources = ["https://example.net/two"]
"""

LESSON = """Testland and its Treaty

Why in News?

Testland joined a treaty this year.

Prelims Focus:

  • Members of the Test Treaty and Testland's place in it.
"""


@pytest.mark.parametrize("partial", ["true", "false"])
def test_a_partial_set_makes_no_not_or_statements_card(workdir: Path, partial: str) -> None:
    sheet(workdir / "decks" / "facts" / "p.toml", PARTIAL.format(partial=partial))
    (workdir / "lesson.txt").write_text(LESSON, encoding="utf-8")
    assert run("generate", "lesson.txt").exit_code == 0
    (deck_path,) = (workdir / "decks").glob("*.toml")
    cards = [c for c in read_deck(deck_path).cards if c.fact == "p.set"]
    styles = {
        "not" if " NOT " in c.front else "statements" if "statements" in c.front else c.kind
        for c in cards
    }
    if partial == "true":
        assert styles == {"mcq"}  # only "which one IS a party": true of some members
        assert all(" NOT " not in c.front and not c.front.startswith("Name") for c in cards)
    else:
        assert {"not", "statements", "basic"} <= styles
    assert quality_violations(cards) == []


def test_prelims_examples_pull_in_facts_about_them_by_name() -> None:
    text = LESSON.replace(
        "  • Members of the Test Treaty and Testland's place in it.",
        "  • Minerals in superalloys and magnets (e.g., Niobium, Cobalt).",
    )
    generated = deck_for_text(text)
    (line,) = generated.topics.lines
    assert line.topics == []
    assert "uses.niobium" in line.examples["Niobium"] and "uses.cobalt" in line.examples["Cobalt"]
    assert {c.fact for c in generated.cards} >= {"uses.niobium", "uses.cobalt"}


def test_a_name_inside_a_longer_name_does_not_match_its_topic() -> None:
    mmdr = deck_for_text(
        LESSON.replace("Members of the Test Treaty", "The MMDR Amendment Act 2023")
    )
    assert "amendment" not in mmdr.topics.lines[0].topics and "mmdr" in mmdr.topics.lines[0].topics
    plain = deck_for_text(LESSON.replace("Members of the Test Treaty", "The 44th Amendment Act"))
    assert "amendment" in plain.topics.lines[0].topics


def test_draft_fill_in_generate_round_trip(workdir: Path) -> None:
    lesson = workdir / "bustard.txt"
    lesson.write_text(
        """Great Indian Bustard: A Grassland Bird at Risk

Why in News?

A court asked power firms to bury lines that cross the bird's grasslands.

Explained:

The Great Indian Bustard (GIB) is a large bird of dry grasslands, most of it now in Rajasthan.
The Great Indian Bustard population is estimated at about 150 birds in the wild.

Prelims Focus:

  • Great Indian Bustard (GIB): habitat and numbers.
""",
        encoding="utf-8",
    )
    before = run("generate", "--json", str(lesson))
    (line,) = json.loads(before.output)["decks"][0]["prelims_lines"]
    assert line["facts"] == [] and "no sheet topic" in line["why_none"]
    drafted = run("facts", "draft", str(lesson))
    assert drafted.exit_code == 0, drafted.output
    path = workdir / "decks" / "facts" / "great-indian-bustard-a-grassland-bird-at-risk.toml"
    text = path.read_text(encoding="utf-8")
    assert "great-indian-bustard" in text and 'source = ""' in text and "bustard.txt:" in text
    assert run("facts", "draft", str(lesson)).exit_code == 2  # never overwrites a sheet
    waiting = run("generate", "--json", str(lesson))
    data = json.loads(waiting.output)
    (line,) = data["decks"][0]["prelims_lines"]
    assert line["facts"] == [] and "wait for source, as_of and checked" in line["why_none"]
    assert data["pending"] and not any(c.url for c in read_deck(_deck(workdir)).cards)
    filled = text.replace('source = ""', 'source = "https://example.org/gib"')
    filled = filled.replace('as_of = ""', 'as_of = "2025"').replace(
        'checked = ""', 'checked = "2026-11-20"'
    )
    path.write_text(filled, encoding="utf-8")
    assert run("facts", "check").exit_code == 0
    after = run("generate", "--json", str(lesson))
    (line,) = json.loads(after.output)["decks"][0]["prelims_lines"]
    assert line["facts"] and line["why_none"] is None
    sourced = [c for c in read_deck(_deck(workdir)).active if c.url == "https://example.org/gib"]
    assert sourced and all(c.as_of == "2025" for c in sourced)


def _deck(workdir: Path) -> Path:
    (path,) = (workdir / "decks").glob("*.toml")
    return path


def test_stale_lists_old_and_superseded_facts_with_the_cards_they_feed(workdir: Path) -> None:
    sheet(
        workdir / "decks" / "facts" / "a.toml",
        fact("a.old", as_of="2020-01") + 'superseded_by = "a.new"\n',
        fact("a.new", subject="Newland", as_of="2026-10"),
        topics='t = ["Testland", "Newland"]',
    )
    (workdir / "lesson.txt").write_text(LESSON, encoding="utf-8")
    assert run("generate", "lesson.txt").exit_code == 0
    result = run("facts", "stale", "--older-than", "12m")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "a.old (as of 2020-01; superseded by a.new) decks/facts/a.toml:4"
    assert re.match(r"    testland-and-its-treaty\.toml [0-9a-f]{16}: ", lines[1])
    assert not any(x.startswith("a.new") for x in lines)
    assert run("facts", "stale", "--older-than", "soon").exit_code == 2


def test_list_shows_sheets_and_a_topics_facts(workdir: Path) -> None:
    result = run("facts", "list")
    assert result.exit_code == 0
    assert re.search(
        r"^critical-minerals\.toml +library +\d+ facts, oldest as of ", result.output, re.M
    )
    msp = run("facts", "list", "--topic", "msp")
    assert "msp.members (memberset; verified;" in msp.output
    bad = run("facts", "list", "--topic", "nope")
    assert bad.exit_code == 2 and "no topic 'nope'" in bad.stderr


OTHER_SUBJECTS = {
    "space": """India's Moon Landing and What Came After

Why in News?

India marked another anniversary of its lunar landing near the south pole of the Moon.

Prelims Focus:

  • Chandrayaan-3: launch vehicle, landing date and site.
""",
    "environment": """Wetlands and India's Growing List

Why in News?

More Indian wetlands were added to the global list this year.

Prelims Focus:

  • The Ramsar Convention: year, place and India's Ramsar sites.
""",
    "groupings": """The Quad at Twenty

Why in News?

Leaders of the four democracies met again.

Prelims Focus:

  • Members of the Quad and its origins.
""",
}


@pytest.mark.parametrize("subject", sorted(OTHER_SUBJECTS))
def test_lessons_on_other_subjects_get_prelims_cards_from_the_library(subject: str) -> None:
    generated = deck_for_text(OTHER_SUBJECTS[subject], f"{subject}.txt")
    assert generated.topics.unmatched == []
    from_library = [c for c in generated.cards if c.url and "prelims" in c.tags]
    assert len(from_library) >= 3
    assert quality_violations(generated.cards) == []
