"""Fact sheets: the shipped library is complete and sourced; bad sheets fail with file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from recall.author.facts import MemberSet, Succession
from recall.author.sheets import load_sheets
from recall.errors import RecallError
from tests.helpers import sheets

GOOD = """\
[topics]
msp = ["Minerals Security Partnership", "MSP"]

[[fact]]
key = "msp.name"
type = "acronym"
short = "MSP"
long = "Minerals Security Partnership"
topics = ["msp"]
as_of = "2024-09"
checked = "2026-11-20"
source = "https://example.org/msp"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sheet.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error(tmp_path: Path, text: str) -> RecallError:
    with pytest.raises(RecallError) as info:
        load_sheets([write(tmp_path, text)], library=False)
    return info.value


def test_library_facts_all_have_sources_as_of_and_checked() -> None:
    s = sheets()
    assert len([f for f in s.files if f.library]) >= 10 and len(s.facts) >= 300
    for key, fact in s.facts.items():
        rec = s.records[key]
        assert rec.library and all(re.match(r"https?://", u) for u in rec.urls)
        assert fact.source.url == rec.urls[0]
        assert fact.source.as_of and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", fact.source.as_of)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rec.checked)
        if fact.source.confidence == "verified":  # confirmed: two independent sources
            assert len(rec.urls) >= 2, key


def test_import_dependence_is_the_closed_list_of_ten_not_seven_exceptions() -> None:
    dep = sheets().facts["india.import-dependence"]
    assert isinstance(dep, MemberSet) and len(dep.members) == 10
    assert set(dep.members) == {
        "Lithium", "Cobalt", "Nickel", "Vanadium", "Niobium",
        "Germanium", "Rhenium", "Beryllium", "Tantalum", "Strontium",
    }  # fmt: skip


def test_shipped_sheet_holds_the_facts_the_issue_names() -> None:
    s = sheets()
    members = s.facts["msp.members"]
    assert isinstance(members, MemberSet)
    assert len(members.members) == 15 and "India" in members.members and "Norway" in members.members
    assert "Argentina" in members.contrast  # an MSP Forum member, never a partner
    listed = s.facts["india.critical-minerals-list"]
    assert isinstance(listed, MemberSet) and len(listed.members) == 30
    assert {"Niobium", "Vanadium", "Titanium"} <= set(listed.members)
    assert not {"Manganese", "Iron ore"} & set(listed.members)
    forge = s.facts["forge.succession"]
    assert isinstance(forge, Succession) and forge.date == "2026-02-04" and forge.new == "FORGE"
    oct23 = s.facts["mmdr.royalty-oct-2023"]
    assert isinstance(oct23, MemberSet) and set(oct23.members) == {
        "Lithium",
        "Niobium",
        "Rare earth elements",
    }
    feb24 = s.facts["mmdr.royalty-feb-2024"]
    assert (
        isinstance(feb24, MemberSet)
        and len(feb24.members) == 12
        and {"Titanium", "Vanadium"} <= set(feb24.members)
    )
    for mineral in (
        "lithium",
        "cobalt",
        "ree",
        "graphite",
        "nickel",
        "niobium",
        "vanadium",
        "titanium",
    ):
        assert f"uses.{mineral}" in s.facts
    assert {
        "ncmm.approval",
        "kabil.parents",
        "msp.finance-network",
        "msp.india-joined",
    } <= s.facts.keys()


def test_a_good_sheet_loads(tmp_path: Path) -> None:
    s = load_sheets([write(tmp_path, GOOD)], library=False)
    assert list(s.facts) == ["msp.name"] and s.topics["msp"] == (
        "Minerals Security Partnership",
        "MSP",
    )


def test_toml_error_names_file_and_line(tmp_path: Path) -> None:
    exc = error(tmp_path, GOOD + '\n[[fact]]\nkey = "x\n')
    assert exc.path and exc.path.endswith("sheet.toml") and exc.line == 15
    assert str(exc).startswith(f"{exc.path}:15: TOML error:")


def test_fact_without_source_names_its_line(tmp_path: Path) -> None:
    exc = error(tmp_path, GOOD.replace('source = "https://example.org/msp"\n', ""))
    assert exc.line == 4 and "has no source" in exc.message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('as_of = "2024-09"', 'as_of = "Sept 2024"'), "needs as_of"),
        (
            ('source = "https://example.org/msp"', 'source = "example.org"'),
            "must be an http(s) URL",
        ),
        (('type = "acronym"', 'type = "rumour"'), "type must be one of"),
        (('short = "MSP"', 'short = "MSP"\nshrot = "x"'), "unknown field 'shrot'"),
        (('long = "Minerals Security Partnership"\n', ""), "is missing 'long'"),
        (('topics = ["msp"]', 'topics = ["nope"]'), "topic 'nope' is not defined"),
        (('topics = ["msp"]', 'topics = ["msp"]\nsuperseded_by = "ghost"'), "no such fact"),
        (('checked = "2026-11-20"\n', ""), 'needs checked = "YYYY-MM-DD"'),
        (('checked = "2026-11-20"', 'checked = "2026-11"'), 'needs checked = "YYYY-MM-DD"'),
        (('as_of = "2024-09"', 'as_of = "2024-09"\nsources = ["nope"]'), "sources must be a list"),
        (
            ('as_of = "2024-09"', 'as_of = "2024-09"\nconfidence = "verified"'),
            'confidence = "verified" needs two independent sources',
        ),
        (('short = "MSP"', "short = 3"), "'short' must be a non-empty string"),
        (('type = "acronym"', 'type = "acronym"\nconfidence = "sure"'), "confidence must be"),
    ],
)
def test_invalid_facts_are_refused_with_the_fact_line(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    exc = error(tmp_path, GOOD.replace(*change))
    assert message in exc.message
    assert exc.line == 4


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    exc = error(tmp_path, GOOD + "\n" + GOOD.split("\n\n", 1)[1])
    assert "duplicate fact key 'msp.name'" in exc.message and exc.line == 14


def test_a_member_that_is_also_a_contrast_is_refused(tmp_path: Path) -> None:
    text = (
        GOOD
        + """
[[fact]]
key = "msp.members"
type = "set"
name = "partners"
noun = "country"
relation = "a partner"
members = ["India", "Norway"]
contrast = ["Argentina", "india"]
as_of = "2024-09"
checked = "2026-11-20"
source = "https://example.org/msp"
"""
    )
    exc = error(tmp_path, text)
    assert "'india' is both a member and a contrast" in exc.message and exc.line == 14
