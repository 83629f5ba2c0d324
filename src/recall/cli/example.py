"""``recall example``: a collection with months of simulated reviews, to try recall on."""

from __future__ import annotations

from pathlib import Path

import click

from recall.cli.common import cli, echo, progress, utc_now
from recall.errors import RecallError


@cli.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--decks", "decks_dir", default="decks", show_default=True,
    type=click.Path(file_okay=False, path_type=Path), help="The deck files to study.",
)  # fmt: skip
@click.option("--days", default=120, show_default=True, type=click.IntRange(7, 3650),
              help="Days of history to simulate, ending yesterday.")  # fmt: skip
@click.option("--seed", default=1, show_default=True, help="Seed of the simulated learner.")
def example(target: Path, decks_dir: Path, days: int, seed: int) -> None:
    """Build an example collection at TARGET with months of simulated reviews.

    A simulated learner studies the deck files in --decks every day (skipping a few) with
    recall's own review session, remembering each card about as FSRS predicts, so `recall
    stats`, the forecast and `recall optimize` have a history to work on from day one:
    `recall stats --db TARGET`. TARGET must not exist yet; your own collection is never
    touched.
    """
    from recall.cli.collection import deck_files
    from recall.deckfile import read_deck
    from recall.store import Collection
    from recall.study.simulate import simulate

    if target.exists():
        raise RecallError("already exists: the example is built in a new file", str(target))
    if not decks_dir.is_dir():
        raise RecallError(
            "no such directory of deck files (make one with `recall generate "
            "examples/lessons`, or pass --decks)",
            str(decks_dir),
        )
    decks = [(read_deck(p), str(p)) for p in deck_files((decks_dir,))]
    now = utc_now()
    col = Collection(target)
    try:
        col.set_setting("new_per_day", 10)
        for deck, file in decks:
            col.add_deck(deck, file, now)
        with progress(days, "Simulating") as bar:
            done = simulate(col, days=days, end=now, seed=seed, progress=bar.update)
    except BaseException:
        col.close()
        for leftover in (target, *target.parent.glob(f"{target.name}-*")):
            leftover.unlink(missing_ok=True)
        raise
    col.close()
    echo(
        f"wrote {target}: {sum(len(d.active) for d, _ in decks)} cards, {done.answers} "
        f"answers on {done.days_studied} of {done.days} days; try `recall stats --db {target}`"
    )
