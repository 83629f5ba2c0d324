"""Anki: ``recall export`` writes an .apkg (decks, and optionally their schedules and logs)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from recall.cli.common import cli, db_option, echo, open_collection, progress, utc_now
from recall.errors import RecallError

if TYPE_CHECKING:
    from datetime import datetime


@cli.command()
@click.argument("sources", nargs=-1)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The .apkg file to write.",
)
@click.option(
    "--with-scheduling",
    is_flag=True,
    help="Take each card's FSRS schedule and review log along (from the collection).",
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
@db_option
def export(
    sources: tuple[str, ...], output: Path, with_scheduling: bool, force: bool,
    db_path: Path | None,
) -> None:  # fmt: skip
    """Export decks to an Anki package (.apkg).

    SOURCES are deck names from the collection (all decks when none are given), or deck
    files (decks/*.toml) for a teacher with no collection. Re-importing an updated export
    updates in place the notes whose content changed and leaves the rest, your own edits in
    Anki included, alone. --with-scheduling carries each card's FSRS state and review log.
    """
    from recall.anki import export as ex

    if output.suffix.lower() != ".apkg":
        raise RecallError("the output must be an .apkg file", str(output))
    if output.exists() and not force:
        raise RecallError("already exists; use --force to replace it", str(output))
    if not output.parent.is_dir():
        raise RecallError("no such directory for the output", str(output))
    files = [Path(s) for s in sources if s.endswith(".toml") or Path(s).is_file()]
    if files and len(files) != len(sources):
        raise RecallError("give either deck files or deck names, not both")
    now = utc_now()
    decks, crt = _gather(files, sources, with_scheduling, db_path, now)
    for d in decks:
        if all(c.retired for c in d.cards):
            raise RecallError(f"deck {d.slug!r} has no cards to export")
    total = sum(len(d.cards) for d in decks)
    retired = sum(c.retired for d in decks for c in d.cards)
    with progress(total // 500, "Exporting") as bar:
        count = [0]

        def tick(n: int) -> None:
            count[0] += n
            if count[0] % 500 == 0:
                bar.update(1)

        package = ex.build(decks, crt=crt, progress=tick)
        try:
            ex.write(package, output, now)
        except OSError as exc:
            raise RecallError(f"cannot write: {exc.strerror}", str(output)) from None
    names = ", ".join(d.anki_name for d in decks)
    extra = " with scheduling" if with_scheduling else ""
    echo(
        f"wrote {output}: {total - retired} notes in {len(decks)} deck(s){extra}: {names}"
        + (f"; and {retired} retired, tagged recall::retired and suspended" if retired else "")
    )


def _gather(
    files: list[Path], names: tuple[str, ...], with_scheduling: bool, db_path: Path | None,
    now: datetime,
) -> tuple[list[Any], int]:  # fmt: skip
    """The decks to export, from deck files or the collection, and the package's day zero."""
    from recall.anki import export as ex

    if files:
        from recall.deckfile import read_deck

        if with_scheduling:
            raise RecallError("--with-scheduling needs the collection: `recall add` the decks")
        decks = [ex.from_deck_file(read_deck(p)) for p in files]
        crt = int(now.timestamp()) // 86400 * 86400
    else:
        from recall.study.schedule import Scheduler

        col = open_collection(db_path)
        slugs = [col.find_deck(n) for n in names] or list(col.deck_titles())
        if not slugs:
            raise RecallError("the collection has no decks; load one with `recall add`")
        days = Scheduler(col.settings())
        # Due days in the package count from the start of the learner's today.
        crt = int(days.day_start(days.day(now)).timestamp())
        sched = days if with_scheduling else None
        decks = [ex.from_collection(col, slug, sched=sched, now=now) for slug in slugs]
    return decks, crt


@cli.command(name="import")
@click.argument("package", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--decks",
    "decks_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("decks"),
    show_default=True,
    help="Where the imported decks' files are written.",
)
@db_option
def import_(package: Path, decks_dir: Path, db_path: Path | None) -> None:
    """Import an Anki package (.apkg or .colpkg): notes, scheduling and the whole review log.

    Basic, Basic-and-reversed and Cloze notes and recall's own come in as such; other note
    types as front/back cards of their rendered question and answer (reported). Each answer in
    Anki's review log is replayed on your days, so stats, `recall check` and `recall optimize`
    see your Anki years. Deck files go to --decks, media beside the collection. A note recall
    exported comes back to its card, with your edits in Anki; importing twice changes nothing.
    """
    from recall.anki.imports import import_package
    from recall.study.schedule import Scheduler

    col = open_collection(db_path)
    try:
        summary = import_package(
            package, col, decks_dir=decks_dir, days=Scheduler(col.settings()), now=utc_now()
        )
    finally:
        col.close()
    echo(
        f"imported {package}: {summary.cards} cards in {summary.decks} deck(s), "
        f"{summary.cards_added} new; {summary.reviews} reviews, {summary.reviews_added} new"
        + (f"; {summary.edits} cards edited in Anki" if summary.edits else "")
    )
    for name, count in sorted(summary.unknown_types.items()):
        echo(f"  note type {name!r} is not one recall knows: {count} cards as front/back")
    if summary.unrated:
        echo(f"  {summary.unrated} log entries without a rating (manual reschedules) left out")
    if summary.media_dir is not None:
        echo(f"  media: {summary.media_written} files written to {summary.media_dir}")
