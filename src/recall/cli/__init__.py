"""The ``recall`` command line: the group, and one module per group of commands.

``common`` holds the group and what commands share; ``author`` (generate), ``collection``
(add, decks, suspend), ``study`` (review, due, stats), ``settings`` (config, optimize),
``data`` (backup, restore, check) and ``anki`` (export) each register their commands on it.
Heavy modules (pysbd, tomli-w, genanki, fsrs) are imported inside the commands that need
them, so ``recall --help`` stays fast. Every :class:`~recall.errors.RecallError` becomes one
line on stderr and exit status 2 — never a traceback.
"""

from __future__ import annotations

from recall.cli import anki, author, collection, data, settings, study  # noqa: F401  (registers)
from recall.cli.common import cli, install_signal_handlers

__all__ = ["cli", "main"]


def main() -> None:
    """Console-script entry point."""
    install_signal_handlers()
    cli(prog_name="recall")
