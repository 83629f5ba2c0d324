"""The collection's schema and its history, as ``sqlite_utils.Migrations``.

Add a migration, never edit one: a learner's file carries the names of those applied, and an
up-to-date file is recognised from :data:`MIGRATION_NAMES` alone, without importing
sqlite-utils (a test keeps the two in step). A file with migrations this recall does not know
was written by a newer recall and is refused untouched.
"""

from __future__ import annotations

import sqlite3
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from recall.errors import RecallError
from recall.store.backup import take
from recall.store.rows import MEMORY_COLUMNS_M001

if TYPE_CHECKING:
    from sqlite_utils import Database, Migrations

MIGRATION_SET = "recall"
# The names registered in migrations(), in order: an up-to-date file is recognised from these
# alone, without importing sqlite-utils (a test keeps the two in step).
MIGRATION_NAMES = (
    "m001_initial", "m002_changed_at", "m003_parameters", "m004_log_in_time_order",
    "m005_calendar_in_the_log", "m006_presets",
)  # fmt: skip


@cache
def migrations() -> Migrations:
    """recall's schema history, as ``sqlite_utils.Migrations``: add a function, never edit one."""
    from sqlite_utils import Migrations

    history = Migrations(MIGRATION_SET)
    history()(m001_initial)
    history()(m002_changed_at)
    history()(m003_parameters)
    history()(m004_log_in_time_order)
    history()(m005_calendar_in_the_log)
    history()(m006_presets)
    return history


def m001_initial(db: Database) -> None:
    db.table("decks").create(
        {
            "slug": str,
            "title": str,
            "category": str,
            "date": str,
            "lesson": str,
            "file": str,
            "added_at": str,
        },
        pk="slug",
    )
    db.table("cards").create(
        {
            "uid": str, "deck": str, "id": str, "position": int, "kind": str, "fact": str,
            "front": str, "back": str, "options": str, "answer": str, "tags": str, "source": str,
            "url": str, "as_of": str, "hash": str, "retired": int, "suspended": int,
            "buried_until": str, "state": int, "step": int, "stability": float,
            "difficulty": float, "due": str, "last_review": str, "reps": int, "lapses": int,
            "added_at": str,
        },
        pk="uid",
        foreign_keys=[("deck", "decks", "slug")],
        not_null={"deck", "id", "position", "kind", "front", "back", "state", "reps", "lapses"},
        defaults={"retired": 0, "suspended": 0, "state": 0, "reps": 0, "lapses": 0},
    )  # fmt: skip
    memory = {
        f"{name}_{when}": kind for when in ("before", "after") for name, kind in MEMORY_COLUMNS_M001
    }
    db.table("reviews").create(
        {"id": int, "card": str, "rating": int, "reviewed_at": str, "duration_ms": int,
         "elapsed_days": int, **memory},
        pk="id",
        foreign_keys=[("card", "cards", "uid")],
        not_null={"card", "rating", "reviewed_at"},
    )  # fmt: skip
    db.table("config").create({"key": str, "value": str}, pk="key")
    db.table("cards").create_index(["deck", "position"])
    # Today's queue reads these two in order and stops early: reviews by due instant, new
    # cards in deck order. Without the second, finding the new cards at the end of a
    # lifetime deck would walk every studied card first.
    db.table("cards").create_index(["retired", "suspended", "state", "due"])
    db.table("cards").create_index(["retired", "suspended", "state", "deck", "position"])
    db.table("cards").create_index(["deck", "fact"])
    db.table("reviews").create_index(["card", "id"])
    db.table("reviews").create_index(["reviewed_at"])


def m002_changed_at(db: Database) -> None:
    """When each card's content last changed: an exported note's mod time in Anki."""
    db.table("cards").add_column("changed_at", str)
    db.execute("update cards set changed_at = added_at")


def m003_parameters(db: Database) -> None:
    """Fitted FSRS parameter sets, each change of the set in force, and the reschedules it
    made: with them the log still explains every card's state (``recall check``)."""
    db.table("parameter_sets").create(
        {"id": int, "created_at": str, "parameters": str, "fit": str}, pk="id"
    )
    db.table("parameter_changes").create(
        {"id": int, "at": str, "parameter_set": int, "kind": str}, pk="id",
        foreign_keys=[("parameter_set", "parameter_sets", "id")],
    )  # fmt: skip
    memory = {
        f"{name}_{when}": kind for when in ("before", "after") for name, kind in MEMORY_COLUMNS_M001
    }
    db.table("reschedules").create(
        {"id": int, "change": int, "card": str, "at": str, **memory}, pk="id",
        foreign_keys=[("change", "parameter_changes", "id"), ("card", "cards", "uid")],
    )  # fmt: skip
    db.table("reschedules").create_index(["card", "id"])
    db.table("reschedules").create_index(["change"])


def m004_log_in_time_order(db: Database) -> None:
    """The review log keeps no index by card: it is read in time order.

    That index took every answer's log row into a random place in a B-tree the size of the
    whole log: on a lifetime collection (8M rows) two to four pages read from disk and five
    written per answer, two thirds of an answer's cost. What reads a log by card reads all
    of it (export, optimize, check) and groups rows as they come in time order; undo looks
    only at the rows after its own.
    """
    db.execute("drop index if exists idx_reviews_card_id")


def m005_calendar_in_the_log(db: Database) -> None:
    """Each review row's learner day, zone, day-start hour and steps; each card's scheduled
    days (Anki's ``ivl``, what fuzz may not go below); and the zone "local" resolved to its
    IANA name and stored, so that moving the machine or changing a setting later schedules
    forward without rewriting the past.

    Rows written before this are stamped with the settings in force now, the best record
    there is of what they were answered under.
    """
    from recall.store.calendar import resolve_zone_setting, stamp_old_rows

    db.table("cards").add_column("interval", int)
    for table in ("reviews", "reschedules"):
        db.table(table).add_column("interval_before", int)
        db.table(table).add_column("interval_after", int)
    reviews = db.table("reviews")
    for name, kind in (("day", str), ("zone", str), ("day_start_hour", int),
                       ("learning_steps", str), ("relearning_steps", str)):  # fmt: skip
        reviews.add_column(name, kind)
    resolve_zone_setting(db.conn)
    stamp_old_rows(db.conn)


def m006_presets(db: Database) -> None:
    """Named presets (Anki's deck options) and the deck each is used by; every version of a
    preset's values that an answer was scheduled with, and on each log row the version it
    used, so that changing a preset, or a deck's preset, never rewrites the past.

    A deck with no preset uses the default: the collection's settings. Rows written before
    this record none and are replayed with the collection's settings, as before.
    """
    db.table("presets").create({"name": str, "settings": str}, pk="name")
    db.table("preset_versions").create({"id": int, "name": str, "settings": str}, pk="id")
    db.table("preset_versions").create_index(["name", "settings"], unique=True)
    db.table("decks").add_column("preset", str)
    db.table("reviews").add_column("preset", int)


def applied_migrations(conn: sqlite3.Connection) -> set[str]:
    """recall's migrations recorded in the file (none when it has no migrations table)."""
    try:
        rows = conn.execute(
            "select name from _sqlite_migrations where migration_set = ?", [MIGRATION_SET]
        )
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return set()
        raise
    return {name for (name,) in rows}


def migrate(conn: sqlite3.Connection, name: str) -> None:
    """Bring an older (or new, empty) file up to date; refuse newer or foreign ones."""
    from sqlite_utils import Database

    db = Database(conn)
    history = migrations()
    known = {m.name for m in history._migrations}
    applied = {m.name for m in history.applied(db)}
    newer = sorted(applied - known)
    if newer:
        raise RecallError(
            f"this collection was written by a newer recall (schema {newer[-1]}); "
            "upgrade recall to open it",
            name,
        )
    if "cards" in db.table_names() and not applied:
        raise RecallError("not a recall collection (unknown tables)", name)
    if applied:  # an older recall's file, with the learner's history in it: keep a copy
        take(conn, Path(name), "before-migration")
    history.apply(db)
