"""``recall import``: an Anki package into deck files and the collection, all or nothing.

Everything is read and checked first (the package, each deck file it will extend, the media
names); only then is the collection written, in one transaction, then the deck files and the
media, each atomically. A deck file that exists keeps its cards; imported cards it lacks are
added after them. Running it again finds every card and review already there.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from recall.anki.importing import Days, plan
from recall.anki.reader import read_package
from recall.cards import Card
from recall.deckfile import Deck, read_deck, write_deck
from recall.fsio import write_atomic
from recall.settings import steps_text

if TYPE_CHECKING:
    from recall.store import Collection


@dataclass
class Summary:
    decks: int = 0
    cards: int = 0
    cards_added: int = 0
    edits: int = 0
    reviews: int = 0
    reviews_added: int = 0
    unrated: int = 0
    unknown_types: Counter[str] = field(default_factory=Counter)
    media_written: int = 0
    media_dir: Path | None = None
    deck_files: list[Path] = field(default_factory=list)


def import_package(
    path: Path, col: Collection, *, decks_dir: Path, days: Days, now: datetime
) -> Summary:
    """Import the package at ``path`` (see the module's docstring)."""
    package = read_package(path)
    todo = plan(package, col.card_keys(), lambda uid: _card(col, uid), days, now)
    files = []
    for slug, deck in todo.decks.items():
        target = decks_dir / f"{slug}.toml"
        merged = deck
        if target.exists():
            old = read_deck(target)  # a broken file stops the import before anything is written
            have = {c.id for c in old.cards}
            merged = Deck(old.slug, old.title, [*old.cards, *(c for c in deck.cards
                          if c.id not in have)], old.category, old.date, old.lesson)  # fmt: skip
        files.append((target, merged))
    s = days.settings  # the calendar and steps the history was replayed on
    calendar = (s.timezone, s.day_start_hour, steps_text(s.learning_steps),
                steps_text(s.relearning_steps))  # fmt: skip
    counts = col.import_history(
        [(deck, str(target)) for target, deck in files],
        todo.edits,
        todo.histories,
        now,
        calendar,
    )
    for target, deck in files:
        write_deck(deck, target)
    summary = Summary(
        decks=len(files), cards=sum(len(d.cards) for d in todo.decks.values()),
        cards_added=counts.cards_added, edits=counts.cards_edited, reviews=todo.reviews,
        reviews_added=counts.reviews_added, unrated=todo.unrated,
        unknown_types=todo.unknown_types, deck_files=[t for t, _ in files],
    )  # fmt: skip
    if package.media:
        summary.media_dir = col.path.parent / "media"
        for name, data in package.media.items():
            target = summary.media_dir / name
            if not target.exists() or target.read_bytes() != data:
                write_atomic(target, data)
                summary.media_written += 1
    return summary


def _card(col: Collection, uid: str) -> Card | None:
    row = col.card_content(uid)
    if row is None:
        return None
    (_, id_, kind, fact, front, back, options, answer, tags, source, url, as_of) = row[:12]
    return Card(id_, kind, fact or "", front, back, tuple(json.loads(options or "[]")),
                answer or "", tuple(json.loads(tags or "[]")), source or "", url or "",
                as_of or "")  # fmt: skip
