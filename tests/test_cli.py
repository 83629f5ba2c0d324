"""`recall generate` end to end: files, directories, stdin, summaries, and every bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from recall.deckfile import read_deck
from tests.conftest import LESSONS, SHIPPED, run

SLUG = "india-us-critical-minerals-diplomacy-supply-chain-resilience"


def files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


def test_generate_writes_the_deck_and_prints_a_summary(workdir: Path) -> None:
    result = run("generate", str(SHIPPED))
    assert result.exit_code == 0
    deck = read_deck(workdir / "decks" / f"{SLUG}.toml")
    assert len(deck.cards) >= 60
    assert f"wrote decks/{SLUG}.toml: {len(deck.cards)} cards (" in result.output
    assert "Prelims topics with facts: 3 of 3" in result.output


def test_json_summary_for_scripts(workdir: Path) -> None:
    result = run("generate", "--json", str(LESSONS))
    data = json.loads(result.output)
    assert data["written"] is True
    by_title = {d["title"]: d for d in data["decks"]}
    assert len(by_title) == 4
    rights = by_title["Fundamental Rights under Part III of the Constitution"]
    assert [t["line"] for t in rights["topics_without_facts"]] == [38, 39, 40]
    shipped = by_title["India-U.S. Critical Minerals Diplomacy & Supply Chain Resilience"]
    assert shipped["cards"] == sum(shipped["kinds"].values())
    assert shipped["changes"]["added"] == shipped["cards"]


def test_stdin_lesson(workdir: Path) -> None:
    result = run("generate", "-", input=SHIPPED.read_bytes())
    assert result.exit_code == 0
    deck = read_deck(workdir / "decks" / f"{SLUG}.toml")
    assert deck.lesson == "-"
    assert any(c.source == "-:22" for c in deck.cards)


def test_regenerating_reports_added_changed_retired_and_keeps_edits(workdir: Path) -> None:
    lesson = workdir / "lesson.txt"
    shutil.copy(SHIPPED, lesson)
    run("generate", str(lesson))
    path = workdir / "decks" / f"{SLUG}.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('front = "What does MSP stand for?"', 'front = "Expand: MSP"'),
        encoding="utf-8",
    )
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace("(often 5–10 years)", "(often 6–9 years)"),
        encoding="utf-8",
    )
    result = run("generate", "--json", str(lesson))
    changes = json.loads(result.output)["decks"][0]["changes"]
    assert changes["kept_edits"] == 1 and changes["changed"] == 1 and changes["added"] == 0
    deck = read_deck(path)
    assert any(c.front == "Expand: MSP" for c in deck.cards)
    assert any("{{c1::6–9 years}}" in c.front for c in deck.cards)
    again = run("generate", str(lesson))
    live = sum(1 for c in read_deck(path).cards if not c.retired)
    assert f"regenerated: {live - 1} unchanged, 1 kept edits\n" in again.output


def test_dry_run_writes_nothing(workdir: Path) -> None:
    before = files_under(workdir)
    result = run("generate", "--dry-run", str(SHIPPED))
    assert result.exit_code == 0 and "would write" in result.output
    assert files_under(workdir) == before


def test_output_directory_is_created_and_facts_default_to_it(workdir: Path) -> None:
    result = run("generate", "-o", "elsewhere", str(SHIPPED))
    assert result.exit_code == 0
    assert "Prelims topics with facts: 0 of 3" in result.output  # elsewhere/facts has no sheets
    result = run("generate", "-o", "elsewhere", "--facts", "decks/facts", str(SHIPPED))
    assert "Prelims topics with facts: 3 of 3" in result.output


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


BAD_LESSONS: list[tuple[str, bytes, str]] = [
    ("empty.txt", b"", "empty.txt:1: empty lesson"),
    ("blank.txt", b"  \n\n \t\n", "blank.txt:1: empty lesson"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary.txt:3: binary file"),
    (
        "latin1.txt",
        "Title\n\nWhy in News?\n\nS\xe3o Paulo".encode("latin-1"),
        "latin1.txt:5: not valid UTF-8",
    ),
    (
        "dots.txt",
        b"../../x\n\nWhy in News?\n\nSomething happened.\n",
        "dots.txt:1: title '../../x' looks like a file path",
    ),
    (
        "con.txt",
        b"CON\n\nWhy in News?\n\nSomething happened.\n",
        "con.txt:1: title 'CON' is a reserved device name",
    ),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_LESSONS, ids=[b[0] for b in BAD_LESSONS])
def test_bad_lessons_give_one_line_exit_2_and_write_nothing(
    workdir: Path, name: str, data: bytes, message: str
) -> None:
    bad = write(workdir / name, data)
    before = files_under(workdir)
    result = run("generate", str(SHIPPED), str(bad))  # the good lesson is not written either
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"recall: error: {bad}:{message.split(':', 1)[1]}")
    assert result.stderr.count("\n") == 1
    assert files_under(workdir) == before


def test_a_20_mb_lesson_is_refused(workdir: Path) -> None:
    big = workdir / "big.txt"
    with big.open("wb") as fh:
        fh.write(b"Title\n\n" + b"A sentence about minerals. " * 800_000)
    result = run("generate", str(big))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"recall: error: {big}: lesson is too large (20.6 MB; the limit is 2 MB)"
    )
    assert not list((workdir / "decks").glob("*.toml"))


def test_a_directory_with_no_lessons(workdir: Path) -> None:
    (workdir / "empty").mkdir()
    (workdir / "empty" / "notes.pdf").write_bytes(b"%PDF")
    result = run("generate", "empty")
    assert result.exit_code == 2 and result.stderr.startswith(
        "recall: error: empty: no lessons here"
    )


def test_a_missing_lesson(workdir: Path) -> None:
    result = run("generate", "nope.txt")
    assert (
        result.exit_code == 2
        and result.stderr == "recall: error: nope.txt: no such file or directory\n"
    )


def test_fact_sheet_toml_error_names_file_and_line(workdir: Path) -> None:
    write(
        workdir / "decks" / "facts" / "broken.toml", '[topics]\nx = ["X"]\n\n[[fact]]\nkey = "a\n'
    )
    result = run("generate", str(SHIPPED))
    assert result.exit_code == 2
    assert result.stderr.startswith("recall: error: decks/facts/broken.toml:5: TOML error:")
    assert not list((workdir / "decks").glob("*.toml"))


def test_fact_without_source_names_file_and_line(workdir: Path) -> None:
    write(workdir / "decks" / "facts" / "nosource.toml",
          '[topics]\nx = ["X"]\n\n[[fact]]\nkey = "a"\ntype = "acronym"\nshort = "AB"\nlong = "A B"\nas_of = "2024"\n')  # fmt: skip
    result = run("generate", str(SHIPPED))
    assert result.exit_code == 2
    assert (
        result.stderr
        == "recall: error: decks/facts/nosource.toml:4: fact 'a' has no source: every fact needs the URL it comes from\n"
    )


def test_a_broken_existing_deck_is_reported_not_overwritten(workdir: Path) -> None:
    path = write(workdir / "decks" / f"{SLUG}.toml", "[deck]\nslug = 1\n")
    result = run("generate", str(SHIPPED))
    assert result.exit_code == 2 and result.stderr.startswith(
        f"recall: error: decks/{SLUG}.toml:1: [deck] needs slug"
    )
    assert path.read_text(encoding="utf-8") == "[deck]\nslug = 1\n"


def test_two_lessons_with_one_title_are_refused(workdir: Path) -> None:
    copy = write(workdir / "copy.txt", SHIPPED.read_bytes())
    result = run("generate", str(SHIPPED), str(copy))
    assert result.exit_code == 2 and "two lessons make the same deck" in result.stderr


def test_no_temporary_files_are_left_behind(workdir: Path) -> None:
    run("generate", str(LESSONS))
    assert not [p for p in (workdir / "decks").iterdir() if p.name.startswith(".")]


def test_python_m_recall_and_help_do_not_import_heavy_modules() -> None:
    code = "import sys; from recall.cli import cli; print(' '.join(m for m in ('pysbd','genanki','fsrs','tomli_w','sqlite_utils') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    helped = subprocess.run(
        [sys.executable, "-m", "recall", "generate", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Turn lessons into deck files" in helped.stdout


def test_shipped_decks_are_what_the_generator_makes(monkeypatch: pytest.MonkeyPatch) -> None:
    """decks/*.toml are committed; regenerating them from examples/lessons changes nothing."""
    monkeypatch.chdir(LESSONS.parent.parent)
    result = run("generate", "--dry-run", "--json", "examples/lessons")
    for deck in json.loads(result.output)["decks"]:
        changes = deck["changes"]
        assert changes["unchanged"] == deck["cards"], (
            f"{deck['deck']} is stale: run recall generate examples/lessons"
        )
        assert not changes["added"] and not changes["changed"] and not changes["retired"]


def test_many_lessons_run_in_parallel_and_one_bad_lesson_still_stops_every_write(
    workdir: Path,
) -> None:
    """30 lessons take the process-pool path; an error raised in a worker keeps its file:line."""
    lessons = workdir / "batch"
    lessons.mkdir()
    text = SHIPPED.read_text(encoding="utf-8")
    for i in range(30):
        write(
            lessons / f"l{i:02d}.txt",
            text.replace("India-U.S. Critical", f"Part {i}: India-U.S. Critical", 1),
        )
    result = run("generate", "--json", "batch", "-o", "fresh", "--facts", "decks/facts")
    assert len(list((workdir / "fresh").glob("*.toml"))) == 30  # a new directory is made
    result = run("generate", "--json", "batch")
    decks = json.loads(result.output)["decks"]
    assert len(decks) == 30 and len({d["deck"] for d in decks}) == 30
    assert all(d["cards"] == decks[0]["cards"] for d in decks)
    written = sorted((workdir / "decks").glob("*.toml"))
    assert len(written) == 30
    write(lessons / "l15.txt", b"Title\n\n\x00binary")
    before = {p: p.stat().st_mtime_ns for p in written}
    result = run("generate", "batch")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "recall: error: batch/l15.txt:3: binary file, not a text lesson (NUL byte)\n"
    )
    assert {p: p.stat().st_mtime_ns for p in written} == before
    # The workers had already staged the other 29 decks beside their files: all removed.
    assert not [p.name for p in (workdir / "decks").iterdir() if p.name.endswith(".tmp")]
