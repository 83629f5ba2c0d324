"""The ``recall`` command line: the group, and one module per group of commands.

``common`` holds the group and what commands share; ``author`` (generate), ``collection``
(add, decks, suspend, bury), ``browse`` (cards, card, edit, forget, remove), ``study``
(review, due, stats), ``settings`` (config, optimize),
``data`` (backup, restore, check) and ``anki`` (export) each register their commands on it.
Heavy modules (pysbd, tomli-w, genanki, fsrs) are imported inside the commands that need
them, so ``recall --help`` stays fast. Every :class:`~recall.errors.RecallError` becomes one
line on stderr and exit status 2 — never a traceback.
"""

from __future__ import annotations

from recall.cli import (  # noqa: F401  (registers)
    anki,
    author,
    browse,
    collection,
    data,
    example,
    settings,
    study,
)
from recall.cli.common import cli

__all__ = ["cli", "main"]


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="recall")
