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


def check_backup(path: Path) -> str | None:
    """Why ``path`` cannot be restored as a collection, or None if it can."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        if not {"cards", "reviews", "_sqlite_migrations"} <= tables:
            return "not a backup of a recall collection (no recall tables)"
        if con.execute("pragma integrity_check").fetchone()[0] != "ok":
            return "backup is damaged (integrity check failed)"
    except sqlite3.DatabaseError as exc:
        return f"backup is damaged or not SQLite ({exc})"
    finally:
        con.close()
    return None
