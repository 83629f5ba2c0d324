"""recall import: packages made by a real Anki (months of reviews under a fake clock, FSRS on,
exported by Anki's own exporter) come into recall card by card, with every review."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import genanki
import pytest
from anki.collection import Collection as Anki
from anki.collection import (
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from anki.import_export_pb2 import ExportLimit

if TYPE_CHECKING:
    from anki.cards import Card

from recall.anki.importing import slugify
from recall.store import Collection
from recall.study.schedule import Scheduler
from recall.text import stable_hash
from tests.conftest import ROOT, run

FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1")
SHIPPED_DECK = ROOT / "decks" / "india-us-critical-minerals-diplomacy-supply-chain-resilience.toml"


def _faketime() -> Path:
    """Debian's libfaketime, installed when missing (Anki's clock is read in Rust)."""
    if not FAKETIME.exists():
        subprocess.run(["apt-get", "install", "-y", "-q", "faketime"], check=False,
                       capture_output=True)  # fmt: skip
    if not FAKETIME.exists():
        pytest.skip("Debian package faketime is not installed")
    return FAKETIME


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Anki collection with 120 days of reviews, and its .apkg (new and legacy) and
    .colpkg, each written by Anki's own exporter."""
    out = tmp_path_factory.mktemp("anki-history")
    stamp = out / "clock"
    stamp.touch()
    env = {**os.environ, "LD_PRELOAD": str(_faketime()), "FAKETIME_TIMESTAMP_FILE": str(stamp),
           "FAKETIME_NO_CACHE": "1", "TZ": "UTC"}  # fmt: skip
    subprocess.run([sys.executable, "-m", "tests.anki_history", str(out), "40", "120"],
                   cwd=ROOT, env=env, check=True)  # fmt: skip
    return out


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "recall.db"
    col = Collection(path)
    col.set_setting("timezone", "UTC")  # the Anki collection above ran in UTC, day start 4
    col.close()
    return path


@pytest.fixture
def source(packages: Path, tmp_path: Path) -> Iterator[Anki]:
    """The Anki collection the packages came from (a copy: Anki writes on open)."""
    shutil.copytree(packages / "anki", tmp_path / "source")
    col = Anki(str(tmp_path / "source" / "collection.anki2"))
    yield col
    col.close()


def recall_uid(card: Card) -> str:
    """The recall card an Anki card becomes: its home deck's slug, its note's guid and ord."""
    deck = slugify(card.col.decks.name(card.odid or card.did))
    return f"{deck}:{stable_hash('anki', card.note().guid, str(card.ord))}"


def reviews_ms(path: Path) -> dict[str, list[tuple[int, int]]]:
    conn = sqlite3.connect(path)
    ms = "cast(round((julianday(reviewed_at) - 2440587.5) * 86400000) as integer)"
    out: dict[str, list[tuple[int, int]]] = {}
    for card, at, rating in conn.execute(f"select card, {ms}, rating from reviews order by id"):
        out.setdefault(card, []).append((at, rating))
    conn.close()
    return out


@pytest.mark.parametrize("name", ["history.apkg", "legacy.apkg", "history.colpkg"])
def test_every_card_and_review_arrives_with_anki_memory_state_due_and_flags(
    packages: Path, source: Anki, db: Path, tmp_path: Path, name: str
) -> None:
    result = run(
        "import", str(packages / name), "--db", str(db), "--decks", str(tmp_path / "decks")
    )
    assert result.exit_code == 0, result.output
    assert "note type 'Vocabulary' is not one recall knows: 13 cards" in result.output
    assert "media: 1 files written" in result.output
    col = Collection(db)
    sched = Scheduler(col.settings())
    logs = reviews_ms(db)
    assert source.db is not None
    zero = sched.day(datetime.fromtimestamp(source.crt, UTC))
    queues: set[int] = set()
    for cid in source.find_cards(""):
        card = source.get_card(cid)
        row = col.card(recall_uid(card))
        queues.add(card.queue)
        anki_log = source.db.all("select id, ease from revlog where cid = ? order by id", cid)
        assert [tuple(r) for r in anki_log] == logs.get(row.uid, [])  # no review lost
        m = row.memory
        assert (int(m.state), m.reps, m.lapses) == (card.type, card.reps, card.lapses)
        assert row.suspended == (card.queue == -1)
        assert (row.buried_until is not None) == (card.queue in (-2, -3))
        if card.type == 0:
            continue
        # The memory Anki stored answer by answer, rounded at each answer as Anki rounds it
        # (and recall now does). Anki's own recomputation from the log rounds differently and
        # drifts from its stored state by up to a few tenths of a percent, so it is a looser
        # check.
        stored = card.memory_state
        assert stored is not None
        assert m.stability == pytest.approx(stored.stability, rel=1e-4)
        assert m.difficulty == pytest.approx(stored.difficulty, rel=1e-4)
        expected = source.compute_memory_state(cid)
        assert m.stability == pytest.approx(expected.stability, rel=1e-2)
        assert m.difficulty == pytest.approx(expected.difficulty, rel=1e-2)
        assert m.due is not None
        if card.queue == 1:
            assert m.due == datetime.fromtimestamp(card.due, UTC)
        else:
            assert sched.day(m.due) == zero + timedelta(days=card.due)
        if card.type == 2:  # the scheduled days Anki gave (fuzz included), not recall's own
            assert m.interval == card.ivl
    assert {0, 1, 2, -1, -3} <= queues  # new, learning, review, suspended, buried
    col.close()
    assert (Path(str(db)).parent / "media" / "map.png").exists()
    checked = run("check", "--db", str(db))
    assert "mismatches: 0" in checked.output
    assert run("stats", "--db", str(db)).exit_code == 0


def test_imported_log_rows_keep_their_calendar_so_check_stays_clean_after_changing_it(
    packages: Path, db: Path, tmp_path: Path
) -> None:
    result = run("import", str(packages / "history.apkg"), "--db", str(db),
                 "--decks", str(tmp_path / "decks"))  # fmt: skip
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    stamps = conn.execute(
        "select distinct zone, day_start_hour, learning_steps, relearning_steps from reviews"
    ).fetchall()
    days = conn.execute("select reviewed_at, day from reviews").fetchall()
    conn.close()
    assert stamps == [("UTC", 4, "60 600", "600")]
    sched = Scheduler(Collection(db).settings())
    assert all(day == sched.day(datetime.fromisoformat(at)).isoformat() for at, day in days)
    # The learner moves their day start and zone: the imported past stays as it was.
    for key, value in (("day_start_hour", "9"), ("timezone", "America/New_York")):
        assert run("config", key, value, "--db", str(db)).exit_code == 0
    checked = run("check", "--db", str(db))
    assert "mismatches: 0" in checked.output, checked.output


def test_importing_twice_changes_nothing(packages: Path, db: Path, tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    args = ["import", str(packages / "history.apkg"), "--db", str(db), "--decks", str(decks)]
    first = run(*args)
    assert first.exit_code == 0 and "reviews, 0 new" not in first.output
    files = {p.name: p.read_bytes() for p in decks.iterdir()}
    before = reviews_ms(db)
    again = run(*args)
    assert ", 0 new;" in again.output and "reviews, 0 new" in again.output
    assert reviews_ms(db) == before
    assert {p.name: p.read_bytes() for p in decks.iterdir()} == files


def test_recall_export_of_an_import_carries_the_same_schedule_into_a_fresh_anki(
    packages: Path, source: Anki, db: Path, tmp_path: Path
) -> None:
    assert run("import", str(packages / "history.apkg"), "--db", str(db),
               "--decks", str(tmp_path / "decks")).exit_code == 0  # fmt: skip
    out = tmp_path / "back.apkg"
    result = run("export", "--db", str(db), "--with-scheduling", "-o", str(out))
    assert result.exit_code == 0, result.output
    (tmp_path / "fresh").mkdir()
    fresh = Anki(str(tmp_path / "fresh" / "collection.anki2"))
    fresh.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(out), options=ImportAnkiPackageOptions(with_scheduling=True)))  # fmt: skip
    by_guid = {fresh.get_note(n).guid: fresh.get_note(n) for n in fresh.find_notes("")}
    assert fresh.db is not None and source.db is not None
    compared = 0
    for cid in source.find_cards("-is:new -is:suspended"):
        card = source.get_card(cid)
        deck, card_id = recall_uid(card).split(":")
        (back,) = by_guid[genanki.guid_for(deck, card_id)].cards()
        original = source.db.list("select id from revlog where cid = ? order by id", cid)
        assert fresh.db.list("select id from revlog where cid = ? order by id", back.id) == original
        assert back.memory_state is not None
        expected = card.memory_state  # what Anki stored, answer by answer
        assert expected is not None
        assert back.memory_state.stability == pytest.approx(expected.stability, rel=1e-3)
        assert back.memory_state.difficulty == pytest.approx(expected.difficulty, rel=1e-3)
        assert (back.type, back.reps, back.lapses) == (card.type, card.reps, card.lapses)
        compared += 1
    fresh.close()
    assert compared > 40


def test_a_learners_anki_edit_comes_back_into_recall_and_stays(tmp_path: Path, db: Path) -> None:
    assert run("add", str(SHIPPED_DECK), "--db", str(db)).exit_code == 0
    first = tmp_path / "first.apkg"
    assert run("export", "--db", str(db), "-o", str(first)).exit_code == 0
    (tmp_path / "anki").mkdir()
    anki = Anki(str(tmp_path / "anki" / "collection.anki2"))
    anki.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(first), options=ImportAnkiPackageOptions(with_scheduling=False)))  # fmt: skip
    guid = genanki.guid_for(SHIPPED_DECK.stem, "2fe3065973c454b2")  # "What does REE stand for?"
    (nid,) = [n for n in anki.find_notes("") if anki.get_note(n).guid == guid]
    note = anki.get_note(nid)
    note["Back"] = "Rare Earth Elements (my mnemonic: seventeen of them)"
    anki.update_note(note)
    from_anki = tmp_path / "from-anki.apkg"
    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False,
                                       with_media=True, legacy=False)  # fmt: skip
    anki.export_anki_package(out_path=str(from_anki), options=options, limit=ExportLimit())
    cards_before = len(Collection(db).all_cards())

    result = run("import", str(from_anki), "--db", str(db), "--decks", str(tmp_path / "decks"))
    assert result.exit_code == 0, result.output
    assert "1 cards edited in Anki" in result.output and ", 0 new;" in result.output
    col = Collection(db)
    assert len(col.all_cards()) == cards_before  # the same cards, none duplicated
    edited = [c for c in col.all_cards() if c.back.endswith("seventeen of them)")]
    assert len(edited) == 1
    col.close()
    # The next export carries the edit: Anki keeps it, nothing is overwritten back.
    second = tmp_path / "second.apkg"
    assert run("export", "--db", str(db), "-o", str(second)).exit_code == 0
    anki.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(second), options=ImportAnkiPackageOptions(with_scheduling=False)))  # fmt: skip
    assert anki.get_note(nid)["Back"].endswith("seventeen of them)")
    anki.close()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _legacy_collection(tmp_path: Path, packages: Path) -> bytes:
    with zipfile.ZipFile(packages / "legacy.apkg") as z:
        return z.read("collection.anki21")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda t, p: (t / "x.apkg").write_bytes(b"just text") and t / "x.apkg", "not a zip file"),
        (lambda t, p: _zip(t / "x.apkg", {"readme.txt": b"hi"}), "holds no Anki collection"),
        (lambda t, p: _zip(t / "x.apkg", {"meta": b"\x08\x04", "collection.anki21c": b"?"}),
         "made by a newer Anki (package version 4"),
        (lambda t, p: _zip(t / "x.apkg", {"collection.anki21": b"SQLite format 3\x00" + b"\x00" * 50}),
         "cannot be read"),
        (lambda t, p: (t / "x.apkg").write_bytes((p / "history.apkg").read_bytes()[:3000]) and t / "x.apkg",
         "not a zip file"),
        (lambda t, p: _zip(t / "x.apkg", {"collection.anki21": _legacy_collection(t, p),
                                           "media": b'{"0": "../escape.png"}', "0": b"x"}),
         "unsafe media file name '../escape.png'"),
        (lambda t, p: _zip(t / "x.apkg", {"collection.anki21": _legacy_collection(t, p),
                                           "media": b'{"0": "/etc/cron.d/x"}', "0": b"x"}),
         "unsafe media file name"),
    ],
)  # fmt: skip
def test_bad_packages_fail_in_one_line_and_write_nothing(
    packages: Path, tmp_path: Path, make: object, message: str
) -> None:
    assert callable(make)
    bad = make(tmp_path, packages)
    db = tmp_path / "recall.db"
    result = run("import", str(bad), "--db", str(db), "--decks", str(tmp_path / "decks"))
    assert result.exit_code == 2, result.output
    assert message in result.stderr and str(bad) in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "decks").exists() and not (tmp_path / "media").exists()
    if db.exists():
        assert Collection(db).all_cards() == []
