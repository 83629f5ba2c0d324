"""The learner's collection: add deck files, list decks, suspend, unsuspend and bury cards."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from recall.cli.common import cli, db_option, echo, open_collection, utc_now
from recall.errors import RecallError

_LESSON_SUFFIXES = {".txt", ".md", ".markdown", ".text"}


def deck_files(paths: tuple[Path, ...]) -> list[Path]:
    """The deck files given, a directory standing for the *.toml files directly in it
    (``decks/facts/`` holds fact sheets, not decks, and is not entered)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.toml") if p.is_file())
            if not found:
                raise RecallError("no deck files (*.toml) in this directory", str(path))
            out += found
        elif path.suffix.lower() in _LESSON_SUFFIXES:
            raise RecallError(
                f"this is a lesson, not a deck file: make a deck of it with "
                f"`recall generate {path}`, then `recall add` the deck it writes",
                str(path),
            )
        else:
            out.append(path)
    return out


def _read(path: Path) -> Any:
    from recall.deckfile import read_deck

    try:
        return read_deck(path)
    except RecallError as exc:
        if path.suffix.lower() != ".toml" and (exc.message.startswith("TOML error")):
            raise RecallError(
                f"not a deck file ({exc.message}); if it is a lesson, make a deck of it "
                f"with `recall generate {path}`",
                str(path),
                exc.line,
            ) from None
        raise


@cli.command()
@click.argument("deck_paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
def add(deck_paths: tuple[Path, ...], db_path: Path | None) -> None:
    """Load deck files (or directories of them) into the collection; run it again after
    regenerating a deck.

    New cards are added as new; cards whose text changed are updated and keep their review
    history; cards retired from the deck leave the review queue but keep their history.
    Your own edits (`recall edit`) are kept while the deck file's text of that card stays
    the same. Running it twice changes nothing. Every deck file is read before anything is
    written.
    """
    from recall.deckfile import check_uids

    decks = [(_read(p), str(p)) for p in deck_files(deck_paths)]
    check_uids(decks)
    col = open_collection(db_path)
    for deck, file in decks:
        r = col.add_deck(deck, file, utc_now())
        echo(
            f"{deck.slug}: {r.added} added, {r.updated} updated, {r.retired} retired"
            + (f", {r.restored} restored" if r.restored else "")
            + f", {r.unchanged} unchanged"
            + (f"; kept your edits of {r.kept_edits}" if r.kept_edits else "")
            + (
                f"; the deck file changed {r.replaced_edits} card(s) you had edited: "
                "its new text replaced your edit"
                if r.replaced_edits
                else ""
            )
        )


@cli.command()
@db_option
def decks(db_path: Path | None) -> None:
    """List the decks in the collection."""
    col = open_collection(db_path)
    rows = col.decks()
    if not rows:
        echo("No decks yet: load one with `recall add decks/<deck>.toml`.")
    for d in rows:
        extra = f", {d['suspended']} suspended" if d["suspended"] else ""
        echo(f"{d['slug']}  {d['cards'] or 0} cards ({d['new'] or 0} new{extra})  {d['title']}")


def _flag(args: tuple[str, ...], db_path: Path | None, verb: str, **flags: Any) -> None:
    from recall.cli.browse import cards_for
    from recall.study.schedule import Scheduler

    col = open_collection(db_path)
    sched = Scheduler(col.settings())
    now = utc_now()
    rows = cards_for(col, sched, args, now)
    if flags.get("buried_until") == "tomorrow":
        flags["buried_until"] = (sched.day(now) + timedelta(days=1)).isoformat()
    col.set_flags_many([r.uid for r in rows], **flags)
    for r in rows[:20]:
        echo(f"{verb} {r.uid}")
    if len(rows) > 20:
        echo(f"… {verb} {len(rows)} cards in all")


_TAKES = "Takes card ids (as `recall cards` shows them), or a query as `recall cards` reads it."


@cli.command(help=f"Suspend cards so they never show until unsuspended.\n\n{_TAKES}")
@click.argument("cards_", metavar="ID_OR_QUERY...", nargs=-1, required=True)
@db_option
def suspend(cards_: tuple[str, ...], db_path: Path | None) -> None:
    _flag(cards_, db_path, "suspended", suspended=1)


@cli.command(help=f"Unsuspend cards, and unbury them.\n\n{_TAKES}")
@click.argument("cards_", metavar="ID_OR_QUERY...", nargs=-1, required=True)
@db_option
def unsuspend(cards_: tuple[str, ...], db_path: Path | None) -> None:
    _flag(cards_, db_path, "unsuspended", suspended=0, buried_until=None)


@cli.command(help=f"Bury cards until your next day starts.\n\n{_TAKES}")
@click.argument("cards_", metavar="ID_OR_QUERY...", nargs=-1, required=True)
@db_option
def bury(cards_: tuple[str, ...], db_path: Path | None) -> None:
    _flag(cards_, db_path, "buried", buried_until="tomorrow")
