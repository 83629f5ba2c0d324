"""Keeping the collection safe: backup, restore, and the integrity check."""

from __future__ import annotations

from pathlib import Path

import click

from recall.cli.common import backup_now, cli, collection_path, db_option, echo, open_collection
from recall.errors import RecallError


@cli.command()
@db_option
def backup(db_path: Path | None) -> None:
    """Back up the collection now (SQLite's online backup; safe while reviewing).

    Backups go to backups/ beside the collection; the newest 10 are kept. recall also
    backs up by itself before a schema upgrade and before `recall optimize` changes anything.
    """
    col = open_collection(db_path)
    echo(f"backed up to {backup_now(col, 'manual')}")


@cli.command()
@click.argument("backup_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--latest", is_flag=True, help="Restore the newest backup.")
@db_option
def restore(backup_file: Path | None, latest: bool, db_path: Path | None) -> None:
    """Restore the collection from a backup; with no BACKUP_FILE, list the backups.

    What the collection held before is backed up first, so a restore can be undone by
    restoring that backup. An unreadable collection is moved aside into backups/.
    """
    from recall.store import backup as bk

    path = collection_path(db_path)
    found = bk.backups(path)
    if backup_file is None and not latest:
        if not found:
            echo(f"no backups yet in {bk.backup_dir(path)}")
        for p in found:
            echo(str(p))
        return
    if backup_file is None:
        if not found:
            raise RecallError("no backups to restore", str(bk.backup_dir(path)))
        backup_file = found[-1]
    from recall.store.restore import restore as put_back

    saved = put_back(path, backup_file)
    echo(f"restored {backup_file}; what was there before is in {saved}")


@cli.command()
@db_option
def check(db_path: Path | None) -> None:
    """Verify the collection: SQLite integrity, and every card's state against its log."""
    from recall.study.replay import verify

    col = open_collection(db_path)
    integrity = col.integrity()
    problems = verify(col)
    echo(f"integrity: {integrity}")
    echo(
        f"cards checked against their review log: {problems.checked}, "
        f"mismatches: {len(problems.mismatches)}"
    )
    for uid, what in problems.mismatches[:20]:
        echo(f"  {uid}: {what}")
    if integrity != "ok" or problems.mismatches:
        raise click.exceptions.Exit(1)
