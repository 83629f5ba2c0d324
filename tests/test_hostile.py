"""The hostile corpus (tests/data/hostile/): every input gets its one-line error, writes
nothing, and nothing from a lesson reaches Anki as live HTML, template or cloze syntax."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection as Anki
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from hypothesis import given, settings
from hypothesis import strategies as st

from recall.author.lesson import parse
from tests.conftest import run

HOSTILE = Path(__file__).parent / "data" / "hostile"
CASES: list[dict[str, Any]] = tomllib.loads((HOSTILE / "expected.toml").read_text())["case"]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", [c for c in CASES if c["error"]], ids=lambda c: c["file"])
def test_each_bad_input_gets_its_one_line_error_and_nothing_is_written(
    case: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "in" / case["file"]
    source.parent.mkdir()
    shutil.copyfile(HOSTILE / case["file"], source)
    work = tmp_path / "work"
    work.mkdir()
    if case["command"] == "generate":
        args = ["generate", str(source), "-o", str(work / "decks")]
    elif case["command"] == "add":
        args = ["add", "--db", str(work / "collection.db"), str(source)]
    else:
        args = ["due", "--db", str(source)]
    before = snapshot(tmp_path)
    result = run(*args)
    where = f"{source}:{case['line']}" if "line" in case else str(source)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"recall: error: {where}: "), result.stderr
    assert case["error"] in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before  # nothing written, nothing changed, anywhere


def test_a_20_mb_lesson_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    big.write_text("Huge lesson\n\n" + "Critical minerals matter. " * 800_000, encoding="utf-8")
    result = run("generate", str(big), "-o", str(tmp_path / "decks"))
    assert result.exit_code == 2 and result.stderr.startswith(f"recall: error: {big}: ")
    assert "MB" in result.stderr and not (tmp_path / "decks").exists()


def test_hostile_lessons_make_decks_whose_anki_export_holds_nothing_live(tmp_path: Path) -> None:
    lessons = [c["file"] for c in CASES if c["command"] == "generate" and not c["error"]]
    out = tmp_path / "decks"
    for name in lessons:
        result = run("generate", str(HOSTILE / name), "-o", str(out))
        assert result.exit_code == 0, (name, result.stderr)
    assert set(tmp_path.iterdir()) == {out}  # nothing outside the output directory
    package = tmp_path / "hostile.apkg"
    decks = sorted(out.glob("*.toml"))
    # Lessons with nothing to drill (the same bullet nested 30 deep, one sentence repeated)
    # make no cards rather than a paragraph-long "why in news" card; export the rest.
    with_cards = [d for d in decks if "[[card]]" in d.read_text(encoding="utf-8")]
    assert {d.stem for d in decks} - {d.stem for d in with_cards} <= {
        "deep-bullets",
        "long-line-lesson",
    }
    assert run("export", *map(str, with_cards), "-o", str(package)).exit_code == 0
    anki = Anki(str(tmp_path / "anki.anki2"))
    try:
        options = ImportAnkiPackageOptions(with_scheduling=False)
        anki.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=options)
        )
        assert anki.note_count() > 10
        script_seen = False
        for nid in anki.find_notes(""):
            note = anki.get_note(nid)
            for name, field in note.items():
                bare = re.sub(r'<br>|<a href="https?://[^"<>]*">[^<]*</a>', "", field)
                assert "<" not in bare and ">" not in bare, (name, field)
                script_seen |= "&lt;script&gt;" in field
                live = re.findall(r"\{\{.*?\}\}", field)
                if name == "Text":  # a cloze note: only the generator's own deletions
                    assert live and all(re.fullmatch(r"\{\{c\d+::[^{}]*\}\}", x) for x in live)
                else:
                    assert live == [], (name, field)
            for card in note.cards():
                shown = card.question() + card.answer()
                for tag in re.findall(r"<\s*([a-zA-Z][^<>]*)>", shown):  # the live tags
                    assert not re.match(r"(script|img|iframe|svg|object|embed)\b", tag, re.I)
                    assert not re.search(r"\son\w+\s*=", tag), tag
                    assert "javascript:" not in tag.lower(), tag
        assert script_seen  # the lesson's <script> arrived, as text
    finally:
        anki.close()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_the_lesson_parser_never_raises_on_any_text(text: str) -> None:
    from recall.errors import RecallError

    try:
        lesson = parse(text, "any.txt")
    except RecallError:
        return  # a clear refusal (empty, binary, a path for a title) is an answer too
    assert lesson.title
