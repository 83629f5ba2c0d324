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
    """A click group that turns every error a user can cause or meet into one line and exit
    status 2: a RecallError, an OS error (a full disk, a read-only folder), an SQLite error
    (a damaged page, a full disk under the collection) and input nested past Python's stack.
    A command interrupted (Ctrl-C) says so and exits 130; a command that has finished is
    not interrupted any more (see :func:`install_signal_handlers`)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except RecallError as exc:
            _fail(ctx, str(exc))
        except KeyboardInterrupt:
            echo("recall: interrupted", err=True)
            ctx.exit(130)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(ctx, f"{where}{exc.strerror or exc}")
        except RecursionError:
            _fail(ctx, "input nested too deeply to read (lists or tables inside each other)")
        except Exception as exc:
            sqlite3 = sys.modules.get("sqlite3")
            if sqlite3 is None or not isinstance(exc, sqlite3.Error):
                raise
            from recall.errors import sqlite_message

            if not _opened:
                _fail(ctx, sqlite_message(exc))
            db = str(_opened[0])
            _fail(ctx, f"{db}: {sqlite_message(exc, db)}")
        _finished()
        return result


def _fail(ctx: click.Context, message: str) -> None:
    echo(f"recall: error: {message}", err=True)
    ctx.exit(2)


def echo(message: object = "", *, err: bool = False, nl: bool = True, **style: Any) -> None:
    """``click.echo`` for text that may hold a lesson's, a deck's or a file's words: every
    character that would steer the terminal is shown as U+FFFD (errors are kept to one
    line); ``style`` (``bold=True``, ``fg=...``) is applied after, to the safe text."""
    from recall.text import terminal_safe

    text = terminal_safe(str(message), one_line=err)
    click.echo(click.style(text, **style) if style else text, err=err, nl=nl)


def echo_json(payload: object) -> None:
    """Print ``payload`` as JSON; characters that steer a terminal are written as escapes."""
    import json

    from recall.text import json_safe

    click.echo(json_safe(json.dumps(payload, indent=2, ensure_ascii=False)))


_handlers_installed = False


def install_signal_handlers() -> None:
    """For the console script only (not in-process test runs): SIGTERM unwinds like an
    exception, so every ``finally`` removes its temporary files; once a command has
    finished, SIGINT and SIGTERM are ignored, so a finished restore or generate never
    reports "Aborted!"."""
    import signal

    global _handlers_installed

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    _handlers_installed = True


def _finished() -> None:
    if _handlers_installed:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


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


#: The collection this command opened, named by errors SQLite raises later.
_opened: list[Path] = []


def open_collection(db_path: Path | None) -> Any:
    from recall.store import Collection

    path = collection_path(db_path)
    _opened[:] = [path]
    return Collection(path)


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
