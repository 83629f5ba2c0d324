"""The learner's collection: add deck files, list decks, suspend and unsuspend cards."""

from __future__ import annotations

from pathlib import Path

import click

from recall.cli.common import cli, db_option, echo, open_collection, utc_now


@cli.command()
@click.argument("deck_files", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
def add(deck_files: tuple[Path, ...], db_path: Path | None) -> None:
    """Load deck files into the collection (run it again after regenerating a deck).

    New cards are added as new; cards whose text changed are updated and keep their review
    history; cards retired from the deck leave the review queue but keep their history.
    Running it twice changes nothing. Every deck file is read before anything is written.
    """
    from recall.deckfile import check_uids, read_deck

    decks = [(read_deck(p), str(p)) for p in deck_files]
    check_uids(decks)
    col = open_collection(db_path)
    for deck, file in decks:
        r = col.add_deck(deck, file, utc_now())
        echo(
            f"{deck.slug}: {r.added} added, {r.updated} updated, {r.retired} retired"
            + (f", {r.restored} restored" if r.restored else "")
            + f", {r.unchanged} unchanged"
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


@cli.command()
@click.argument("card_ids", nargs=-1, required=True)
@db_option
def suspend(card_ids: tuple[str, ...], db_path: Path | None) -> None:
    """Suspend cards (by id) so they never show until unsuspended."""
    col = open_collection(db_path)
    for ref in card_ids:
        row = col.find_card(ref)
        col.set_flags(row.uid, suspended=1)
        echo(f"suspended {row.uid}")


@cli.command()
@click.argument("card_ids", nargs=-1, required=True)
@db_option
def unsuspend(card_ids: tuple[str, ...], db_path: Path | None) -> None:
    """Unsuspend cards, and unbury them."""
    col = open_collection(db_path)
    for ref in card_ids:
        row = col.find_card(ref)
        col.set_flags(row.uid, suspended=0, buried_until=None)
        echo(f"unsuspended {row.uid}")
