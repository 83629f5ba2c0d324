"""Round trips through a real Anki that must never cost a learner an edit or add a blank.

Each test writes lessons or deck files, exports them with `recall export`, imports the
package into a fresh Anki collection (the `anki` package), edits notes there as a learner
would, changes something on the teacher's side, and imports again.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import genanki
import pytest
import time_machine
from anki.collection import Collection as Anki
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.notes import Note

from recall.deckfile import read_deck
from tests.conftest import SHIPPED, run

SLUG = "india-us-critical-minerals-diplomacy-supply-chain-resilience"
#: The field a learner writes their own mnemonic into, per recall note type.
MINE = {
    "recall Basic": "Back",
    "recall Cloze": "Back Extra",
    "recall Multiple choice": "Explanation",
}


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[Anki]:
    (tmp_path / "anki").mkdir()
    col = Anki(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


def import_into(col: Anki, package: Path, *, scheduling: bool = False) -> None:
    options = ImportAnkiPackageOptions(with_scheduling=scheduling)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options))


def export(deck: Path, out: Path) -> None:
    result = run("export", str(deck), "-o", str(out))
    assert result.exit_code == 0, result.output


def learner_edits_every_note(col: Anki) -> int:
    """Write "(mine)" into each note's own field, as a learner adding a mnemonic."""
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        name = MINE[note.note_type()["name"]]  # type: ignore[index]
        note[name] = note[name] + " (mine)"
        col.update_note(note)
    return len(col.find_notes(""))


def learner_edits_kept(col: Anki) -> int:
    return sum(
        col.get_note(nid)[MINE[col.get_note(nid).note_type()["name"]]].endswith(" (mine)")  # type: ignore[index]
        for nid in col.find_notes("")
    )


def note(col: Anki, slug: str, card_id: str) -> Note:
    guid = genanki.guid_for(slug, card_id)
    (found,) = [n for n in map(col.get_note, col.find_notes("")) if n.guid == guid]
    return found


def stamps(deck: Path) -> dict[str, str]:
    return {c.id: c.changed for c in read_deck(deck).cards}


def test_a_line_added_at_the_top_of_a_lesson_restamps_nothing_and_keeps_every_edit(
    workdir: Path, anki: Anki, frozen_time: time_machine.Traveller
) -> None:
    lesson = workdir / "minerals.txt"
    lesson.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("generate", str(lesson)).exit_code == 0
    deck = workdir / "decks" / f"{SLUG}.toml"
    before = stamps(deck)
    export(deck, workdir / "v1.apkg")
    import_into(anki, workdir / "v1.apkg")
    edited = learner_edits_every_note(anki)

    frozen_time.move_to(datetime(2026, 11, 28, 8, 0, tzinfo=UTC))
    lesson.write_text("\n" + lesson.read_text(encoding="utf-8"), "utf-8")
    result = run("generate", str(lesson))
    assert result.exit_code == 0 and "unchanged" in result.output
    assert any(re.search(r":\d+$", c.source) for c in read_deck(deck).cards)  # lines did move
    assert stamps(deck) == before
    export(deck, workdir / "v2.apkg")
    import_into(anki, workdir / "v2.apkg")
    assert anki.note_count() == edited
    assert learner_edits_kept(anki) == edited
    sources = [anki.get_note(n)["Source"] for n in anki.find_notes("")]
    bare = [re.sub(r"<a [^>]*>.*?</a>", "", s) for s in sources]
    assert [s for s in bare if re.search(r"\.(txt|md):\d+|/", s)] == []
    assert "minerals.txt · importance" in bare  # the file and its section


def test_touching_or_rewriting_a_hand_edited_deck_file_does_not_overwrite_the_learner(
    tmp_path: Path, anki: Anki
) -> None:
    deck = tmp_path / "deck.toml"
    text = (SHIPPED.parent.parent.parent / "decks" / f"{SLUG}.toml").read_text(encoding="utf-8")
    # The teacher fixes a wording by hand: the card's text now differs from its hash.
    deck.write_text(text.replace('back = "Rare Earth Elements"', 'back = "Rare-earth elements"'))
    export(deck, tmp_path / "v1.apkg")
    import_into(anki, tmp_path / "v1.apkg")
    edited = learner_edits_every_note(anki)
    future = datetime(2030, 1, 1, tzinfo=UTC).timestamp()
    os.utime(deck, (future, future))  # `touch`, or any later write of the file
    export(deck, tmp_path / "v2.apkg")
    import_into(anki, tmp_path / "v2.apkg")
    assert learner_edits_kept(anki) == edited


def test_a_teachers_hand_edit_reaches_a_learner_who_had_not_touched_the_note(
    tmp_path: Path, anki: Anki
) -> None:
    deck = tmp_path / "deck.toml"
    text = (SHIPPED.parent.parent.parent / "decks" / f"{SLUG}.toml").read_text(encoding="utf-8")
    deck.write_text(text)
    export(deck, tmp_path / "v1.apkg")
    import_into(anki, tmp_path / "v1.apkg")
    deck.write_text(text.replace('back = "Rare Earth Elements"', 'back = "Rare-earth elements"'))
    export(deck, tmp_path / "v2.apkg")
    import_into(anki, tmp_path / "v2.apkg")
    backs = [anki.get_note(n)["Back"] for n in anki.find_notes('"note:recall Basic"')]
    assert "Rare-earth elements" in backs and "Rare Earth Elements" not in backs


def test_anki_syntax_quoted_in_a_lesson_stays_text_no_blank_no_card_no_sound_no_latex(
    workdir: Path, anki: Anki
) -> None:
    hostile = (
        "with {{c1::Cobalt}} and {{c2::Nickel}} [sound:boom.mp3] [latex]x^2[/latex] [$]y[/$] (often"
    )
    lesson = workdir / "minerals.txt"
    text = SHIPPED.read_text(encoding="utf-8")
    assert "processing infrastructure (often" in text
    lesson.write_text(text.replace("processing infrastructure (often", f"processing infrastructure {hostile}"), "utf-8")  # fmt: skip
    assert run("generate", str(lesson)).exit_code == 0
    deck_file = workdir / "decks" / f"{SLUG}.toml"
    cloze = next(
        c for c in read_deck(deck_file).active if c.kind == "cloze" and "c2::Nickel" in c.front
    )
    export(deck_file, workdir / "h.apkg")
    import_into(anki, workdir / "h.apkg")
    assert anki.card_count() == anki.note_count()  # {{c2::Nickel}} made no second card
    found = note(anki, SLUG, cloze.id)
    (card,) = found.cards()
    question, answer = card.question(), card.answer()
    assert question.count("[...]") == 1  # one blank: the generator's own
    assert "{{c1::Cobalt}}" in re.sub(r"&#123;", "{", re.sub(r"&#125;", "}", found["Text"]))
    assert card.question_av_tags() == [] and card.answer_av_tags() == []
    for nid in anki.find_notes(""):
        for field in anki.get_note(nid).fields:
            assert "[sound:" not in field and "[latex]" not in field and "[$]" not in field
    assert "latex-" not in question + answer and "<img" not in question + answer
    media = Path(anki.media.dir())
    assert not [p for p in media.iterdir() if p.suffix == ".png"]


def test_a_retired_card_arrives_tagged_and_suspended_and_a_revived_one_loses_the_tag(
    workdir: Path, anki: Anki, frozen_time: time_machine.Traveller
) -> None:
    lesson = workdir / "minerals.txt"
    text = SHIPPED.read_text(encoding="utf-8")
    lesson.write_text(text, encoding="utf-8")
    assert run("generate", str(lesson)).exit_code == 0
    deck = workdir / "decks" / f"{SLUG}.toml"
    export(deck, workdir / "v1.apkg")
    import_into(anki, workdir / "v1.apkg")
    gone = "  • High capital costs and long lead times"
    line = next(ln for ln in text.splitlines() if ln.startswith(gone))

    frozen_time.move_to(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    lesson.write_text(text.replace(line + "\n", ""), encoding="utf-8")
    assert run("generate", str(lesson)).exit_code == 0
    retired = [c for c in read_deck(deck).cards if c.retired]
    assert retired
    result = run("export", str(deck), "-o", str(workdir / "v2.apkg"))
    assert f"and {len(retired)} retired, tagged recall::retired" in result.output
    import_into(anki, workdir / "v2.apkg")
    tagged = anki.find_notes("tag:recall::retired")
    assert {anki.get_note(n).guid for n in tagged} == {
        genanki.guid_for(SLUG, c.id) for c in retired
    }

    frozen_time.move_to(datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
    lesson.write_text(text, encoding="utf-8")  # the teacher puts the point back
    assert run("generate", str(lesson)).exit_code == 0
    export(deck, workdir / "v3.apkg")
    import_into(anki, workdir / "v3.apkg")
    assert anki.find_notes("tag:recall::retired") == []


def test_a_fresh_learner_gets_retired_cards_tagged_and_suspended_with_scheduling(
    tmp_path: Path, anki: Anki
) -> None:
    text = (SHIPPED.parent.parent.parent / "decks" / f"{SLUG}.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^retired = ".*"\n', "", text)  # only the card retired below
    first = re.search(r'(?m)^hash = "[0-9a-f]+"$', text)
    assert first is not None
    deck = tmp_path / "deck.toml"
    deck.write_text(text.replace(first[0], f'{first[0]}\nretired = "2026-11-20"', 1))
    export(deck, tmp_path / "r.apkg")
    import_into(anki, tmp_path / "r.apkg", scheduling=True)
    (nid,) = anki.find_notes("tag:recall::retired")
    assert [c.queue for c in anki.get_note(nid).cards()] == [-1]
    assert len(anki.find_cards("is:suspended")) == 1


def test_mcq_options_are_labelled_as_the_answer_names_them(tmp_path: Path, anki: Anki) -> None:
    deck_file = SHIPPED.parent.parent.parent / "decks" / f"{SLUG}.toml"
    export(deck_file, tmp_path / "m.apkg")
    import_into(anki, tmp_path / "m.apkg")
    mcq = next(c for c in read_deck(deck_file).active if c.kind == "mcq")
    (card,) = note(anki, SLUG, mcq.id).cards()
    assert 'type="A"' in card.question()  # options A–D, as "(B) …" on the back names them
    assert f"({mcq.answer})" in card.answer()


def test_a_clozes_back_extra_adds_what_the_front_cut_off_and_never_repeats_it(
    tmp_path: Path, anki: Anki
) -> None:
    deck_file = SHIPPED.parent.parent.parent / "decks" / f"{SLUG}.toml"
    export(deck_file, tmp_path / "c.apkg")
    import_into(anki, tmp_path / "c.apkg")
    clozes = [c for c in read_deck(deck_file).active if c.kind == "cloze"]
    assert clozes
    for cloze in clozes:
        extra = html.unescape(note(anki, SLUG, cloze.id)["Back Extra"].replace("<br>", "\n"))
        shown = re.sub(r"\{\{c\d+::(.*?)\}\}", r"\1", cloze.front).strip("… ")
        assert shown not in extra and cloze.back not in extra
        if shown == cloze.back.strip():  # the whole sentence is on the front: nothing to add
            assert extra == ""
            continue
        assert "…" in extra and all(part.strip() in cloze.back for part in extra.split("…"))
