"""Backups and restore under attack (issue 14, cases 1-4 and 16): nothing a learner had is
lost to pruning, to a damaged collection, or to an odd character in a path."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from recall.deckfile import read_deck
from recall.store import Collection
from recall.store.backup import KEEP, backups
from tests.conftest import NOW, ROOT, run

SHIPPED_DECK = ROOT / "decks" / "india-us-critical-minerals-diplomacy-supply-chain-resilience.toml"
HOSTILE = ROOT / "tests" / "data" / "hostile"


def make_collection(db: Path, decks: int = 1) -> None:
    col = Collection(db)
    for path in sorted((ROOT / "decks").glob("*.toml"))[:decks]:
        col.add_deck(read_deck(path), str(path), NOW)
    col.close()


def deck_count(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute("select count(*) from decks").fetchone()[0])
    finally:
        con.close()


def corrupt_a_page(db: Path) -> None:
    """Overwrite the body of one of the cards table's pages, as a failing disk might."""
    con = sqlite3.connect(db)
    con.execute("pragma wal_checkpoint(truncate)")
    page_size = con.execute("pragma page_size").fetchone()[0]
    # The cards table's root page (found, not assumed: a new migration moves pages around).
    (root,) = con.execute("select rootpage from sqlite_master where name = 'cards'").fetchone()
    con.close()
    data = bytearray(db.read_bytes())
    start = (root - 1) * page_size + 8
    data[start : start + page_size - 100] = b"\xab" * (page_size - 100)
    db.write_bytes(bytes(data))


def one_line_error(result: object, *needles: str) -> None:
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    err = result.stderr  # type: ignore[attr-defined]
    assert err.startswith("recall: error: ") and err.count("\n") == 1, err
    for needle in needles:
        assert needle in err, err


def test_restoring_the_oldest_kept_backup_keeps_it_and_succeeds(tmp_path: Path) -> None:
    db = tmp_path / "collection.db"
    make_collection(db)
    for _ in range(KEEP):
        assert run("backup", "--db", str(db)).exit_code == 0
    oldest = backups(db)[0]
    make_collection(db, decks=4)  # the collection moves on after the backups
    result = run("restore", str(oldest), "--db", str(db))
    assert result.exit_code == 0, result.stderr
    assert oldest.exists()
    saved = Path(result.output.rsplit(" is in ", 1)[1].strip())
    assert saved.exists() and deck_count(saved) == 4
    assert deck_count(db) == 1
    assert len(backups(db)) == KEEP


def test_backups_with_future_names_do_not_win_the_pruning(tmp_path: Path) -> None:
    db = tmp_path / "collection.db"
    make_collection(db)
    assert run("backup", "--db", str(db)).exit_code == 0
    first = backups(db)[0]
    folder = first.parent
    past = time.time() - 86400
    for i in range(KEEP):  # a copied folder, or a clock that once ran years ahead
        future = folder / f"collection-2099010{i}T000000000000-manual.db"
        shutil.copyfile(first, future)
        os.utime(future, (past, past))
    made = run("backup", "--db", str(db))
    printed = Path(made.output.removeprefix("backed up to ").strip())
    assert made.exit_code == 0 and printed.exists()
    restored = run("restore", "--latest", "--db", str(db))
    assert restored.exit_code == 0, restored.stderr
    assert Path(restored.output.rsplit(" is in ", 1)[1].strip()).exists()
    assert len(backups(db)) == KEEP


@pytest.mark.parametrize("odd", ["saved#2", "saved?mode=rw", "saved%41", "a#b/saved"])
def test_a_backup_path_with_uri_characters_restores_that_very_file(
    tmp_path: Path, odd: str
) -> None:
    db = tmp_path / "collection.db"
    make_collection(db, decks=4)
    decoy = tmp_path / "saved"  # what a path cut at '#' or '?' would open instead
    make_collection(decoy, decks=2)
    (tmp_path / "savedA").write_bytes(decoy.read_bytes())  # what '%41' decodes to
    source = tmp_path / odd
    source.parent.mkdir(exist_ok=True)
    make_collection(source, decks=1)
    Path(f"{source}-shm").unlink(missing_ok=True)
    result = run("restore", str(source), "--db", str(db))
    assert result.exit_code == 0, result.stderr
    assert deck_count(db) == 1
    assert not Path(f"{source}-wal").exists() and not Path(f"{source}-shm").exists()


def test_a_damaged_collection_is_not_backed_up_and_good_backups_survive(
    tmp_path: Path,
) -> None:
    db = tmp_path / "collection.db"
    make_collection(db, decks=4)
    assert run("backup", "--db", str(db)).exit_code == 0
    good = backups(db)
    corrupt_a_page(db)
    for _ in range(KEEP + 2):
        one_line_error(run("backup", "--db", str(db)), str(db), "damaged", "not kept")
    assert backups(db) == good
    assert [p.name for p in good[0].parent.iterdir()] == [good[0].name]  # no temp files
    restored = run("restore", "--latest", "--db", str(db))
    assert restored.exit_code == 0, restored.stderr
    assert "unreadable" in restored.output  # the damaged file was moved aside, not lost
    assert deck_count(db) == 4 and run("check", "--db", str(db)).exit_code == 0


def test_a_zero_byte_collection_is_refused_not_replaced(tmp_path: Path) -> None:
    db = tmp_path / "collection.db"
    db.write_bytes(b"")
    one_line_error(run("due", "--db", str(db)), str(db), "empty (0 bytes)")
    assert db.read_bytes() == b""


def test_a_backup_from_a_newer_recall_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "collection.db"
    make_collection(db)
    before = db.read_bytes()
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(
            HOSTILE / f"collection-newer-schema.db{suffix}", tmp_path / f"newer.db{suffix}"
        )
    result = run("restore", str(tmp_path / "newer.db"), "--db", str(db))
    one_line_error(result, "newer recall")
    assert db.read_bytes() == before and deck_count(db) == 1
