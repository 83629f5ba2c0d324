"""The collection: one SQLite file, and the only module that speaks SQL.

The schema is created and evolved with ``sqlite_utils.Migrations`` and writes go through
sqlite-utils' tables inside ``db.atomic()``; reads that run on every start-up or key press
(today's queue, an answer) use the connection directly, and sqlite-utils is imported only
when something writes or migrates — it costs more to import (80 ms) than ``recall due``
costs to run. WAL mode and a busy timeout let a second process wait instead of
failing; every write happens inside ``db.atomic()``. The review log is append-only — the one
exception is undo of the last answer, which removes exactly that row — and it is the source
of truth: each row holds the rating, the UTC instant, the duration and the card's state before
and after, so a card's state can always be rebuilt from it (``recall check``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recall.errors import RecallError
from recall.memory import Memory, Rating, State
from recall.settings import Settings

if TYPE_CHECKING:
    from sqlite_utils import Database, Migrations

    from recall.cards import Card
    from recall.deckfile import Deck

BUSY_TIMEOUT_MS = 5000
MIGRATION_SET = "recall"
# The names registered in migrations(), in order: an up-to-date file is recognised from these
# alone, without importing sqlite-utils (a test keeps the two in step).
MIGRATION_NAMES = ("m001_initial", "m002_changed_at", "m003_parameters", "m004_log_in_time_order")
_SETTINGS_KEYS = tuple(Settings.__dataclass_fields__)
#: Log pages a review session may gather before SQLite itself folds them into the file
#: (40 MB, well over a thousand answers): the backstop to :meth:`Collection.fold_log`.
SESSION_LOG_PAGES = 10_000


@cache
def migrations() -> Migrations:
    """recall's schema history, as ``sqlite_utils.Migrations``: add a function, never edit one."""
    from sqlite_utils import Migrations

    history = Migrations(MIGRATION_SET)
    history()(m001_initial)
    history()(m002_changed_at)
    history()(m003_parameters)
    history()(m004_log_in_time_order)
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
        f"{name}_{when}": kind for when in ("before", "after") for name, kind in _MEMORY_COLUMNS
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
        f"{name}_{when}": kind for when in ("before", "after") for name, kind in _MEMORY_COLUMNS
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


_MEMORY_COLUMNS = (
    ("state", int), ("step", int), ("stability", float), ("difficulty", float),
    ("due", str), ("last_review", str), ("reps", int), ("lapses", int),
)  # fmt: skip


_MEMORY_NAMES = tuple(name for name, _ in _MEMORY_COLUMNS)
# The answer path runs once per key press: prepared statements, no introspection. It finds
# its card by rowid (the queue read it from the index it walked, so no second B-tree is
# searched) and checks the uid too, since a VACUUM may renumber rowids.
_READ_MEMORY = f"select rowid, {', '.join(_MEMORY_NAMES)} from cards"
_SELECT_MEMORY_AT = f"{_READ_MEMORY} where rowid = ? and uid = ?"
_SELECT_MEMORY_BY_UID = f"{_READ_MEMORY} where uid = ?"
_SET_MEMORY = f"update cards set {', '.join(f'{n} = ?' for n in _MEMORY_NAMES)}"
# Most answers leave the state as it was (a review stays a review). Leaving the column out
# of the statement lets SQLite skip the new-card index, which holds state but not due: one
# page fewer to read and to write to the log per answer on a collection too big to cache.
_SET_MEMORY_SAME_STATE = f"update cards set {', '.join(f'{n} = ?' for n in _MEMORY_NAMES[1:])}"
_UPDATE_MEMORY = f"{_SET_MEMORY} where uid = ?"
_UPDATE_MEMORY_AT = f"{_SET_MEMORY} where rowid = ?"
_UPDATE_MEMORY_SAME_STATE = f"{_SET_MEMORY_SAME_STATE} where rowid = ?"
_UPDATE_MEMORY_SAME_STATE_BY_UID = f"{_SET_MEMORY_SAME_STATE} where uid = ?"
_BEFORE_AFTER = (*(f"{n}_before" for n in _MEMORY_NAMES), *(f"{n}_after" for n in _MEMORY_NAMES))


def _insert(table: str, *names: str) -> str:
    return f"insert into {table} ({', '.join(names)}) values ({', '.join('?' * len(names))})"


_INSERT_REVIEW = _insert(
    "reviews", "card", "rating", "reviewed_at", "duration_ms", "elapsed_days", *_BEFORE_AFTER
)
_INSERT_RESCHEDULE = _insert("reschedules", "change", "card", "at", *_BEFORE_AFTER)


def ts(instant: datetime) -> str:
    """A UTC instant as sortable text: ``2026-11-25T06:30:00.000000Z``."""
    return instant.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def parse_ts(text: str | None) -> datetime | None:
    """The inverse of :func:`ts` (``fromisoformat`` reads the ``Z``, ten times faster)."""
    return None if text is None else datetime.fromisoformat(text)


@dataclass(frozen=True)
class Row:
    """A card in the collection: what it shows and its scheduling memory."""

    uid: str
    deck: str
    id: str
    position: int
    kind: str
    fact: str
    front: str
    back: str
    options: tuple[str, ...]
    answer: str
    memory: Memory
    suspended: bool = False
    buried_until: str | None = None
    retired: bool = False
    rowid: int = 0  # SQLite's key for the row: a shortcut for the answer, never an identity

    @property
    def sibling_key(self) -> str:
        return f"{self.deck}\x1f{self.fact}" if self.fact else self.uid


@dataclass(frozen=True, slots=True)
class Entry:
    """A card's place in today's queue: enough to order it and keep siblings apart.

    The queue holds hundreds of these; the full :class:`Row` is read only for the card on
    screen, which keeps the first card of a session quick on a lifetime collection. The
    sibling key is worked out once here: the session filters the queue by it per answer.
    """

    uid: str
    deck: str
    fact: str
    position: int
    rowid: int = 0
    sibling_key: str = field(init=False)

    def __post_init__(self) -> None:
        key = f"{self.deck}\x1f{self.fact}" if self.fact else self.uid
        object.__setattr__(self, "sibling_key", key)


@dataclass
class AddReport:
    """What ``recall add`` did to one deck: card uids per outcome."""

    deck: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    restored: int = 0


class Collection:
    """An open collection file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = _open(path)
        self._db: Database | None = None
        self._settings: Settings | None = None

    @property
    def db(self) -> Database:
        """The connection wrapped by sqlite-utils, for writes and migrations."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    def close(self) -> None:
        self.conn.close()

    def defer_checkpoints(self) -> None:
        """Leave folding the write-ahead log into the file to :meth:`fold_log`.

        SQLite copies the log into the collection file every 1,000 pages by default, with an
        fsync of the file: on a lifetime collection a pause of 20-200 ms, felt by whichever
        answer crossed the line. A review session folds the log in while the learner reads
        a card instead (:meth:`Session.idle`); SQLite's own checkpoint stays as a backstop
        at :data:`SESSION_LOG_PAGES`, and closing the collection folds in the rest.
        """
        self.conn.execute(f"pragma wal_autocheckpoint = {SESSION_LOG_PAGES}")

    def fold_log(self) -> None:
        """Copy the write-ahead log into the collection file and sync both, without waiting
        for other sessions (a passive checkpoint). With ``synchronous=NORMAL`` this is the
        moment answers become safe from an operating-system crash, not only a killed
        process."""
        self.conn.execute("pragma wal_checkpoint(passive)").fetchall()

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return list(self._rows(sql, params))

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows as dicts, one at a time (a lifetime's log does not fit comfortably in a list)."""
        cursor = self.conn.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    @contextmanager
    def _keys_unchecked(self) -> Iterator[None]:
        """Foreign keys unchecked for the transaction inside (the pragma cannot change within
        one). For the answer only: its log row's card is read in the same transaction, so
        SQLite's own check (a search of the uid index, one or two disk reads per answer on a
        collection too big to cache) proves nothing more."""
        self.conn.execute("pragma foreign_keys = off")
        try:
            yield
        finally:
            self.conn.execute("pragma foreign_keys = on")

    @contextmanager
    def _write(self, *, raw: bool = False) -> Iterator[None]:
        """A write transaction that holds the write lock from its first statement.

        A plain BEGIN would read first and upgrade later, and in WAL mode that upgrade fails
        at once when another session wrote in between. BEGIN IMMEDIATE waits (up to the busy
        timeout) for the lock instead; ``db.atomic()`` inside it lets sqlite-utils calls nest.
        ``raw`` leaves that savepoint out, for the answer path, which runs only prepared
        statements of its own; any error rolls back either way.
        """
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _busy(exc, self.path) from None
        try:
            if raw:
                yield
            else:
                with self.db.atomic():
                    yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    # -- settings ---------------------------------------------------------------------------

    def settings(self) -> Settings:
        if self._settings is None:
            stored = {
                k: json.loads(v) for k, v in self.conn.execute("select key, value from config")
            }
            values: dict[str, Any] = {
                k: tuple(v) if isinstance(v, list) else v
                for k, v in stored.items()
                if k in _SETTINGS_KEYS
            }
            self._settings = Settings(**values)
        return self._settings

    def set_setting(self, key: str, value: Any) -> None:
        if key not in _SETTINGS_KEYS:
            raise RecallError(f"unknown setting {key!r}; see `recall config`")
        with self._write():
            self.db.table("config").upsert({"key": key, "value": json.dumps(value)}, pk="key")
        self._settings = None

    # -- decks ------------------------------------------------------------------------------

    def add_deck(self, deck: Deck, file: str, now: datetime) -> AddReport:
        """Load a deck file: insert new cards, update changed text, retire what left the deck.

        Scheduling and history are never touched, so running it twice changes nothing.
        """
        report = AddReport(deck=deck.slug)
        stamp = ts(now)
        existing = {
            r["id"]: r for r in self._query("select * from cards where deck = ?", [deck.slug])
        }
        with self._write():
            self.db.table("decks").upsert(
                {"slug": deck.slug, "title": deck.title, "category": deck.category,
                 "date": deck.date, "lesson": deck.lesson, "file": file, "added_at": stamp},
                pk="slug",
            )  # fmt: skip
            seen: set[str] = set()
            for position, card in enumerate(deck.cards):
                seen.add(card.id)
                text = _card_text(card, position)
                old = existing.get(card.id)
                if old is None:
                    if card.retired:
                        continue
                    self.db.table("cards").insert(
                        {"uid": f"{deck.slug}:{card.id}", "deck": deck.slug, "id": card.id, **text,
                         "retired": 0, "suspended": 0, "state": int(State.New), "reps": 0,
                         "lapses": 0, "added_at": stamp, "changed_at": _changed(card) or stamp},
                    )  # fmt: skip
                    report.added += 1
                    continue
                retired = 1 if card.retired else 0
                changed = {k: v for k, v in text.items() if old[k] != v}
                if retired != old["retired"]:
                    changed["retired"] = retired
                    if retired:
                        report.retired += 1
                    else:
                        report.restored += 1
                if changed:
                    if set(changed) & _SHOWN:
                        # The deck's own stamp when it is newer (so an export from the
                        # collection matches one from the file), else now: an edit by hand
                        # changes the text without touching `changed`.
                        newer = _changed(card)
                        changed["changed_at"] = (
                            newer if newer and newer > (old["changed_at"] or "") else stamp
                        )
                    self.db.table("cards").update(old["uid"], changed)
                    if set(changed) - {"retired", "position"}:
                        report.updated += 1
                    elif "retired" not in changed:
                        report.unchanged += 1
                else:
                    report.unchanged += 1
            for card_id, old in existing.items():
                if card_id not in seen and not old["retired"]:
                    self.db.table("cards").update(old["uid"], {"retired": 1})
                    report.retired += 1
        return report

    def decks(self) -> list[dict[str, Any]]:
        sql = """
            select d.slug, d.title, d.category,
                   sum(c.retired = 0) as cards, sum(c.retired = 0 and c.state = 0) as new,
                   sum(c.retired = 0 and c.suspended = 1) as suspended
            from decks d left join cards c on c.deck = d.slug
            group by d.slug order by d.slug
        """
        return list(self._query(sql))

    def deck_titles(self) -> dict[str, str]:
        """Slug → title for every deck (cheap: no card counts)."""
        return dict(self.conn.execute("select slug, title from decks"))

    def next_due(self, after: datetime | None = None, deck: str | None = None) -> datetime | None:
        """The earliest due instant of a studied, live card (at or after ``after``).

        One indexed lookup per state rather than ``state != 0``, which no index can serve.
        """
        best: str | None = None
        for state in (State.Learning, State.Review, State.Relearning):
            sql = "select min(due) from cards where retired = 0 and suspended = 0 and state = ?"
            params: list[Any] = [int(state)]
            if after is not None:
                sql += " and due >= ?"
                params.append(ts(after))
            if deck:
                sql += " and deck = ?"
                params.append(deck)
            (due,) = self.conn.execute(sql, params).fetchone()
            if due is not None and (best is None or due < best):
                best = due
        return parse_ts(best)

    def find_deck(self, name: str) -> str:
        """A deck slug from its slug, title, or an unambiguous prefix of either."""
        decks = list(self._query("select slug, title from decks"))
        lowered = name.casefold()
        for d in decks:
            if lowered in {d["slug"].casefold(), (d["title"] or "").casefold()}:
                return str(d["slug"])
        matches = [
            d
            for d in decks
            if d["slug"].startswith(lowered) or (d["title"] or "").casefold().startswith(lowered)
        ]
        if len(matches) == 1:
            return str(matches[0]["slug"])
        known = ", ".join(d["slug"] for d in decks) or "none yet: load one with `recall add`"
        what = "matches several decks" if matches else "no such deck"
        raise RecallError(f"{what}: {name!r} (decks: {known})")

    # -- cards ------------------------------------------------------------------------------

    def card(self, uid: str, rowid: int = 0) -> Row:
        """The card ``uid``; ``rowid`` (from a queue :class:`Entry`) finds it with one
        B-tree search instead of two, and is checked against the uid."""
        row = None
        if rowid:
            sql = f"select {_ROW_COLUMNS} from cards where rowid = ? and uid = ?"
            row = self.conn.execute(sql, [rowid, uid]).fetchone()
        if row is None:
            sql = f"select {_ROW_COLUMNS} from cards where uid = ?"
            row = self.conn.execute(sql, [uid]).fetchone()
        if row is None:
            raise RecallError(f"no such card: {uid}")
        return _row_from_tuple(row)

    def find_card(self, ref: str) -> Row:
        """A card by uid (``deck:id``) or by its deck-file id when that is unique."""
        sql = f"select {_ROW_COLUMNS} from cards where uid = ? or id = ?"
        rows = self.conn.execute(sql, [ref, ref]).fetchall()
        if len(rows) != 1:
            raise RecallError(f"{'no such card' if not rows else 'several cards have id'}: {ref}")
        return _row_from_tuple(rows[0])

    def cards(
        self,
        where: str = "1",
        params: Iterable[Any] = (),
        order: str = "deck, position",
        limit: int | None = None,
    ) -> list[Row]:
        sql = f"select {_ROW_COLUMNS} from cards where {where} order by {order}" + (
            f" limit {int(limit)}" if limit is not None else ""
        )
        # Straight from the cursor: building a dict per row first costs more than the query.
        return [_row_from_tuple(t) for t in self.conn.execute(sql, list(params))]

    def entries(
        self, where: str, params: Iterable[Any], order: str, limit: int | None = None
    ) -> list[Entry]:
        """Queue entries for the cards matching ``where`` (see :meth:`cards`)."""
        sql = f"select uid, deck, coalesce(fact, ''), position, rowid from cards where {where}"
        sql += f" order by {order}"
        if limit is not None:
            sql += f" limit {int(limit)}"
        return [Entry(*t) for t in self.conn.execute(sql, list(params))]

    def deck_info(self, slug: str) -> dict[str, Any]:
        return self._query("select * from decks where slug = ?", [slug])[0]

    def export_rows(self, slug: str) -> list[tuple[Any, ...]]:
        """Every live card of a deck in deck order, as tuples of :data:`EXPORT_COLUMNS`
        followed by the memory columns (for ``recall export``)."""
        sql = f"""select {", ".join(EXPORT_COLUMNS)}, {", ".join(_MEMORY_NAMES)} from cards
                  where deck = ? and retired = 0 order by position"""
        return self.conn.execute(sql, [slug]).fetchall()

    def logs_by_card(self, slug: str) -> dict[str, list[tuple[Any, ...]]]:
        """A deck's review log grouped by card, oldest first, as tuples of (reviewed_at in
        UNIX ms, rating, duration_ms, state_before, due_before, state_after, due_after; dues
        in UNIX seconds). SQLite converts the times: a lifetime's log is a million rows."""
        ms = "cast(round((julianday({}) - 2440587.5) * 86400000) as integer)"
        sql = f"""select r.card, {ms.format("r.reviewed_at")}, r.rating, r.duration_ms,
                         r.state_before, {ms.format("r.due_before")} / 1000.0,
                         r.state_after, {ms.format("r.due_after")} / 1000.0
                  from reviews r join cards c on c.uid = r.card
                  where c.deck = ? and c.retired = 0 order by r.id"""
        out: dict[str, list[tuple[Any, ...]]] = {}
        for card, *rest in self.conn.execute(sql, [slug]):
            out.setdefault(card, []).append(tuple(rest))
        return out

    def learning_due(
        self, before: datetime, today: str, deck: str | None = None
    ) -> list[tuple[str, str, int]]:
        """(uid, due, rowid) of live, unburied learning and relearning cards due before ``before``.

        Asked at the start of a session and after each answer that moves a card into or out
        of learning, so it reads three columns, not whole cards.
        """
        sql = """select uid, due, rowid from cards where retired = 0 and suspended = 0
                 and (buried_until is null or buried_until <= ?)
                 and state in (1, 3) and due < ?"""
        params: list[Any] = [today, ts(before)]
        if deck:
            sql += " and deck = ?"
            params.append(deck)
        return self.conn.execute(sql + " order by due", params).fetchall()

    # -- parameters ---------------------------------------------------------------------------

    def review_history(self, deck: str | None = None) -> dict[str, list[tuple[float, int]]]:
        """Every card's answers, oldest first, as (UNIX time, rating): the optimizer's input."""
        sql = """select r.card, (julianday(r.reviewed_at) - 2440587.5) * 86400, r.rating
                 from reviews r"""
        params: list[Any] = []
        if deck:
            sql += " join cards c on c.uid = r.card where c.deck = ?"
            params.append(deck)
        out: dict[str, list[tuple[float, int]]] = {}
        for card, at, rating in self.conn.execute(sql + " order by r.id", params):
            out.setdefault(card, []).append((at, rating))
        return {card: out[card] for card in sorted(out)}  # the fit sees cards in uid order

    def parameter_stack(self) -> list[int | None]:
        """Parameter sets in force, oldest first (None: the defaults); the last is current."""
        sql = "select value from config where key = 'parameter_stack'"
        row = self.conn.execute(sql).fetchone()
        return list(json.loads(row[0])) if row else [None]

    def parameter_set(self, set_id: int) -> dict[str, Any]:
        return self._query("select * from parameter_sets where id = ?", [set_id])[0]

    def change_parameters(
        self,
        parameters: tuple[float, ...],
        memories: dict[str, Memory],
        now: datetime,
        *,
        fit: dict[str, Any] | None = None,
        revert: bool = False,
    ) -> int:
        """Put ``parameters`` in force and reschedule the cards, all in one transaction.

        A new fit becomes a new, dated parameter set on top of the stack; a revert pops the
        stack. Every card whose memory changes gets a reschedule row (before and after), so
        the log still explains its state. Returns the change's id.
        """
        stamp = ts(now)
        stack = self.parameter_stack()
        with self._write():
            if revert:
                stack.pop()
                set_id = stack[-1]
            else:
                sets = self.db.table("parameter_sets")
                sets.insert({"created_at": stamp, "parameters": json.dumps(list(parameters)),
                             "fit": json.dumps(fit or {})})  # fmt: skip
                set_id = int(sets.last_pk)  # type: ignore[arg-type]
                stack.append(set_id)
            change = (
                self.db.table("parameter_changes")
                .insert(
                    {"at": stamp, "parameter_set": set_id, "kind": "revert" if revert else "apply"}
                )
                .last_pk
            )
            config = self.db.table("config")
            config.upsert({"key": "parameters", "value": json.dumps(list(parameters))}, pk="key")
            config.upsert({"key": "parameter_stack", "value": json.dumps(stack)}, pk="key")
            rows = self.conn.execute(f"select uid, {', '.join(_MEMORY_NAMES)} from cards")
            before = {uid: tuple(rest) for uid, *rest in rows}
            updates, same_state, logged = [], [], []
            for uid, memory in memories.items():
                values = _memory_values(memory)
                old = before[uid]
                if values == old:
                    continue
                if values[0] == old[0]:  # (always, for a reschedule): one index fewer to touch
                    same_state.append((*values[1:], uid))
                else:
                    updates.append((*values, uid))
                logged.append((change, uid, stamp, *old, *values))
            # A few statements for all the cards, not two per card (a lifetime is 1M cards).
            self.conn.executemany(_UPDATE_MEMORY_SAME_STATE_BY_UID, same_state)
            self.conn.executemany(_UPDATE_MEMORY, updates)
            self.conn.executemany(_INSERT_RESCHEDULE, logged)
        self._settings = None
        return int(change)  # type: ignore[arg-type]

    def reschedules_of(self, change: int) -> dict[str, Memory]:
        """The memory each card had just before parameter change ``change`` rescheduled it."""
        rows = self._query("select * from reschedules where change = ?", [change])
        return {r["card"]: memory_from(r, "_before") for r in rows}

    def last_change(self) -> int | None:
        row = self.conn.execute("select max(id) from parameter_changes").fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def answered_since(self, instant: str) -> set[str]:
        sql = "select distinct card from reviews where reviewed_at > ?"
        return {uid for (uid,) in self.conn.execute(sql, [instant])}

    def change_at(self, change: int) -> str:
        sql = "select at from parameter_changes where id = ?"
        return str(self.conn.execute(sql, [change]).fetchone()[0])

    def all_reschedules(self) -> dict[str, list[tuple[str, Memory]]]:
        """Each card's reschedules, oldest first, as (instant, memory after)."""
        out: dict[str, list[tuple[str, Memory]]] = {}
        for r in self._query("select * from reschedules order by card, id"):
            out.setdefault(r["card"], []).append((r["at"], memory_from(r, "_after")))
        return out

    def set_flags(self, uid: str, **flags: Any) -> None:
        with self._write():
            self.db.table("cards").update(uid, flags)

    # -- answering and the log --------------------------------------------------------------

    def answer(
        self,
        uid: str,
        schedule: Callable[[Memory], tuple[Memory, int]],
        rating: Rating,
        now: datetime,
        duration_ms: int,
        rowid: int = 0,
    ) -> int:
        """Store one answer: the card's new memory and its log row, in one transaction.

        The card's memory is read inside the transaction (which takes the write lock at
        once), so an answer given in another session a moment ago is built upon, never lost.
        ``rowid`` is the card's :attr:`Row.rowid`, a shortcut checked against ``uid``.
        """
        conn = self.conn
        with self._keys_unchecked(), self._write(raw=True):
            found = conn.execute(_SELECT_MEMORY_AT, (rowid, uid)).fetchone() if rowid else None
            if found is None:
                found = conn.execute(_SELECT_MEMORY_BY_UID, (uid,)).fetchone()
                if found is None:
                    raise RecallError(f"no such card: {uid}")
            key, row = found[0], found[1:]
            before = memory_from_tuple(row)
            after, elapsed_days = schedule(before)
            values = _memory_values(after)
            if values[0] == row[0]:
                conn.execute(_UPDATE_MEMORY_SAME_STATE, (*values[1:], key))
            else:
                conn.execute(_UPDATE_MEMORY_AT, (*values, key))
            cursor = conn.execute(
                _INSERT_REVIEW,
                (uid, int(rating), ts(now), duration_ms, elapsed_days, *row, *values),
            )
            return int(cursor.lastrowid or 0)

    def undo(self, review_id: int) -> Row:
        """Take back one answer: delete its log row and restore the card exactly as before."""
        rows = list(self._query("select * from reviews where id = ?", [review_id]))
        if not rows:
            raise RecallError("nothing to undo")
        log = rows[0]
        later = self.conn.execute(
            "select count(*) from reviews where id > ? and card = ?", [review_id, log["card"]]
        ).fetchone()[0]
        if later:
            raise RecallError("that card was answered again since; undo the later answer first")
        before = {name: log[f"{name}_before"] for name, _ in _MEMORY_COLUMNS}
        with self._write():
            self.db.table("cards").update(log["card"], before)
            self.db.execute("delete from reviews where id = ?", [review_id])
        return self.card(log["card"])

    def log(self, uid: str) -> list[dict[str, Any]]:
        """One card's log rows, oldest first: a scan of the whole log (see m004)."""
        return list(self._query("select * from reviews where card = ? order by id", [uid]))

    def all_logs(self) -> Iterator[dict[str, Any]]:
        yield from self._rows("select * from reviews order by card, id")

    # -- counts for the queue and stats -----------------------------------------------------

    def answered_between(
        self, start: datetime, end: datetime, deck: str | None = None
    ) -> list[dict[str, Any]]:
        sql = """
            select r.card, r.rating, r.state_before, r.reviewed_at, r.duration_ms, c.deck, c.fact
            from reviews r join cards c on c.uid = r.card
            where r.reviewed_at >= ? and r.reviewed_at < ?
        """
        params: list[Any] = [ts(start), ts(end)]
        if deck:
            sql += " and c.deck = ?"
            params.append(deck)
        return list(self._query(sql, params))

    def integrity(self) -> str:
        return str(self.conn.execute("pragma integrity_check").fetchone()[0])


EXPORT_COLUMNS = (
    "uid", "id", "kind", "fact", "front", "back", "options", "answer", "tags", "source", "url",
    "as_of", "position", "changed_at", "added_at", "suspended", "buried_until",
)  # fmt: skip
_SHOWN = {"kind", "front", "back", "options", "answer", "tags", "source", "url", "as_of"}


def _changed(card: Card) -> str:
    """A deck file's ``changed`` stamp in the collection's timestamp format ('' if none)."""
    if not card.changed:
        return ""
    try:
        return ts(datetime.fromisoformat(card.changed))
    except ValueError:
        return ""


def _card_text(card: Card, position: int) -> dict[str, Any]:
    return {
        "position": position, "kind": card.kind, "fact": card.fact, "front": card.front,
        "back": card.back, "options": json.dumps(list(card.options), ensure_ascii=False),
        "answer": card.answer, "tags": json.dumps(list(card.tags), ensure_ascii=False),
        "source": card.source, "url": card.url, "as_of": card.as_of, "hash": card.hash,
    }  # fmt: skip


def _memory_columns(m: Memory, suffix: str = "") -> dict[str, Any]:
    return {
        f"state{suffix}": int(m.state), f"step{suffix}": m.step, f"stability{suffix}": m.stability,
        f"difficulty{suffix}": m.difficulty, f"due{suffix}": ts(m.due) if m.due else None,
        f"last_review{suffix}": ts(m.last_review) if m.last_review else None,
        f"reps{suffix}": m.reps, f"lapses{suffix}": m.lapses,
    }  # fmt: skip


def _memory_values(m: Memory) -> tuple[Any, ...]:
    """A memory in column order (:data:`_MEMORY_NAMES`)."""
    return (
        int(m.state), m.step, m.stability, m.difficulty, ts(m.due) if m.due else None,
        ts(m.last_review) if m.last_review else None, m.reps, m.lapses,
    )  # fmt: skip


def memory_from_tuple(t: tuple[Any, ...]) -> Memory:
    state, step, stability, difficulty, due, last_review, reps, lapses = t
    due_at, last_at = parse_ts(due), parse_ts(last_review)
    return Memory(State(state), step, stability, difficulty, due_at, last_at, reps, lapses)


def memory_from(row: dict[str, Any], suffix: str = "") -> Memory:
    return Memory(
        state=State(row[f"state{suffix}"]),
        step=row[f"step{suffix}"],
        stability=row[f"stability{suffix}"],
        difficulty=row[f"difficulty{suffix}"],
        due=parse_ts(row[f"due{suffix}"]),
        last_review=parse_ts(row[f"last_review{suffix}"]),
        reps=row[f"reps{suffix}"],
        lapses=row[f"lapses{suffix}"],
    )


_ROW_COLUMNS = (
    "uid, deck, id, position, kind, fact, front, back, options, answer, suspended, "
    f"buried_until, retired, {', '.join(_MEMORY_NAMES)}, rowid"
)


def _row_from_tuple(t: tuple[Any, ...]) -> Row:
    uid, deck, id_, position, kind, fact, front, back, options, answer = t[:10]
    suspended, buried_until, retired = t[10:13]
    return Row(
        uid, deck, id_, position, kind, fact or "", front, back,
        tuple(json.loads(options)) if options and options != "[]" else (), answer or "",
        memory_from_tuple(t[13:21]), bool(suspended), buried_until, bool(retired), t[21],
    )  # fmt: skip


def _open(path: Path) -> sqlite3.Connection:
    """Open (or create) a collection, refusing files that are not, or not yet, ours."""
    name = str(path)
    if path.exists():
        if path.is_dir():
            raise RecallError("is a directory, not a collection file", name)
        with path.open("rb") as fh:
            header = fh.read(100)
        if header and header[:16] != b"SQLite format 3\x00":
            raise RecallError("not a recall collection (not an SQLite file)", name)
        if _truncated(header, path.stat().st_size):
            raise RecallError("collection is damaged (the file is shorter than it says)", name)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        _prepare(conn, name)
    except BaseException as exc:
        if conn is not None:
            conn.close()  # a refused file keeps no -wal/-shm files beside it
        if isinstance(exc, sqlite3.OperationalError):
            raise _busy(exc, path) from None
        if isinstance(exc, sqlite3.DatabaseError):
            raise RecallError(f"collection is damaged or not SQLite ({exc})", name) from None
        raise
    return conn


def _prepare(conn: sqlite3.Connection, name: str) -> None:
    conn.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("pragma foreign_keys = on")
    # Checked (and brought up to date) before anything else: a file that is not ours, or is
    # a newer recall's, is refused without a byte of it changed.
    if _applied(conn) != set(MIGRATION_NAMES):
        _migrate(conn, name)
    if conn.execute("pragma journal_mode").fetchone()[0] != "wal":
        conn.execute("pragma journal_mode = wal")
    # In WAL mode, NORMAL syncs the log at checkpoints rather than at every commit: a
    # committed answer survives the process being killed (the log is in the OS's hands at
    # COMMIT) and the file can never be corrupted; only an OS crash or power cut may lose the
    # last moments' answers. That trade makes an answer 2-5x cheaper (see benchmarks).
    conn.execute("pragma synchronous = normal")
    # 64 MB of page cache (SQLite's default is 2 MB): a lifetime's collection is gigabytes,
    # and an answer touches a dozen index pages that should still be in memory next time.
    conn.execute("pragma cache_size = -65536")
    conn.execute("select uid from cards limit 1").fetchall()


def check_backup(path: Path) -> str | None:
    """Why ``path`` cannot be restored as a collection, or None if it can."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        if not {"cards", "reviews", "_sqlite_migrations"} <= tables:
            return "not a backup of a recall collection (no recall tables)"
        if con.execute("pragma integrity_check").fetchone()[0] != "ok":
            return "backup is damaged (integrity check failed)"
    except sqlite3.DatabaseError as exc:
        return f"backup is damaged or not SQLite ({exc})"
    finally:
        con.close()
    return None


def _truncated(header: bytes, size: int) -> bool:
    """Whether the file is shorter than its own header's page count (a cut-off copy).

    The count is trusted only when valid (offset 92 equals the change counter at 24), as
    SQLite itself does; checking it costs nothing, unlike reading every page.
    """
    if len(header) < 100:
        return bool(header)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[92:96] == header[24:28]
    return valid and size < pages * page_size


def _applied(conn: sqlite3.Connection) -> set[str]:
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


def _migrate(conn: sqlite3.Connection, name: str) -> None:
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
        from recall.store.backup import take

        take(conn, Path(name), "before-migration")
    history.apply(db)


def _busy(exc: sqlite3.OperationalError, path: Path) -> RecallError:
    if "locked" in str(exc) or "busy" in str(exc):
        return RecallError(
            f"collection is busy: another recall is writing to it, and it stayed busy for "
            f"{BUSY_TIMEOUT_MS / 1000:g} s; try again",
            str(path),
        )
    return RecallError(f"cannot open collection: {exc}", str(path))
