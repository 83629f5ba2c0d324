"""The one error type users see.

Every problem with a user's input becomes a :class:`RecallError` carrying the file and, where
known, the line. The CLI prints it as a single ``file:line: message`` line and exits with
status 2; nothing else reaches the terminal as a traceback.
"""

from __future__ import annotations

from typing import Any


class RecallError(Exception):
    """A problem with the user's input or environment, reported as one line."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __reduce__(self) -> tuple[Any, tuple[str, str | None, int | None]]:
        # Errors raised in a worker process must arrive with their file and line.
        return (type(self), (self.message, self.path, self.line))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


class DamagedError(RecallError):
    """The collection (or a copy of it) fails SQLite's own consistency check.

    A separate type because callers act on it: a backup of a damaged collection is not kept
    (it would push a good one out), and a restore moves the damaged file aside instead.
    """


#: What to do about each SQLite result code a user can meet (``sqlite_errorname``).
_SQLITE_ADVICE = {
    "SQLITE_FULL": "the disk is full; free some space and run the command again",
    "SQLITE_CORRUPT": (
        "the collection is damaged; `recall check` shows the damage and "
        "`recall restore --latest` puts back the newest backup"
    ),
    "SQLITE_NOTADB": "this is not a recall collection (not an SQLite file)",
    "SQLITE_READONLY": (
        "the collection is read-only; recall needs write access to the file and its folder"
    ),
    "SQLITE_CANTOPEN": (
        "cannot open the collection; recall needs write access to the file and its folder "
        "(SQLite keeps its -wal and -shm files beside it)"
    ),
    "SQLITE_BUSY": "the collection is busy: another recall is writing to it; try again",
    "SQLITE_LOCKED": "the collection is busy: another recall is writing to it; try again",
    "SQLITE_NOMEM": "out of memory",
    "SQLITE_IOERR": "the disk reported an error reading or writing the collection",
}


def sqlite_message(exc: BaseException, path: str | None = None) -> str:
    """One line about an ``sqlite3.Error``: what happened and what to do.

    Matched on SQLite's result code (``sqlite_errorname``, e.g. ``SQLITE_IOERR_WRITE``),
    not on the message text; an unknown code keeps SQLite's own words. SQLite reports a
    full disk as an I/O error when it cannot grow its shared-memory file, so with the
    collection's ``path`` the disk's free space decides.
    """
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    disk_codes = ("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN")
    if path is not None and name.startswith(disk_codes) and _disk_full(path):
        name = "SQLITE_FULL"
    for code, advice in _SQLITE_ADVICE.items():
        if name == code or name.startswith(code + "_"):
            return f"{advice} ({exc})"
    return f"SQLite error: {exc}"


def _disk_full(path: str) -> bool:
    import os
    from pathlib import Path

    folder = Path(path).resolve().parent
    try:
        info = os.statvfs(folder)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < 64 * 1024


def load_toml(text: str, path: str) -> dict[str, Any]:
    """Parse TOML, turning a syntax error into ``path:line: TOML error: …``.

    tomllib recurses once per level of nesting, so a few kilobytes of ``[[[[…`` exhaust
    Python's stack: that is refused as a TOML error too, not a RecursionError traceback.
    """
    import re
    import tomllib  # here, not at the top: every command imports this module, --help too

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", msg)
        reason = re.sub(r"\s*\(at .*\)$", "", msg)
        raise RecallError(f"TOML error: {reason}", path, int(m.group(1)) if m else None) from None
    except RecursionError:
        raise RecallError("TOML error: arrays or tables nested too deeply", path) from None
