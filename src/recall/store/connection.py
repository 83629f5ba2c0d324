"""Opening a collection, its pragmas, and transactions that hold the write lock.

A file that is not a collection, is cut short, or was written by a newer recall is refused
before a byte of it changes. WAL mode and a busy timeout let a second process wait instead
of failing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recall.errors import RecallError, sqlite_message
from recall.store.backup import take
from recall.store.schema import MIGRATION_NAMES, applied_migrations, migrate

if TYPE_CHECKING:
    from sqlite_utils import Database

    from recall.settings import Settings

BUSY_TIMEOUT_MS = 5000
#: Log pages a review session may gather before SQLite itself folds them into the file
#: (40 MB, well over a thousand answers): the backstop to :meth:`Collection.fold_log`.
SESSION_LOG_PAGES = 10_000


class Base:
    """An open collection file: its connection, transactions and checkpoints.

    The table modules (decks, cards, log, params) add their named queries to this; the
    :class:`~recall.store.Collection` is all of them together.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = open_connection(path)
        self._db: Database | None = None
        self._settings: Settings | None = None

    @property
    def db(self) -> Database:
        """The connection wrapped by sqlite-utils, for writes and migrations."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    def close(self) -> None:
        self.conn.close()

    def backup(self, reason: str) -> Path:
        """Back the collection up now (SQLite's online backup: safe while others write)."""
        return take(self.conn, self.path, reason)

    def defer_checkpoints(self) -> None:
        """Leave folding the write-ahead log into the file to :meth:`fold_log`.

        SQLite copies the log into the collection file every 1,000 pages by default, with an
        fsync of the file: on a lifetime collection a pause of 20-200 ms, felt by whichever
        answer crossed the line. A review session folds the log in while the learner reads
        a card instead (:meth:`Session.idle`); SQLite's own checkpoint stays as a backstop
        at :data:`SESSION_LOG_PAGES`, and closing the collection folds in the rest.
        """
        self.conn.execute(f"pragma wal_autocheckpoint = {SESSION_LOG_PAGES}")

    def fold_log(self) -> None:
        """Copy the write-ahead log into the collection file and sync both, without waiting
        for other sessions (a passive checkpoint). With ``synchronous=NORMAL`` this is the
        moment answers become safe from an operating-system crash, not only a killed
        process."""
        self.conn.execute("pragma wal_checkpoint(passive)").fetchall()

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return list(self._rows(sql, params))

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows as dicts, one at a time (a lifetime's log does not fit comfortably in a list)."""
        cursor = self.conn.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    @contextmanager
    def _keys_unchecked(self) -> Iterator[None]:
        """Foreign keys unchecked for the transaction inside (the pragma cannot change within
        one). For the answer only: its log row's card is read in the same transaction, so
        SQLite's own check (a search of the uid index, one or two disk reads per answer on a
        collection too big to cache) proves nothing more."""
        self.conn.execute("pragma foreign_keys = off")
        try:
            yield
        finally:
            self.conn.execute("pragma foreign_keys = on")

    @contextmanager
    def _write(self, *, raw: bool = False) -> Iterator[None]:
        """A write transaction that holds the write lock from its first statement.

        A plain BEGIN would read first and upgrade later, and in WAL mode that upgrade fails
        at once when another session wrote in between. BEGIN IMMEDIATE waits (up to the busy
        timeout) for the lock instead; ``db.atomic()`` inside it lets sqlite-utils calls nest.
        ``raw`` leaves that savepoint out, for the answer path, which runs only prepared
        statements of its own; any error rolls back either way.
        """
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise busy_error(exc, self.path) from None
        try:
            if raw:
                yield
            else:
                with self.db.atomic():
                    yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def integrity(self) -> str:
        return str(self.conn.execute("pragma integrity_check").fetchone()[0])


def open_connection(path: Path) -> sqlite3.Connection:
    """Open (or create) a collection, refusing files that are not, or not yet, ours."""
    name = str(path)
    if path.exists():
        if path.is_dir():
            raise RecallError("is a directory, not a collection file", name)
        with path.open("rb") as fh:
            header = fh.read(100)
        if not header:
            raise RecallError(
                "collection file is empty (0 bytes), so it was cut short or never written; "
                "`recall restore --latest` puts back a backup, or remove the file to start anew",
                name,
            )
        if header[:16] != b"SQLite format 3\x00":
            raise RecallError("not a recall collection (not an SQLite file)", name)
        if _truncated(header, path.stat().st_size):
            raise RecallError("collection is damaged (the file is shorter than it says)", name)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn: sqlite3.Connection | None = None
    try:
        if path.exists() and not os.access(path.parent, os.W_OK):
            return _open_read_only(path, name)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        _prepare(conn, name)
    except BaseException as exc:
        if conn is not None:
            conn.close()  # a refused file keeps no -wal/-shm files beside it
        if isinstance(exc, sqlite3.OperationalError):
            raise busy_error(exc, path) from None
        if isinstance(exc, sqlite3.DatabaseError):
            raise RecallError(f"collection is damaged or not SQLite ({exc})", name) from None
        raise
    return conn


def _open_read_only(path: Path, name: str) -> sqlite3.Connection:
    """A collection in a folder recall cannot write to (a read-only mount, a shared copy):
    opened for reading, so `due`, `stats`, `decks` and `export` work; a write is refused by
    SQLite as read-only, which the CLI reports in one line."""
    from recall.store.backup import read_only

    conn = read_only(path)
    conn.isolation_level = None
    if applied_migrations(conn) != set(MIGRATION_NAMES):
        conn.close()
        raise RecallError(
            "the collection needs an upgrade and its folder is read-only; "
            "open it once where recall can write",
            name,
        )
    conn.execute("pragma cache_size = -65536")
    conn.execute("select uid from cards limit 1").fetchall()
    return conn


def _prepare(conn: sqlite3.Connection, name: str) -> None:
    conn.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("pragma foreign_keys = on")
    # Checked (and brought up to date) before anything else: a file that is not ours, or is
    # a newer recall's, is refused without a byte of it changed.
    if applied_migrations(conn) != set(MIGRATION_NAMES):
        migrate(conn, name)
    if conn.execute("pragma journal_mode").fetchone()[0] != "wal":
        conn.execute("pragma journal_mode = wal")
    # In WAL mode, NORMAL syncs the log at checkpoints rather than at every commit: a
    # committed answer survives the process being killed (the log is in the OS's hands at
    # COMMIT) and the file can never be corrupted; only an OS crash or power cut may lose the
    # last moments' answers. That trade makes an answer 2-5x cheaper (see benchmarks).
    conn.execute("pragma synchronous = normal")
    # 64 MB of page cache (SQLite's default is 2 MB): a lifetime's collection is gigabytes,
    # and an answer touches a dozen index pages that should still be in memory next time.
    conn.execute("pragma cache_size = -65536")
    conn.execute("select uid from cards limit 1").fetchall()


def _truncated(header: bytes, size: int) -> bool:
    """Whether the file is shorter than its own header's page count (a cut-off copy).

    The count is trusted only when valid (offset 92 equals the change counter at 24), as
    SQLite itself does; checking it costs nothing, unlike reading every page.
    """
    if len(header) < 100:
        return True
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[92:96] == header[24:28]
    return valid and size < pages * page_size


def busy_error(exc: sqlite3.OperationalError, path: Path) -> RecallError:
    if "locked" in str(exc) or "busy" in str(exc):
        return RecallError(
            f"collection is busy: another recall is writing to it, and it stayed busy for "
            f"{BUSY_TIMEOUT_MS / 1000:g} s; try again",
            str(path),
        )
    return RecallError(sqlite_message(exc, str(path)), str(path))
