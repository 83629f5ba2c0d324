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

    With ``--json`` the line is a JSON object on standard output instead (``error``, and
    ``file``/``line`` when known), so a script reading the output always gets JSON — a usage
    error too (a missing argument, an unknown option). A reader that stops early (``recall
    cards '*' | head``) ends the command quietly with status 0, as ``head`` expects. A
    command interrupted (Ctrl-C) says so and exits 130; a command that has finished is not
    interrupted any more (see :func:`install_signal_handlers`).
    """

    def invoke(self, ctx: click.Context) -> Any:
        # What follows the group's own options: the command and its arguments (click empties
        # these lists as it invokes the command, so they are read first).
        args = [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            result = super().invoke(ctx)
        except BrokenPipeError:
            _quiet_after_broken_pipe()
            ctx.exit(0)
        except click.UsageError as exc:
            if not _wants_json(self, ctx, args):
                raise  # click prints the usage and the error, exit 2
            self._fail(ctx, args, exc.format_message(), exc.format_message(), None, None)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except RecallError as exc:
            self._fail(ctx, args, str(exc), exc.message, exc.path, exc.line)
        except KeyboardInterrupt:
            echo("recall: interrupted", err=True)
            ctx.exit(130)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            message = str(exc.strerror or exc)
            path = None if exc.filename is None else str(exc.filename)
            self._fail(ctx, args, f"{where}{message}", message, path, None)
        except RecursionError:
            message = "input nested too deeply to read (lists or tables inside each other)"
            self._fail(ctx, args, message, message, None, None)
        except Exception as exc:
            sqlite3 = sys.modules.get("sqlite3")
            if sqlite3 is None or not isinstance(exc, sqlite3.Error):
                raise
            from recall.errors import sqlite_message

            db = str(_opened[0]) if _opened else None
            message = sqlite_message(exc, db) if db else sqlite_message(exc)
            text = f"{db}: {message}" if db else message
            self._fail(ctx, args, text, message, db, None)
        _finished()
        return result

    def _fail(
        self,
        ctx: click.Context,
        args: list[str],
        text: str,
        message: str,
        path: str | None,
        line: int | None,
    ) -> None:
        if _wants_json(self, ctx, args):
            error: dict[str, Any] = {"error": message}
            if path is not None:
                error["file"] = path
            if line is not None:
                error["line"] = line
            echo_json(error, indent=None)
        else:
            echo(f"recall: error: {text}", err=True)
        ctx.exit(2)


def _wants_json(group: click.Group, ctx: click.Context, args: list[str]) -> bool:
    """Whether the command that failed was asked for ``--json`` (and has the option)."""
    if not args:
        return False
    command = group.get_command(ctx, args[0])
    options = {o for p in getattr(command, "params", []) for o in getattr(p, "opts", [])}
    given = args[1 : args.index("--")] if "--" in args else args[1:]
    return "--json" in options and "--json" in given


def _quiet_after_broken_pipe() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush of what is still
    buffered cannot fail again on the closed pipe (Python's own advice for SIGPIPE)."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # not a real file descriptor (a test runner's capture): nothing to flush
    finally:
        os.close(devnull)


def echo(message: object = "", *, err: bool = False, nl: bool = True, **style: Any) -> None:
    """``click.echo`` for text that may hold a lesson's, a deck's or a file's words: every
    character that would steer the terminal is shown as U+FFFD (errors are kept to one
    line); ``style`` (``bold=True``, ``fg=...``) is applied after, to the safe text."""
    from recall.text import terminal_safe

    text = terminal_safe(str(message), one_line=err)
    click.echo(click.style(text, **style) if style else text, err=err, nl=nl)


def echo_json(payload: object, indent: int | None = 2) -> None:
    """Print ``payload`` as JSON; characters that steer a terminal are written as escapes."""
    import json

    from recall.text import json_safe

    click.echo(json_safe(json.dumps(payload, indent=indent, ensure_ascii=False)))


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
