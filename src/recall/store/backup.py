"""Backups of the collection, taken with SQLite's online backup API.

The backup API copies a consistent snapshot page by page even while another recall is
writing, which a file copy of a WAL-mode database cannot promise. Backups live beside the
collection in ``backups/``, named by time and reason so they sort oldest first; each is
written under a temporary name and renamed, and only the newest :data:`KEEP` are kept.
recall takes one automatically before a schema migration and before ``recall optimize``
changes the parameters; ``recall backup`` takes one on demand; ``recall restore`` puts one
back (after backing up what it replaces).
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from recall.errors import RecallError

KEEP = 10
_NAME = re.compile(r"^(?P<stem>.+)-(?P<when>\d{8}T\d{6}(?:\d{6})?)-(?P<reason>[a-z-]+)\.db$")


def backup_dir(collection: Path) -> Path:
    return collection.parent / "backups"


def backups(collection: Path) -> list[Path]:
    """This collection's backups, oldest first."""
    folder = backup_dir(collection)
    if not folder.is_dir():
        return []
    found = []
    for p in folder.iterdir():
        m = _NAME.match(p.name)
        if m and m["stem"] == collection.stem:
            found.append((m["when"], p))
    return [p for _, p in sorted(found)]


def take(
    conn: sqlite3.Connection, collection: Path, reason: str, now: datetime | None = None
) -> Path:
    """Back up the open collection ``conn`` (the file at ``collection``); prune old ones."""
    instant = (now or datetime.now(UTC)).astimezone(UTC)
    folder = backup_dir(collection)
    folder.mkdir(parents=True, exist_ok=True)
    taken = {_NAME.match(p.name)["when"] for p in backups(collection)}  # type: ignore[index]
    while (when := instant.strftime("%Y%m%dT%H%M%S%f")) in taken:
        instant += timedelta(microseconds=1)  # two backups in one microsecond: keep both
    dest = folder / f"{collection.stem}-{when}-{reason}.db"
    tmp = folder / f".{dest.name}.tmp"
    try:
        target = sqlite3.connect(tmp)
        try:
            conn.backup(target)
        finally:
            target.close()
        tmp.replace(dest)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise RecallError(f"cannot write a backup: {exc}", str(folder)) from None
    for old in backups(collection)[:-KEEP]:
        old.unlink(missing_ok=True)
    return dest


def restore(collection: Path, source: Path) -> Path:
    """Replace the collection's contents with the backup ``source``; returns the backup
    taken of what was there first. The copy is one SQLite transaction: all or nothing."""
    if not source.is_file():
        raise RecallError("no such backup", str(source))
    with source.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise RecallError("not a backup of a recall collection (not SQLite)", str(source))
    from recall.store import check_backup

    problem = check_backup(source)
    if problem:
        raise RecallError(problem, str(source))
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        from recall.store import Collection

        try:
            col = Collection(collection)
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
                saved = take(col.conn, collection, "before-restore")
                src.backup(col.conn)
            finally:
                col.close()
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
