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
        if not d.cards:
            raise RecallError(f"deck {d.slug!r} has no cards to export")
    total = sum(len(d.cards) for d in decks)
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
    echo(f"wrote {output}: {total} notes in {len(decks)} deck(s){extra}: {names}")


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
        decks = [ex.from_deck_file(read_deck(p), p.stat().st_mtime) for p in files]
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
