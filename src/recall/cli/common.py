"""What every command shares: the group (one-line errors, exit 2), ``--db``, the clock, progress.

Kept free of heavy imports: ``recall --help`` imports this and the command modules only.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from recall import __version__
from recall.errors import RecallError


class _Group(click.Group):
    """A click group that turns a RecallError into one line and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RecallError as exc:
            click.echo(f"recall: error: {exc}", err=True)
            ctx.exit(2)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"recall: error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recall")
def cli() -> None:
    """recall: spaced-repetition flashcards for UPSC current affairs.

    Teachers turn lessons into decks with `recall generate`; learners review them every day.
    """


def db_option(fn: Any) -> Any:
    """``--db PATH`` on every command that opens the collection."""
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
        help="Collection file.  [default: $RECALL_HOME/collection.db]",
    )(fn)  # fmt: skip


def collection_path(db_path: Path | None) -> Path:
    """``--db``, else ``$RECALL_HOME/collection.db``, else the app directory."""
    import os

    if db_path is not None:
        return db_path
    home = os.environ.get("RECALL_HOME") or click.get_app_dir("recall")
    return Path(home) / "collection.db"


def open_collection(db_path: Path | None) -> Any:
    from recall.store import Collection

    return Collection(collection_path(db_path))


def utc_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def progress(total: int, label: str) -> Any:
    """A progress bar on stderr when there are many lessons and a person is watching."""
    if total < 10 or not sys.stderr.isatty():
        return _NoBar()
    return click.progressbar(length=total, label=label, file=sys.stderr)


def backup_now(col: Any, reason: str) -> Path:
    """Back up the collection (online; safe while another process reviews)."""
    return Path(col.backup(reason))
