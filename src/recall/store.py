"""The collection: one SQLite file, and the only module that speaks SQL.

Opened through sqlite-utils; the schema is created and evolved with
``sqlite_utils.Migrations``; WAL mode and a busy timeout let a second process wait instead of
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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

from recall.cards import Card
from recall.deck import Deck
from recall.errors import RecallError
from recall.schedule import Memory, Rating, Settings, State

BUSY_TIMEOUT_MS = 5000
MIGRATIONS = Migrations("recall")
_SETTINGS_KEYS = tuple(Settings.__dataclass_fields__)


@MIGRATIONS()
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
    db.table("cards").create_index(["retired", "suspended", "state", "due"])
    db.table("cards").create_index(["deck", "fact"])
    db.table("reviews").create_index(["card", "id"])
    db.table("reviews").create_index(["reviewed_at"])


_MEMORY_COLUMNS = (
    ("state", int), ("step", int), ("stability", float), ("difficulty", float),
    ("due", str), ("last_review", str), ("reps", int), ("lapses", int),
)  # fmt: skip


def ts(instant: datetime) -> str:
    """A UTC instant as sortable text: ``2026-11-25T06:30:00.000000Z``."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(text: str | None) -> datetime | None:
    return (
        None
        if text is None
        else datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    )


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

    @property
    def sibling_key(self) -> str:
        return f"{self.deck}\x1f{self.fact}" if self.fact else self.uid


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
        self.db = _open(path)
        self._settings: Settings | None = None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """A write transaction that holds the write lock from its first statement.

        A plain BEGIN would read first and upgrade later, and in WAL mode that upgrade fails
        at once when another session wrote in between. BEGIN IMMEDIATE waits (up to the busy
        timeout) for the lock instead; ``db.atomic()`` inside it rolls back on any error.
        """
        conn = self.db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _busy(exc, self.path) from None
        try:
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
            stored = {r["key"]: json.loads(r["value"]) for r in self.db.table("config").rows}
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
            r["id"]: r for r in self.db.query("select * from cards where deck = ?", [deck.slug])
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
                         "lapses": 0, "added_at": stamp},
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
        return list(self.db.query(sql))

    def find_deck(self, name: str) -> str:
        """A deck slug from its slug, title, or an unambiguous prefix of either."""
        decks = list(self.db.query("select slug, title from decks"))
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

    def card(self, uid: str) -> Row:
        rows = list(self.db.query("select * from cards where uid = ?", [uid]))
        if not rows:
            raise RecallError(f"no such card: {uid}")
        return _row(rows[0])

    def find_card(self, ref: str) -> Row:
        """A card by uid (``deck:id``) or by its deck-file id when that is unique."""
        rows = list(self.db.query("select * from cards where uid = ? or id = ?", [ref, ref]))
        if len(rows) != 1:
            raise RecallError(f"{'no such card' if not rows else 'several cards have id'}: {ref}")
        return _row(rows[0])

    def cards(
        self,
        where: str = "1",
        params: Iterable[Any] = (),
        order: str = "deck, position",
        limit: int | None = None,
    ) -> list[Row]:
        sql = f"select * from cards where {where} order by {order}" + (
            f" limit {int(limit)}" if limit is not None else ""
        )
        return [_row(r) for r in self.db.query(sql, list(params))]

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
    ) -> int:
        """Store one answer: the card's new memory and its log row, in one transaction.

        The card's memory is read inside the transaction (which takes the write lock at
        once), so an answer given in another session a moment ago is built upon, never lost.
        """
        with self._write():
            rows = list(self.db.query("select * from cards where uid = ?", [uid]))
            if not rows:
                raise RecallError(f"no such card: {uid}")
            before = memory_from(rows[0])
            after, elapsed_days = schedule(before)
            self.db.table("cards").update(uid, _memory_columns(after))
            table = self.db.table("reviews")
            table.insert(
                {"card": uid, "rating": int(rating), "reviewed_at": ts(now),
                 "duration_ms": duration_ms, "elapsed_days": elapsed_days,
                 **_memory_columns(before, "_before"), **_memory_columns(after, "_after")},
            )  # fmt: skip
            return int(table.last_pk)  # type: ignore[arg-type]

    def undo(self, review_id: int) -> Row:
        """Take back one answer: delete its log row and restore the card exactly as before."""
        rows = list(self.db.query("select * from reviews where id = ?", [review_id]))
        if not rows:
            raise RecallError("nothing to undo")
        log = rows[0]
        later = self.db.execute(
            "select count(*) from reviews where card = ? and id > ?", [log["card"], review_id]
        ).fetchone()[0]
        if later:
            raise RecallError("that card was answered again since; undo the later answer first")
        before = {name: log[f"{name}_before"] for name, _ in _MEMORY_COLUMNS}
        with self._write():
            self.db.table("cards").update(log["card"], before)
            self.db.execute("delete from reviews where id = ?", [review_id])
        return self.card(log["card"])

    def log(self, uid: str) -> list[dict[str, Any]]:
        return list(self.db.query("select * from reviews where card = ? order by id", [uid]))

    def all_logs(self) -> Iterator[dict[str, Any]]:
        yield from self.db.query("select * from reviews order by card, id")

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
        return list(self.db.query(sql, params))

    def integrity(self) -> str:
        return str(self.db.execute("pragma integrity_check").fetchone()[0])


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


def _row(r: dict[str, Any]) -> Row:
    return Row(
        uid=r["uid"], deck=r["deck"], id=r["id"], position=r["position"], kind=r["kind"],
        fact=r["fact"] or "", front=r["front"], back=r["back"],
        options=tuple(json.loads(r["options"] or "[]")), answer=r["answer"] or "",
        memory=memory_from(r), suspended=bool(r["suspended"]), buried_until=r["buried_until"],
        retired=bool(r["retired"]),
    )  # fmt: skip


def _open(path: Path) -> Database:
    """Open (or create) a collection, refusing files that are not, or not yet, ours."""
    name = str(path)
    if path.exists():
        if path.is_dir():
            raise RecallError("is a directory, not a collection file", name)
        with path.open("rb") as fh:
            header = fh.read(16)
        if header and header != b"SQLite format 3\x00":
            raise RecallError("not a recall collection (not an SQLite file)", name)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        db = Database(conn)
        db.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("pragma foreign_keys = on")
        if db.execute("pragma journal_mode").fetchone()[0] != "wal":
            db.enable_wal()
        known = {m.name for m in MIGRATIONS._migrations}
        applied = {m.name for m in MIGRATIONS.applied(db)}
        newer = sorted(applied - known)
        if newer:
            raise RecallError(
                f"this collection was written by a newer recall (schema {newer[-1]}); "
                "upgrade recall to open it",
                name,
            )
        if db.table_names() and "cards" in db.table_names() and not applied:
            raise RecallError("not a recall collection (unknown tables)", name)
        if MIGRATIONS.pending(db):
            MIGRATIONS.apply(db)
        db.execute("select count(*) from cards").fetchone()
    except sqlite3.OperationalError as exc:
        raise _busy(exc, path) from None
    except sqlite3.DatabaseError as exc:
        raise RecallError(f"collection is damaged or not SQLite ({exc})", name) from None
    return db


def _busy(exc: sqlite3.OperationalError, path: Path) -> RecallError:
    if "locked" in str(exc) or "busy" in str(exc):
        return RecallError(
            f"collection is busy: another recall is writing to it, and it stayed busy for "
            f"{BUSY_TIMEOUT_MS / 1000:g} s; try again",
            str(path),
        )
    return RecallError(f"cannot open collection: {exc}", str(path))
