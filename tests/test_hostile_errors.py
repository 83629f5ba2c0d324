"""Errors a user meets rather than makes (issue 14, cases 5, 10 and 11): a full disk, a
damaged page, TOML nested past Python's stack, a time before year 1, colliding card uids,
two `recall add` at once — each one line and exit 2, the collection as it was.

A full disk is a real one: a small tmpfs mounted for the test (this needs root; the tests
are skipped where `mount` is refused). The collection is opened first, so its -wal and
-shm files exist and the disk fills while a command writes, not only when it opens.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from recall.cards import Card
from recall.deckfile import Deck, read_deck, write_deck
from recall.store import Collection
from recall.study.replay import verify
from tests.conftest import ROOT, SHIPPED, run
from tests.test_hostile_backups import corrupt_a_page, deck_count, make_collection, one_line_error

SHIPPED_DECK = ROOT / "decks" / "india-us-critical-minerals-diplomacy-supply-chain-resilience.toml"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs, unmounted afterwards."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mnt)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(disk: Path) -> Path:
    """Fill the disk to the last byte."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 65536)
    with filler.open("ab", buffering=0) as fh, contextlib.suppress(OSError):
        for _ in range(65536):
            fh.write(b"\0")
    return filler


def snapshot(db: Path) -> tuple[int, int, int, str]:
    col = Collection(db)
    try:
        assert col.integrity() == "ok" and verify(col).mismatches == []
        q = col.conn.execute
        return (
            q("select count(*) from cards").fetchone()[0],
            q("select count(*) from reviews").fetchone()[0],
            q("select count(*) from cards where suspended = 1").fetchone()[0],
            str(q("select group_concat(key || '=' || value) from config").fetchone()[0]),
        )
    finally:
        col.close()


COMMANDS = {
    "add": lambda db: ["add", "--db", str(db), *map(str, sorted((ROOT / "decks").glob("*.toml")))],
    "answer": lambda db: ["review", "--db", str(db)],
    "config": lambda db: ["config", "new_per_day", "31", "--db", str(db)],
    "suspend": lambda db: ["suspend", "--db", str(db), first_card(db)],
}


def first_card(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("select uid from cards order by uid limit 1").fetchone()[0])
    finally:
        con.close()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_full_disk_is_one_line_and_changes_nothing(small_disk: Path, command: str) -> None:
    db = small_disk / "collection.db"
    make_collection(db)
    before = snapshot(db)
    args = COMMANDS[command](db)
    holder = sqlite3.connect(db)  # keeps the -wal and -shm files in place
    holder.execute("select count(*) from cards").fetchone()
    filler = fill(small_disk)
    try:
        result = run(*args, input=" \n3\n" * 20 + "q\n")
    finally:
        filler.unlink()
        holder.close()
    if command == "answer":  # the screen reports the failed answer and ends the session
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1 and "disk is full" in result.stderr
    else:
        one_line_error(result, str(db), "disk is full")
    assert snapshot(db) == before


def test_a_full_disk_under_optimize_apply_is_one_line_and_changes_nothing(
    small_disk: Path,
) -> None:
    from tests.test_optimize import END, simulate

    db = small_disk / "collection.db"
    with time_machine.travel(END, tick=False):
        simulate(db).close()
        (small_disk / "backups").mkdir()
        before = snapshot(db)
        holder = sqlite3.connect(db)
        holder.execute("select count(*) from cards").fetchone()
        filler = fill(small_disk)
        # Room for the backup optimize takes first, not for the rescheduling after it.
        room = db.stat().st_size + 64 * 1024
        with filler.open("r+b") as fh:
            fh.truncate(filler.stat().st_size - room)
        try:
            result = run("optimize", "--apply", "--db", str(db))
        finally:
            filler.unlink()
            holder.close()
        one_line_error(result, "disk is full")
        assert "backup" not in result.stderr  # the backup was taken; the write ran out
        assert snapshot(db) == before


def test_a_read_only_collection_is_read_and_a_write_is_refused_in_one_line(
    small_disk: Path, tmp_path: Path
) -> None:
    db = small_disk / "collection.db"
    make_collection(db)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    due = run("due", "--db", str(db))
    assert due.exit_code == 0 and "today: 20 new" in due.output, due.stderr
    assert run("decks", "--db", str(db)).exit_code == 0
    assert run("export", "--db", str(db), "-o", str(tmp_path / "ro.apkg")).exit_code == 0
    one_line_error(run("config", "new_per_day", "30", "--db", str(db)), str(db), "read-only")
    one_line_error(run("review", "--db", str(db), input=" \n3\nq\n"), str(db), "read-only")
    assert sorted(p.name for p in small_disk.iterdir()) == ["collection.db"]


@pytest.mark.parametrize("command", ["due", "decks", "stats", "export", "suspend", "add", "check"])
def test_a_damaged_page_is_one_line_in_every_command(tmp_path: Path, command: str) -> None:
    db = tmp_path / "collection.db"
    make_collection(db, decks=4)
    corrupt_a_page(db)
    args = {
        "export": ["export", "-o", str(tmp_path / "out.apkg")],
        "suspend": ["suspend", first_card_or(db, "x")],
        "add": ["add", str(SHIPPED_DECK)],
    }.get(command, [command])
    result = run(*args, "--db", str(db))
    if command == "check":  # check reports the damage rather than refusing
        assert result.exit_code in {1, 2} and "Traceback" not in result.output
        assert "damaged" in result.stderr or "integrity" in result.output
        return
    one_line_error(result, str(db), "damaged")
    assert not (tmp_path / "out.apkg").exists()


def first_card_or(db: Path, default: str) -> str:
    try:
        return first_card(db)
    except sqlite3.DatabaseError:
        return default


def nested(depth: int) -> str:
    return "x = " + "[" * depth + "]" * depth + "\n"


def test_toml_nested_500_deep_is_one_line_in_add_export_and_generate(tmp_path: Path) -> None:
    deck = tmp_path / "deep.toml"
    deck.write_text('[deck]\nslug = "d"\ntitle = "D"\n' + nested(500), encoding="utf-8")
    db = tmp_path / "collection.db"
    one_line_error(run("add", "--db", str(db), str(deck)), str(deck), "nested too deeply")
    one_line_error(run("export", str(deck), "-o", str(tmp_path / "o.apkg")), str(deck), "nested")
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "deep.toml").write_text(nested(500), encoding="utf-8")
    out = tmp_path / "decks"
    result = run("generate", str(SHIPPED), "-o", str(out), "--facts", str(facts))
    one_line_error(result, str(facts / "deep.toml"), "nested too deeply")
    assert not out.exists() and not db.exists() and not (tmp_path / "o.apkg").exists()


def test_a_changed_time_before_year_one_in_utc_is_refused(tmp_path: Path) -> None:
    deck = tmp_path / "old.toml"
    text = SHIPPED_DECK.read_text(encoding="utf-8")
    first = text.index("changed = ")
    end = text.index("\n", first)
    deck.write_text(
        text[:first] + 'changed = "0001-01-01T00:00:00+14:00"' + text[end:], encoding="utf-8"
    )
    db = tmp_path / "collection.db"
    one_line_error(run("add", "--db", str(db), str(deck)), str(deck), "changed must be")
    assert not db.exists()


def colliding(tmp_path: Path) -> tuple[Path, Path]:
    card = Card(id="b:c", kind="basic", fact="f", front="Q?", back="A").stamped()
    one, two = tmp_path / "one.toml", tmp_path / "two.toml"
    write_deck(Deck("a", "A", [card]), one)
    write_deck(Deck("a:b", "AB", [card.but(id="c")]), two)
    return one, two


def test_card_uids_colliding_across_decks_are_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    one, two = colliding(tmp_path)
    db = tmp_path / "collection.db"
    make_collection(db)
    one_line_error(run("add", "--db", str(db), str(one), str(two)), str(two), "'a:b:c'")
    assert deck_count(db) == 1
    assert run("add", "--db", str(db), str(one)).exit_code == 0
    one_line_error(run("add", "--db", str(db), str(two)), str(two), "'a:b:c'")
    assert deck_count(db) == 2  # the deck before and 'a'; 'a:b' was not half-loaded


def versions(tmp_path: Path, n: int) -> tuple[Path, Path]:
    """One deck in two versions: the newer changes every card's text and adds 1,000."""
    cards = [Card(id=f"c{i}", kind="basic", fact=f"f{i}", front=f"Q{i}?", back=f"A{i}").stamped()
             for i in range(n)]  # fmt: skip
    newer = [c.but(back=f"{c.back} (revised)").stamped() for c in cards]
    newer += [Card(id=f"n{i}", kind="basic", fact=f"g{i}", front=f"N{i}?", back=f"B{i}").stamped()
              for i in range(1000)]  # fmt: skip
    old, new = tmp_path / "old" / "big.toml", tmp_path / "new" / "big.toml"
    write_deck(Deck("big", "Big", cards), old)
    write_deck(Deck("big", "Big", newer), new)
    return old, new


def test_two_adds_of_two_versions_of_one_deck_end_as_one_order_or_the_other(
    tmp_path: Path,
) -> None:
    old, new = versions(tmp_path, 2000)
    expected = {p: read_deck(p) for p in (old, new)}
    for i in range(3):
        db = tmp_path / f"race{i}.db"
        Collection(db).close()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "recall", "add", "--db", str(db), str(p)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for p in (old, new)
        ]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
        con = sqlite3.connect(db)
        live = dict(con.execute("select id, back from cards where retired = 0").fetchall())
        con.close()
        last = [p for p, deck in expected.items() if live == {c.id: c.back for c in deck.cards}]
        assert last, (i, len(live))
        first = old if last == [new] else new
        reports = {p: out.decode() for p, (out, _) in zip((old, new), outs, strict=True)}
        if first == old:  # the later add saw every card the earlier one wrote
            assert "2000 updated" in reports[new] and "1000 added" in reports[new]
        else:
            assert "1000 retired" in reports[old] and "2000 updated" in reports[old]
