"""Putting a backup back: what it replaces is backed up first, so a restore can be undone.

A collection too damaged to open is moved aside into ``backups/`` rather than overwritten.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from recall.errors import RecallError
from recall.store.backup import backup_dir, check_backup, take
from recall.store.connection import open_connection


def restore(collection: Path, source: Path) -> Path:
    """Replace the collection's contents with the backup ``source``; returns the backup
    taken of what was there first. The copy is one SQLite transaction: all or nothing."""
    if not source.is_file():
        raise RecallError("no such backup", str(source))
    with source.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise RecallError("not a backup of a recall collection (not SQLite)", str(source))
    problem = check_backup(source)
    if problem:
        raise RecallError(problem, str(source))
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            conn = open_connection(collection)
        except RecallError:
            # The collection cannot be opened (that may be why we are here): keep it aside.
            saved = _set_aside(collection)
            dst = sqlite3.connect(collection)
            try:
                src.backup(dst)
            finally:
                dst.close()
        else:
            try:
                saved = take(conn, collection, "before-restore")
                src.backup(conn)
            finally:
                conn.close()
    except sqlite3.Error as exc:
        raise RecallError(f"cannot restore: {exc}", str(source)) from None
    finally:
        src.close()
    return saved


def _set_aside(collection: Path) -> Path:
    when = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    folder = backup_dir(collection)
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{collection.stem}-{when}-unreadable.db"
    if collection.exists():
        collection.replace(dest)
    for suffix in ("-wal", "-shm"):
        Path(f"{collection}{suffix}").unlink(missing_ok=True)
    return dest
