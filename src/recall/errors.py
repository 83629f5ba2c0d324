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

    def __reduce__(self) -> tuple[type[RecallError], tuple[str, str | None, int | None]]:
        # Errors raised in a worker process must arrive with their file and line.
        return (RecallError, (self.message, self.path, self.line))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


def load_toml(text: str, path: str) -> dict[str, Any]:
    """Parse TOML, turning a syntax error into ``path:line: TOML error: …``."""
    import re
    import tomllib  # here, not at the top: every command imports this module, --help too

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", msg)
        reason = re.sub(r"\s*\(at .*\)$", "", msg)
        raise RecallError(f"TOML error: {reason}", path, int(m.group(1)) if m else None) from None
