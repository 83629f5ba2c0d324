"""Backups of the collection, taken with SQLite's online backup API.

The backup API copies a consistent snapshot page by page even while another recall is
writing, which a file copy of a WAL-mode database cannot promise. Backups live beside the
collection in ``backups/``, named by time and reason; each is written under a temporary name,
checked (``PRAGMA quick_check``) and renamed, and only the newest :data:`KEEP` are kept.
recall takes one automatically before a schema migration and before ``recall optimize``
changes the parameters; ``recall backup`` takes one on demand; ``recall restore`` puts one
back (after backing up what it replaces).

Three rules keep a backup from costing the learner one they had:

- *Newest* means most recently written (the file's modification time), not the time in the
  name: a name from a clock glitch or a copied folder must not decide what is pruned.
- A copy that fails its check is not kept, and nothing is pruned for it: ten backups of a
  damaged collection would otherwise push out the last good one.
- The backup just taken, and any file the caller names (the one being restored), are never
  pruned.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from recall.errors import DamagedError, RecallError

KEEP = 10
#: A temporary file older than this was left by a killed backup (a running one writes to
#: its file continuously, so its modification time stays fresh).
STALE_SECONDS = 3600
_NAME = re.compile(r"^(?P<stem>.+)-(?P<when>\d{8}T\d{6}(?:\d{6})?)-(?P<reason>[a-z-]+)\.db$")
_TMP = re.compile(r"^\.backup-[0-9a-f]{12}\.tmp(-journal)?$")


def backup_dir(collection: Path) -> Path:
    return collection.parent / "backups"


def backups(collection: Path) -> list[Path]:
    """This collection's backups, oldest first (by when each file was written)."""
    folder = backup_dir(collection)
    if not folder.is_dir():
        return []
    found = []
    for p in folder.iterdir():
        m = _NAME.match(p.name)
        if m and m["stem"] == collection.stem:
            with contextlib.suppress(FileNotFoundError):  # pruned by another recall meanwhile
                found.append((p.stat().st_mtime_ns, m["when"], p))
    return [p for _, _, p in sorted(found)]


def read_only(path: Path) -> sqlite3.Connection:
    """Open an SQLite file for reading only, its path quoted into a proper ``file:`` URI.

    A ``#``, ``?`` or ``%`` in a folder name would otherwise cut the path short or be
    decoded, and open another file. A file with no write-ahead log beside it is opened as
    immutable, so reading it leaves no ``-shm``/``-wal`` files behind.
    """
    uri = path.resolve().as_uri() + "?mode=ro"
    if not Path(f"{path}-wal").exists():
        uri += "&immutable=1"
    return sqlite3.connect(uri, uri=True)


def take(
    conn: sqlite3.Connection,
    collection: Path,
    reason: str,
    now: datetime | None = None,
    keep: Iterable[Path] = (),
) -> Path:
    """Back up the open collection ``conn`` (the file at ``collection``), check the copy,
    then prune old ones — never the new one nor any file in ``keep``."""
    instant = (now or datetime.now(UTC)).astimezone(UTC)
    folder = backup_dir(collection)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale(folder)
    except OSError as exc:
        raise RecallError(f"cannot write a backup: {exc.strerror}", str(folder)) from None
    dest = folder / f"{collection.stem}-{instant.strftime('%Y%m%dT%H%M%S%f')}-{reason}.db"
    while dest.exists():  # two backups in one microsecond: keep both
        instant = instant.replace(microsecond=(instant.microsecond + 1) % 1_000_000)
        dest = folder / f"{collection.stem}-{instant.strftime('%Y%m%dT%H%M%S%f')}-{reason}.db"
    _write_checked(conn, collection, folder / f".backup-{secrets.token_hex(6)}.tmp", dest)
    prune(collection, keep=[dest, *keep])
    return dest


def _write_checked(conn: sqlite3.Connection, collection: Path, tmp: Path, dest: Path) -> None:
    """Copy into ``tmp``, check it, rename it to ``dest``; on any failure (a signal
    included) leave no temporary file behind."""
    try:
        target = sqlite3.connect(tmp)
        try:
            conn.backup(target)
            # A backup is a plain file (no -wal/-shm), so reading it changes nothing beside it.
            target.execute("pragma journal_mode = delete").fetchall()
            verdict = [r[0] for r in target.execute("pragma quick_check(1)")]
        finally:
            target.close()
        if verdict != ["ok"]:
            first = " ".join(" ".join(verdict).split())
            raise DamagedError(
                f"the collection is damaged ({first}): the backup was not kept and "
                "no older backup was pruned; `recall restore` lists the backups to put back",
                str(collection),
            )
        tmp.replace(dest)
    except BaseException as exc:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
        if isinstance(exc, OSError | sqlite3.Error) and not isinstance(exc, RecallError):
            raise RecallError(f"cannot write a backup: {exc}", str(dest.parent)) from None
        raise


def prune(collection: Path, keep: Iterable[Path] = ()) -> None:
    """Remove the oldest backups beyond :data:`KEEP`, sparing every file in ``keep``."""
    spared = {p.resolve() for p in keep}
    found = backups(collection)
    excess = len(found) - KEEP
    for old in found:
        if excess <= 0:
            break
        if old.resolve() not in spared:
            old.unlink(missing_ok=True)
            excess -= 1


def _remove_stale(folder: Path) -> None:
    """Temporary files a killed backup left (SIGKILL cannot be caught to clean them)."""
    cutoff = time.time() - STALE_SECONDS
    for p in folder.iterdir():
        if _TMP.match(p.name):
            with contextlib.suppress(FileNotFoundError):
                if p.stat().st_mtime < cutoff:
                    p.unlink()


def check_backup(path: Path, newer: Callable[[sqlite3.Connection], list[str]]) -> str | None:
    """Why ``path`` cannot be restored as a collection, or None if it can. ``newer`` lists
    the migrations in a file that this recall does not know (the schema module's)."""
    try:
        con = read_only(path)
    except sqlite3.Error as exc:
        return f"cannot open the backup ({exc})"
    try:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        if not {"cards", "reviews", "_sqlite_migrations"} <= tables:
            return "not a backup of a recall collection (no recall tables)"
        unknown = newer(con)
        if unknown:
            return f"backup was made by a newer recall (schema {unknown[-1]}); upgrade recall first"
        if con.execute("pragma integrity_check").fetchone()[0] != "ok":
            return "backup is damaged (integrity check failed)"
    except sqlite3.DatabaseError as exc:
        return f"backup is damaged or not SQLite ({exc})"
    finally:
        con.close()
    return None
