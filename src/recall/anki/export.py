"""Anki export: decks to one ``.apkg``, built by genanki — the one module that speaks genanki.

What Anki needs, and how each is met without rewriting genanki's package format:

* **Identity.** A note's guid comes from the deck slug and the card id, so a re-imported deck
  updates its notes in place and two decks with identical text never collide.
* **Updates only where content changed.** Anki replaces a matched note only when the
  package's note is newer. genanki stamps every note with the export time, which overwrites a
  learner's own edits on every re-import; here each note carries the time its *content*
  last changed (``changed`` in the deck file, ``changed_at`` in the collection), passed to
  genanki as that note's timestamp — never a file's modification time, which a mere
  ``touch`` moves.
* **Retired cards go along**, tagged ``recall::retired`` and suspended, stamped newer than
  their last live export, so a learner's Anki shows them with a tag to search for.
* **New cards in deck order.** Each new card's ``due`` is its position.
* **Text stays text.** Every field is escaped HTML; braces become entities, so a lesson can
  never open a template or cloze field; only the generator's own cloze markers survive.
* **The schedule goes along** (``with_scheduling``): :class:`_ScheduledCard` writes its own
  card row (type, queue, due, interval, reps, lapses and Anki's FSRS ``data``: ``s``, ``d``,
  ``dr``, ``decay``, ``lrt``) and its review log. Due days count from the package's creation
  day, which is the learner's day of export; Anki shifts them to its own calendar on import.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import genanki

from recall.anki.notes import CLOZE_MODEL, anki_tags, fields_of
from recall.bulk import no_gc_pauses
from recall.cards import Card
from recall.fsio import default_mode, signals_held, temp_prefix
from recall.memory import Memory, State
from recall.store import memory_from_tuple
from recall.text import stable_hash

if TYPE_CHECKING:
    from recall.deckfile import Deck
    from recall.store import Collection
    from recall.study.schedule import Scheduler

RevlogRow = tuple[int, int, int, int, int, int, int]


@dataclass(frozen=True)
class AnkiState:
    """A card's schedule in Anki's own terms, with its review log rows."""

    type: int
    queue: int
    due: int
    ivl: int
    reps: int
    lapses: int
    left: int
    data: str
    # (id in epoch ms, ease, ivl, last ivl, factor, time ms, type)
    revlog: tuple[RevlogRow, ...] = ()


@dataclass(frozen=True)
class ExportCard:
    """One card to export: its content, place, content-change time and (maybe) schedule."""

    card: Card
    position: int
    changed: int  # epoch seconds: the note's mod time
    state: AnkiState | None = None
    suspended: bool = False
    retired: bool = False


@dataclass(frozen=True)
class ExportDeck:
    slug: str
    title: str
    category: str | None
    cards: Sequence[ExportCard]

    @property
    def anki_name(self) -> str:
        """``UPSC::<Category>::<Title>``; a ``::`` inside a part would make a sub-deck."""
        parts = ["UPSC", *([self.category] if self.category else []), self.title]
        return "::".join(re.sub(r"\s*::\s*", ": ", p).strip() for p in parts)


class _ScheduledCard(genanki.Card):  # type: ignore[misc]
    """A card that writes its own row, with its schedule and review log (genanki writes new
    cards only). Everything else about the note and package stays genanki's."""

    def __init__(
        self, ord: int, state: AnkiState, suspend: bool, revlog: list[tuple[Any, ...]],
        used: set[int],
    ) -> None:  # fmt: skip
        super().__init__(ord, suspend)
        self.state = state
        self.revlog = revlog  # the package's revlog rows, inserted at once by _Package
        self.used = used  # revlog ids taken so far in this package: they must be unique

    def write_to_db(
        self, cursor: Any, timestamp: float, deck_id: int, note_id: int, id_gen: Iterator[int],
        due: int = 0,
    ) -> None:  # fmt: skip
        s = self.state
        card_id = next(id_gen)
        cursor.execute(
            "INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (card_id, note_id, deck_id, self.ord, int(timestamp), -1, s.type,
             -1 if self.suspend else s.queue, s.due, s.ivl, 2500 if s.type else 0, s.reps,
             s.lapses, s.left, 0, 0, 0, s.data),
        )  # fmt: skip
        used, rows = self.used, self.revlog
        for rid, ease, ivl, last, factor, ms, kind in s.revlog:
            while rid in used:  # two reviews in one millisecond: nudge, as Anki does
                rid += 1
            used.add(rid)
            rows.append((rid, card_id, -1, ease, ivl, last, factor, ms, kind))


class _Note(genanki.Note):  # type: ignore[misc]
    """A note stamped with the time its content changed, not the export time."""

    def __init__(self, *, mod: int, scheduled: list[genanki.Card] | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod
        self.scheduled = scheduled

    @property
    def cards(self) -> list[genanki.Card]:
        if self.scheduled is not None:
            return self.scheduled
        return super().cards  # type: ignore[no-any-return]

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
        super().write_to_db(cursor, self.mod, deck_id, id_gen)

    def _check_invalid_html_tags_in_fields(self) -> None:
        """Skipped: every field was escaped by :func:`escape`, so there is nothing to warn of
        (and the check is a tenth of the export's time)."""


class _Package(genanki.Package):  # type: ignore[misc]
    """genanki's package, with the creation time its due days count from and the v2/v3
    scheduler's format declared: without ``schedVer`` Anki reads the review log as the old
    v1 scheduler's, where a learning card's 3 meant Easy, and rewrites the ratings."""

    def __init__(
        self, decks: list[genanki.Deck], crt: int, revlog: list[tuple[Any, ...]], used: set[int]
    ) -> None:
        super().__init__(decks)
        self.crt = crt
        self.revlog, self.used = revlog, used  # filled by the cards as genanki writes them

    def write_to_db(self, cursor: Any, timestamp: float, id_gen: Any) -> None:
        # genanki's working database is a scratch file that is zipped and thrown away: no
        # journal, no syncs, and a cache big enough that the indexes of a lifetime's review
        # log are not re-read from disk for every row (without it the cost grew faster than
        # the log: 10k cards 2 s, 100k 32 s).
        cursor.execute("PRAGMA journal_mode = OFF")
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA cache_size = -262144")
        self.revlog.clear()  # a package written twice starts over
        self.used.clear()
        super().write_to_db(cursor, timestamp, id_gen)
        # One statement for the whole review log, not one per card.
        cursor.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", self.revlog)
        self.revlog.clear()
        (conf,) = cursor.execute("SELECT conf FROM col").fetchone()
        conf = json.loads(conf)
        conf["schedVer"] = 2
        cursor.execute("UPDATE col SET crt = ?, conf = ?", (self.crt, json.dumps(conf)))


def deck_id(name: str) -> int:
    """A stable Anki deck id from the deck's name (Anki matches decks by name on import)."""
    return int(stable_hash("anki-deck", name)[:12], 16) + 1


def build(decks: Sequence[ExportDeck], crt: int, progress: Callable[[int], object]) -> _Package:
    """The package for ``decks``; ``progress`` is told of each card added."""
    with no_gc_pauses():
        return _build(decks, crt, progress)


def _build(decks: Sequence[ExportDeck], crt: int, progress: Callable[[int], object]) -> _Package:
    out = []
    used: set[int] = set()
    revlog: list[tuple[Any, ...]] = []
    for d in decks:
        anki_deck = genanki.Deck(deck_id(d.anki_name), d.anki_name)
        for item in d.cards:
            card = item.card
            model, fields = fields_of(card)
            scheduled: list[genanki.Card] | None = None  # a cloze's cards: genanki counts them
            suspend = item.suspended or item.retired
            if item.state is not None:
                scheduled = [_ScheduledCard(0, item.state, suspend, revlog, used)]
            elif suspend or model is not CLOZE_MODEL:
                scheduled = [genanki.Card(0, suspend=suspend)]
            note = _Note(
                model=model, fields=fields, tags=anki_tags(d.slug, card.tags, item.retired),
                guid=genanki.guid_for(d.slug, card.id), due=item.position, sort_field=fields[0],
                mod=item.changed, scheduled=scheduled,
            )  # fmt: skip
            anki_deck.add_note(note)
            progress(1)
        out.append(anki_deck)
    return _Package(out, crt, revlog, used)


def write(package: _Package, path: Path, now: datetime) -> None:
    """Write the package atomically: genanki writes a temporary file beside ``path``, which is
    fsynced and renamed, so a reader (or a crash) never sees half a package."""
    with signals_held():
        fd, name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=path.parent)
        os.close(fd)
    tmp = Path(name)
    try:
        with no_gc_pauses(), _scratch_beside(tmp):
            package.write_to_file(str(tmp), timestamp=now.timestamp())
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        tmp.chmod(default_mode())
        tmp.replace(path)
    except BaseException:
        with signals_held():
            tmp.unlink(missing_ok=True)
        raise


@contextmanager
def _scratch_beside(tmp: Path) -> Iterator[None]:
    """genanki builds the package's database with a bare ``mkstemp()`` in $TMPDIR and never
    removes it (an uncompressed copy of every export, left behind). Its scratch goes into a
    folder beside the package instead, removed on every way out."""
    with signals_held():
        folder = Path(tempfile.mkdtemp(prefix=temp_prefix(tmp), dir=tmp.parent))
    before, tempfile.tempdir = tempfile.tempdir, str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = before
        with signals_held():  # a signal now would stop the removal half-way
            shutil.rmtree(folder, ignore_errors=True)


@lru_cache(maxsize=4096)
def _strings(text: str | None) -> tuple[str, ...]:
    """A stored JSON list (tags repeat across a deck's cards, hence the cache)."""
    return tuple(json.loads(text)) if text and text != "[]" else ()


def _epoch(text: str | None) -> int | None:
    """Epoch seconds of an ISO instant, or of a bare date's UTC midnight."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())


# -- where the cards come from -------------------------------------------------------------


def from_deck_file(deck: Deck) -> ExportDeck:
    """A deck file's cards, new, in deck order; retired ones last, tagged and suspended.

    A note's stamp is the card's ``changed``: when what it shows last changed. A card edited
    by hand after that (its text differs from what was generated) is stamped one second
    later, so the teacher's edit reaches a learner whose note is untouched since, while a
    learner's own later edit in Anki stays newer and is kept. A file's modification time
    plays no part: touching or rewriting the file must not make old notes look new.
    """
    out = []
    for position, card in enumerate(deck.active):
        out.append(ExportCard(card, position, _stamp(card, deck)))
    for position, card in enumerate((c for c in deck.cards if c.retired), len(out)):
        out.append(ExportCard(card, position, _retired_stamp(card, deck), retired=True))
    return ExportDeck(deck.slug, deck.title, deck.category, out)


def _stamp(card: Card, deck: Deck) -> int:
    base = _epoch(card.changed) or _epoch(deck.date) or 1
    return base + 1 if card.edited else base


def _retired_stamp(card: Card, deck: Deck) -> int:
    """Newer than the card's last live stamp: retirement changes what the note shows (its tag)."""
    return max(_stamp(card, deck), _epoch(card.retired) or 0) + 1


def from_collection(
    col: Collection, slug: str, *, sched: Scheduler | None, now: datetime
) -> ExportDeck:
    """A deck from the collection; with ``sched``, each card's schedule and log go along."""
    with no_gc_pauses():
        return _from_collection(col, slug, sched=sched, now=now)


def _from_collection(
    col: Collection, slug: str, *, sched: Scheduler | None, now: datetime
) -> ExportDeck:
    info = col.deck_info(slug)
    if sched is not None:  # the deck's preset: its retention, steps and parameters
        from recall.study.presets import Presets

        sched = Presets.of(col, sched).sched(slug)
    logs = col.logs_by_card(slug) if sched is not None else {}
    today = sched.day(now) if sched is not None else None
    out = []
    fallback = int(now.timestamp())
    for row in col.export_rows(slug):
        (uid, id_, kind, fact, front, back, options, answer, tags, source, url, as_of, position,
         changed_at, added_at, suspended, buried_until) = row[:17]  # fmt: skip
        card = Card(id_, kind, fact or "", front, back, _strings(options), answer or "",
                    _strings(tags), source or "", url or "", as_of or "")  # fmt: skip
        changed = _epoch(changed_at) or _epoch(added_at) or fallback
        state = None
        if sched is not None and today is not None:
            state = anki_state(memory_from_tuple(row[17:]), logs.get(uid, []), sched, today)
            if state is not None and buried_until and buried_until > today.isoformat():
                state = replace(state, queue=-3)  # buried by the learner until tomorrow
        out.append(ExportCard(card, position, changed, state, bool(suspended)))
    return ExportDeck(slug, info["title"], info["category"], out)


def anki_state(
    memory: Memory, log: Sequence[tuple[Any, ...]], sched: Scheduler, today: date
) -> AnkiState | None:
    """A card's memory as Anki's card columns (None for a new card: it keeps its position)."""
    if memory.state == State.New or memory.due is None or memory.last_review is None:
        return None
    s = sched.settings
    due_day = sched.day(memory.due)
    if memory.state == State.Review:
        kind, queue = 2, 2
        due = (due_day - today).days
        # The interval the answer gave (Anki's ivl), as recorded; counted again with
        # today's day start only for a card that recorded none.
        ivl = memory.interval or max(1, (due_day - sched.day(memory.last_review)).days)
        left = 0
    else:
        kind = 1 if memory.state == State.Learning else 3
        steps = s.learning_steps if kind == 1 else s.relearning_steps
        left = max(1, len(steps) - (memory.step or 0))
        ivl = 0 if kind == 1 else 1
        if due_day <= today:
            queue, due = 1, int(memory.due.timestamp())  # within today: an instant
        else:
            queue, due = 3, (due_day - today).days  # a later day
    data = json.dumps(
        {"s": round(memory.stability or 0.0, 4), "d": round(memory.difficulty or 0.0, 3),
         "dr": s.desired_retention, "decay": s.parameters[20] if len(s.parameters) > 20 else 0.5,
         "lrt": int(memory.last_review.timestamp())},
        separators=(",", ":"),
    )  # fmt: skip
    return AnkiState(kind, queue, due, ivl, memory.reps, memory.lapses, left, data,
                     _revlog(log, sched))  # fmt: skip


_REVLOG_TYPE = {State.New: 0, State.Learning: 0, State.Review: 1, State.Relearning: 2}


def _revlog(log: Sequence[tuple[Any, ...]], sched: Scheduler) -> tuple[RevlogRow, ...]:
    """The review log as Anki's revlog rows (ids are epoch milliseconds).

    ``lastIvl`` is what Anki writes: the interval the previous answer gave (the card's
    interval going into this answer), 0 before the first — not the time left when answered.
    """
    # Learner days of every instant at once: a lifetime's log is millions of them.
    ats = [row[0] / 1000 for row in log]
    days = sched.day_ordinals([*ats, *(row[6] or 0.0 for row in log)])
    n = len(log)
    rows: list[RevlogRow] = []
    last = 0
    for i, row in enumerate(log):
        at_ms, rating, ms, state_before, _due_before, state_after, due_after = row[:7]
        recorded = row[7] if len(row) > 7 else None  # interval_after: what the answer gave
        if state_after == State.Review and recorded:
            after = int(recorded)
        else:
            after = _interval(state_after, due_after, days[n + i], ats[i], days[i])
        rows.append((at_ms, rating, after, last, 0, ms or 0, _REVLOG_TYPE[state_before]))
        last = after
    return tuple(rows)


def _interval(state: int, due: float | None, due_day: int, at: float, at_day: int) -> int:
    """Anki's revlog interval: days for a review card, negative seconds while learning."""
    if due is None or state == State.New:
        return 0
    if state == State.Review:
        return max(1, due_day - at_day)
    return -max(0, int(due - at))
