"""The ``recall`` command line: the group, and one module per group of commands.

``common`` holds the group and what commands share. Each other module registers its
commands on it: ``author`` (generate), ``facts`` (fact sheets: list, check, draft, stale),
``collection`` (add, decks, suspend, bury), ``browse`` (cards, card, edit, forget, remove),
``example`` (a collection with simulated history), ``study`` (review, due, stats),
``settings`` (config, optimize), ``data`` (backup, restore, check), ``anki`` (export,
import) and ``web`` (serve). Heavy modules (pysbd, tomli-w, genanki, fsrs, starlette) are
imported inside the commands that need them, so ``recall --help`` stays fast. Every
:class:`~recall.errors.RecallError` becomes one line on stderr and exit status 2.
"""

from __future__ import annotations

# One import per line: each registers its commands on the group.
import recall.cli.anki
import recall.cli.author
import recall.cli.browse
import recall.cli.collection
import recall.cli.data
import recall.cli.exam
import recall.cli.example
import recall.cli.facts
import recall.cli.preset
import recall.cli.settings
import recall.cli.study
import recall.cli.web  # noqa: F401
from recall.cli.common import cli, install_signal_handlers

__all__ = ["cli", "main"]


def main() -> None:
    """Console-script entry point."""
    install_signal_handlers()
    cli(prog_name="recall")
