"""The decks table, and loading a deck file into the collection (``recall add``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from recall.cards import provenance
from recall.errors import RecallError
from recall.memory import State
from recall.store.manage import ManageStore
from recall.store.rows import ts

if TYPE_CHECKING:
    from recall.cards import Card
    from recall.deckfile import Deck


@dataclass
class AddReport:
    """What ``recall add`` did to one deck: card uids per outcome."""

    deck: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    restored: int = 0
    kept_edits: int = 0  # the learner's own edits (``recall edit``) kept over the file's text
    replaced_edits: int = 0  # …and those the file replaced, because it changed that card


class DeckStore(ManageStore):
    """Named queries of the decks table, and loading a deck file into the cards table."""

    def add_deck(self, deck: Deck, file: str, now: datetime) -> AddReport:
        """Load a deck file: insert new cards, update changed text, retire what left the deck.

        Scheduling and history are never touched, so running it twice changes nothing.
        """
        report = AddReport(deck=deck.slug)
        stamp = ts(now)
        # Read inside the write transaction: a second `recall add` of another version of
        # this deck waits for the lock and then sees what the first one wrote, so the result
        # is one order or the other, never a mix of the two.
        with self._write():
            existing = {
                r["id"]: r for r in self._query("select * from cards where deck = ?", [deck.slug])
            }
            edits = self.learner_edits(deck.slug)
            self._refuse_taken_uids(deck, file)
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
                if card.id in edits:
                    text = self._learner_edit(card, old, text, edits[card.id], report)
                self._update_card(card, old, text, stamp, report)
            for card_id, old in existing.items():
                if card_id not in seen and not old["retired"]:
                    self.db.table("cards").update(old["uid"], {"retired": 1})
                    report.retired += 1
        return report

    def _update_card(
        self, card: Card, old: dict[str, Any], text: dict[str, Any], stamp: str, report: AddReport
    ) -> None:
        """Write what changed of a card already in the collection; count it in ``report``.
        Its ``changed_at`` moves only when what a learner sees changed (Anki then updates the
        note on the next import; a new position alone is not a change to them)."""
        retired = 1 if card.retired else 0
        changed = {k: v for k, v in text.items() if old[k] != v}
        if retired != old["retired"]:
            changed["retired"] = retired
            if retired:
                report.retired += 1
            else:
                report.restored += 1
        if not changed:
            report.unchanged += 1
            return
        if _shown_changed(changed, old, card):
            # The deck's own stamp when it is newer (so an export from the collection matches
            # one from the file), else now: an edit by hand changes the text without
            # touching `changed`.
            newer = _changed(card)
            changed["changed_at"] = newer if newer and newer > (old["changed_at"] or "") else stamp
        self.db.table("cards").update(old["uid"], changed)
        if set(changed) - {"retired", "position"}:
            report.updated += 1
        elif "retired" not in changed:
            report.unchanged += 1

    def _learner_edit(
        self, card: Card, old: dict[str, Any], text: dict[str, Any], base: str, report: AddReport
    ) -> dict[str, Any]:
        """The text to store for a card the learner edited: theirs while the deck file still
        says what they edited over, else the file's (and the edit is forgotten)."""
        if card.content_hash() == base:
            report.kept_edits += 1
            return {**text, **{k: old[k] for k in _EDITABLE}}
        report.replaced_edits += 1
        self._drop_edits([old["uid"]])
        return text

    def _refuse_taken_uids(self, deck: Deck, file: str) -> None:
        """A card's uid is ``deck:id``, and both may hold ``:``: deck ``a`` card ``b:c`` and
        deck ``a:b`` card ``c`` would share ``a:b:c``. Refused before a row is written."""
        uids = [f"{deck.slug}:{c.id}" for c in deck.cards]
        for i in range(0, len(uids), 500):
            chunk = uids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            row = self.conn.execute(
                f"select uid, deck from cards where uid in ({marks}) and deck != ? limit 1",
                [*chunk, deck.slug],
            ).fetchone()
            if row:
                raise RecallError(
                    f"card uid {row[0]!r} is already deck {row[1]!r}'s: rename this deck's "
                    "slug or that card's id",
                    file,
                )

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

    def deck_info(self, slug: str) -> dict[str, Any]:
        return self._query("select * from decks where slug = ?", [slug])[0]


_EDITABLE = ("front", "back", "options", "answer")
_SHOWN = {"kind", "front", "back", "options", "answer", "tags", "source", "url", "as_of"}


def _shown_changed(changed: dict[str, Any], old: dict[str, Any], card: Card) -> bool:
    """Whether a change of a card's columns changes what its exported note shows: a source
    whose line number moved (a line added above it in the lesson) shows the same."""
    shown = set(changed) & _SHOWN
    if shown == {"source"}:
        tags = tuple(json.loads(old["tags"] or "[]"))
        return provenance(old["source"] or "", tags) != provenance(card.source, card.tags)
    return bool(shown)


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
