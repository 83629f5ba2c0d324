"""Putting a backup back: what it replaces is backed up first, so a restore can be undone.

A collection too damaged to open, or to back up, is moved aside into ``backups/`` rather
than overwritten. The file being restored is never pruned by the backup taken first.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from recall.errors import DamagedError, RecallError, sqlite_message
from recall.store.backup import backup_dir, check_backup, read_only, take
from recall.store.connection import open_connection
from recall.store.schema import MIGRATION_NAMES, applied_migrations


def restore(collection: Path, source: Path) -> Path:
    """Replace the collection's contents with the backup ``source``; returns the backup
    taken of what was there first. The copy is one SQLite transaction: all or nothing."""
    if not source.is_file():
        raise RecallError("no such backup", str(source))
    with source.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise RecallError("not a backup of a recall collection (not SQLite)", str(source))
    problem = check_backup(source, _newer)
    if problem:
        raise RecallError(problem, str(source))
    try:
        src = read_only(source)
        try:
            return _put_back(collection, source, src)
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise RecallError(f"cannot restore: {sqlite_message(exc)}", str(collection)) from None


def _newer(con: sqlite3.Connection) -> list[str]:
    return sorted(applied_migrations(con) - set(MIGRATION_NAMES))


def _put_back(collection: Path, source: Path, src: sqlite3.Connection) -> Path:
    try:
        conn = open_connection(collection)
    except RecallError:
        conn = None  # it cannot be opened (that may be why we are here): keep it aside
    if conn is not None:
        try:
            saved = take(conn, collection, "before-restore", keep=[source])
            src.backup(conn)
            return saved
        except DamagedError:
            pass  # too damaged to back up: moved aside whole below, nothing lost
        finally:
            conn.close()
    saved = _set_aside(collection)
    dst = sqlite3.connect(collection)
    try:
        src.backup(dst)
    finally:
        dst.close()
    return saved


def _set_aside(collection: Path) -> Path:
    when = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    folder = backup_dir(collection)
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{collection.stem}-{when}-unreadable.db"
    if collection.exists():
        collection.replace(dest)
    wal = Path(f"{collection}-wal")
    if wal.exists():  # it may hold committed answers: it travels with its file
        wal.replace(Path(f"{dest}-wal"))
    Path(f"{collection}-shm").unlink(missing_ok=True)
    return dest
