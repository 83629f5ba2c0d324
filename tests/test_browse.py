"""A learner's everyday tools on the command line: cards, card, edit, forget, suspend and
bury by query, remove — and the one-line refusals when the input is wrong."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import genanki
import pytest
import time_machine
from anki.collection import Collection as Anki

from recall.deckfile import read_deck, write_deck
from recall.store import Collection
from tests.conftest import ROOT, run
from tests.test_export import import_into, notes_by_guid

SLUG = "india-us-critical-minerals-diplomacy-supply-chain-resilience"
#: The shipped deck's live cards (a fresh collection never loads the retired ones).
ALL_CARDS = len(read_deck(ROOT / "decks" / f"{SLUG}.toml").active)
DECK = ROOT / "decks" / f"{SLUG}.toml"
MSP = "727949df22cd6597"  # "What does MSP stand for?"
MSP_UID = f"{SLUG}:{MSP}"


@pytest.fixture
def loaded(recall_home: Path) -> Path:
    assert run("config", "timezone", "Asia/Kolkata").exit_code == 0
    assert run("config", "fuzz", "off").exit_code == 0
    assert run("add", str(ROOT / "decks")).exit_code == 0
    return recall_home / "collection.db"


def table(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def test_cards_lists_id_deck_state_due_and_front(loaded: Path) -> None:
    result = run("cards", "MSP", "stand")
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"{MSP}  india-us-critical-minerals-…  new")
    assert line.endswith("new #2  What does MSP stand for?")
    assert result.stderr == "1 card\n"
    data = json.loads(run("cards", "--json", "kind:mcq deck:national*").stdout)
    assert data and all(c["kind"] == "mcq" and c["deck"].startswith("national-critical")
                        for c in data)  # fmt: skip
    assert set(data[0]) == {"id", "uid", "deck", "kind", "state", "status", "due", "front"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("cards", "zzzz"), "recall: error: no cards match: zzzz\n"),
        (("cards", "prop:lapses>>3"), "recall: error: bad query: prop:lapses>>3: a number"),
        (("card", "0000000000000000"), "recall: error: no such card: 0000000000000000\n"),
        (("suspend", "nothing-like-this"), "recall: error: no cards match: nothing-like-this"),
        (("forget", "is:retired"), "recall: error: no cards match: is:retired\n"),
        (("remove", "--yes", "nope"), "recall: error: no such deck: 'nope'"),
        (("edit", MSP, "--front", " "), f"recall: error: edit of {MSP_UID}: front is empty"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    loaded: Path, args: tuple[str, ...], message: str
) -> None:
    before = loaded.read_bytes()
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert table(loaded, "select count(*) from cards where suspended = 1") == [(0,)]
    assert len(loaded.read_bytes()) == len(before)


def test_card_shows_text_source_memory_and_history(
    loaded: Path, frozen_time: time_machine.Traveller
) -> None:
    run("review", "--deck", "india-us", input=" \n3\n \n4\nq\n")  # REE (Good), then MSP (Easy)
    result = run("card", MSP)
    out = result.stdout
    assert result.exit_code == 0
    assert out.startswith(f"{MSP_UID}  (basic, deck India-U.S. Critical Minerals")
    assert "front: What does MSP stand for?" in out
    assert "source " in out and "state: review" in out
    assert "retrievability now 100.0%" in out
    assert "Easy   new → review  after 0d" in out
    frozen_time.shift(timedelta(days=3))
    info = json.loads(run("card", "--json", MSP).stdout)
    assert 0.5 < info["retrievability"] < 1
    assert [h["rating"] for h in info["history"]] == ["Easy"]
    assert info["reps"] == 1 and info["lapses"] == 0 and info["stability"] > 1


def test_edit_keeps_history_survives_add_and_reaches_anki(
    loaded: Path, frozen_time: time_machine.Traveller, tmp_path: Path
) -> None:
    run("review", "--deck", "india-us", input=" \n3\n \n4\nq\n")
    frozen_time.shift(timedelta(hours=1))
    result = run("edit", MSP, "--back", "Minerals Security Partnership (since 2022)")
    assert result.stdout == f"edited {MSP_UID}\n"
    col = Collection(loaded)
    assert col.card(MSP_UID).back == "Minerals Security Partnership (since 2022)"
    assert col.card(MSP_UID).memory.reps == 1  # history kept
    # A newer deck file that changes other cards keeps the learner's edit, and says so.
    deck = read_deck(DECK)
    other = next(c for c in deck.cards if c.id != MSP and c.kind == "basic")
    newer = tmp_path / "newer.toml"
    write_deck(deck.__class__(deck.slug, deck.title, [
        c.but(back=c.back + " (revised)") if c.id == other.id else c for c in deck.cards
    ], deck.category, deck.date, deck.lesson), newer)  # fmt: skip
    added = run("add", str(newer)).stdout
    assert "1 updated" in added and "kept your edits of 1" in added
    assert Collection(loaded).card(MSP_UID).back.endswith("(since 2022)")
    # Exported now, the edit reaches Anki.
    package = tmp_path / "out.apkg"
    assert run("export", SLUG, "-o", str(package)).exit_code == 0
    anki = Anki(str(tmp_path / "anki.anki2"))
    try:
        import_into(anki, package)
        note = notes_by_guid(anki)[genanki.guid_for(SLUG, MSP)]
        assert "since 2022" in note.fields[1]
    finally:
        anki.close()
    # Once the deck file itself changes that card, the file's text wins, and it is reported.
    write_deck(deck.__class__(deck.slug, deck.title, [
        c.but(back="Minerals Security Partnership, US-led") if c.id == MSP else c
        for c in deck.cards
    ], deck.category, deck.date, deck.lesson), newer)  # fmt: skip
    added = run("add", str(newer)).stdout
    assert "changed 1 card(s) you had edited: its new text replaced your edit" in added
    assert Collection(loaded).card(MSP_UID).back == "Minerals Security Partnership, US-led"
    assert run("check").exit_code == 0


def test_edit_in_the_editor(loaded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "sed -i 's/What does MSP stand for?/Expand MSP./'")
    assert run("edit", MSP).exit_code == 0
    assert Collection(loaded).card(MSP_UID).front == "Expand MSP."
    for editor, message in [
        ("true", "the file was left unchanged; nothing changed"),
        ("false", "the editor failed"),
        ("sed -i 's/^front = /front == /'", "TOML error"),
        ("sed -i 's/^front = /colour = /'", "unknown field 'colour'"),
    ]:
        monkeypatch.setenv("EDITOR", editor)
        result = run("edit", MSP)
        assert result.exit_code == 2, editor
        assert result.stderr.startswith(f"recall: error: edit of {MSP_UID}")
        assert message in result.stderr
        assert Collection(loaded).card(MSP_UID).front == "Expand MSP."


def test_editing_a_multiple_choice_card_checks_its_options(
    loaded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mcq = "26226887c69c23bf"
    monkeypatch.setenv("EDITOR", 'sed -i \'s/"Bauxite"/"Niobium"/\'')
    result = run("edit", mcq)
    assert result.exit_code == 2
    assert "multiple choice needs 4 distinct options" in result.stderr
    monkeypatch.setenv("EDITOR", 'sed -i \'s/"Bauxite"/"Bauxite (aluminium ore)"/\'')
    assert run("edit", mcq).exit_code == 0
    assert Collection(loaded).find_card(mcq).options[3] == "Bauxite (aluminium ore)"


def test_forget_resets_to_new_and_the_log_still_explains_it(
    loaded: Path, frozen_time: time_machine.Traveller
) -> None:
    run("review", "--deck", "india-us", input=" \n3\n \n4\nq\n")
    assert run("forget", MSP).stdout == "forgot 1 card\n"
    row = Collection(loaded).card(MSP_UID)
    assert row.memory.reps == 0 and row.memory.stability is None
    assert table(loaded, "select count(*) from reviews where card = ?", MSP_UID) == [(1,)]
    check = run("check")
    assert check.exit_code == 0 and "mismatches: 0" in check.stdout
    frozen_time.shift(timedelta(days=1))
    run(
        "review", "--deck", "india-us", input=" \n3\n" * 3 + "q\n"
    )  # it comes back as new and is answered again
    assert Collection(loaded).card(MSP_UID).memory.reps >= 1
    assert "mismatches: 0" in run("check").stdout
    # Forgetting is not a parameter change: there is still nothing to revert.
    assert "nothing to revert" in run("optimize", "--revert").stderr


def test_suspend_unsuspend_and_bury_by_query(loaded: Path) -> None:
    result = run("suspend", "deck:national* kind:mcq")
    suspended = table(loaded, "select uid from cards where suspended = 1 order by uid")
    national = next((ROOT / "decks").glob("national-*.toml"))
    mcqs = sum(1 for c in read_deck(national).active if c.kind == "mcq")
    assert len(suspended) == mcqs > 0
    assert all(str(uid).startswith("national-") for (uid,) in suspended)
    assert result.stdout.splitlines()[0].startswith("suspended national-critical-mineral")
    assert {c["uid"] for c in json.loads(run("cards", "--json", "is:suspended").stdout)} == {
        uid for (uid,) in suspended
    }
    run("unsuspend", "is:suspended")
    assert table(loaded, "select count(*) from cards where suspended = 1") == [(0,)]
    assert run("bury", MSP).stdout == f"buried {MSP_UID}\n"
    assert table(loaded, "select buried_until from cards where uid = ?", MSP_UID) == [
        ("2026-11-26",)
    ]
    assert (
        "What does MSP" not in run("review", "--deck", "india-us", input=" \n3\n \n3\nq\n").stdout
    )


def test_remove_backs_up_asks_and_removes_the_deck_with_its_history(
    loaded: Path, recall_home: Path
) -> None:
    run("review", "--deck", "india-us", input=" \n3\nq\n")
    declined = run("remove", "india-us", input="n\n")
    assert declined.exit_code == 1 and "Remove deck" in declined.output
    assert table(loaded, "select count(*) from cards where deck = ?", SLUG) == [(ALL_CARDS,)]
    result = run("remove", "india-us", input="y\n")
    assert result.exit_code == 0
    assert f"removed {SLUG}: {ALL_CARDS} cards, 1 reviews (backup: " in result.stdout
    assert table(loaded, "select count(*) from cards where deck = ?", SLUG) == [(0,)]
    assert table(loaded, "select count(*) from reviews") == [(0,)]
    assert SLUG not in run("decks").stdout
    assert "mismatches: 0" in run("check").stdout
    assert run("restore", "--latest").exit_code == 0
    assert table(loaded, "select count(*) from cards where deck = ?", SLUG) == [(ALL_CARDS,)]


def test_add_takes_a_directory_and_refuses_a_lesson(tmp_path: Path, recall_home: Path) -> None:
    decks = tmp_path / "decks"
    shutil.copytree(ROOT / "decks", decks)
    result = run("add", str(decks))
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 4
    lesson = ROOT / "examples" / "lessons" / "india-us-critical-minerals.txt"
    refused = run("add", str(lesson))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"recall: error: {lesson}: this is a lesson, not a deck file: make a deck of it "
        f"with `recall generate {lesson}`, then `recall add` the deck it writes\n"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no deck files (*.toml) in this directory" in run("add", str(empty)).stderr


def test_generate_refuses_a_deck_file(workdir: Path) -> None:
    result = run("generate", str(DECK))
    assert result.exit_code == 2
    assert "this is a deck file, not a lesson: load it into your collection with" in result.stderr
    assert f"`recall add {DECK}`" in result.stderr
    assert not list((workdir / "decks").glob("*.toml"))
