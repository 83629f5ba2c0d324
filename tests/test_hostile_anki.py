"""Anki under attack (issue 14, cases 8, 14 and 16): a U+001F in a lesson (genanki's field
separator) must not make Anki refuse the package; an export leaves no copy of the package
in $TMPDIR and nothing beside its output; a legal 245-byte output name is written.

Every package is imported into a real Anki collection with the `anki` package.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from anki.collection import Collection as Anki
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

from recall.cards import Card
from recall.deckfile import Deck, write_deck
from tests.conftest import ROOT, run
from tests.test_hostile_backups import make_collection
from tests.test_hostile_resources import wait_for

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
    assert run("generate", str(lesson), "-o", str(out)).exit_code == 0
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


def test_an_export_leaves_nothing_in_tmpdir_or_beside_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # read $TMPDIR again
    out = tmp_path / "out"
    out.mkdir()
    deck = sorted((ROOT / "decks").glob("*.toml"))[0]
    assert run("export", str(deck), "-o", str(out / "d.apkg")).exit_code == 0
    assert list(scratch.iterdir()) == []
    assert [p.name for p in out.iterdir()] == ["d.apkg"]


def test_a_long_but_legal_output_name_is_written(tmp_path: Path) -> None:
    deck = sorted((ROOT / "decks").glob("*.toml"))[0]
    output = tmp_path / ("x" * 240 + ".apkg")  # 245 bytes; most file systems allow 255
    result = run("export", str(deck), "-o", str(output))
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [output.name]
    assert len(import_into_anki(output, tmp_path)) > 10


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_export_signalled_leaves_no_temporary_file(tmp_path: Path, sig: signal.Signals) -> None:
    db = tmp_path / "collection.db"
    make_collection(db, decks=4)
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    rng = random.Random(int(sig))
    env = {**os.environ, "TMPDIR": str(scratch)}
    for i in range(4):
        p = subprocess.Popen(
            [sys.executable, "-m", "recall", "export", "--with-scheduling", "--db", str(db),
             "-o", str(out / f"e{i}.apkg")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        wait_for(lambda: any(n.name.startswith(".") for n in out.iterdir()), p)  # writing
        time.sleep(rng.uniform(0, 0.3))
        p.send_signal(sig)
        _, err = p.communicate(timeout=60)
        assert b"Traceback" not in err
        assert list(scratch.iterdir()) == []
        assert all(not n.name.startswith(".") for n in out.iterdir()), list(out.iterdir())
