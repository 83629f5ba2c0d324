"""From an Anki package to recall: which card each Anki card becomes, and its history.

* **Which card.** A note of recall's own note types whose guid is a card in the collection
  comes back to that card (the learner's edits of its fields with it). Basic-like note types
  (first fields *Front* and *Back*) give a basic card, and their second template a reverse
  one; a cloze note gives one cloze card per deletion number; any other note type gives a
  front/back card of its rendered question and answer, and is reported. An imported card's
  id is derived from its note's guid and its template, so importing twice finds it again.
* **Its history.** Each answer in the revlog (ratings 1–4; Anki's manual and rescheduling
  entries carry no rating and are counted, not imported) is replayed through recall's
  scheduler on the learner's days, so stability and difficulty are recall's own reading of
  the log; each row's due is what Anki scheduled, and the card ends where Anki has it due.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Protocol

import genanki

from recall.anki import notes as recall_notes
from recall.anki.reader import Card as AnkiCard
from recall.anki.reader import Note, NoteType, Package, Review
from recall.cards import CLOZE, Card
from recall.deckfile import Deck
from recall.memory import Memory, Rating
from recall.settings import Settings
from recall.store import History, ImportedReview
from recall.text import stable_hash

_RECALL_TYPES = {
    recall_notes.BASIC_MODEL_ID,
    recall_notes.CLOZE_MODEL_ID,
    recall_notes.MCQ_MODEL_ID,
}


class Days(Protocol):
    """What the import needs of :class:`recall.study.schedule.Scheduler`."""

    settings: Settings

    def answer(self, memory: Memory, rating: Rating, now: datetime) -> Memory: ...
    def memory_after(
        self, memory: Memory, rating: Rating, now: datetime, *, due: datetime, interval: int
    ) -> Memory: ...
    def day(self, instant: datetime) -> date: ...
    def day_start(self, day: date) -> datetime: ...
    def days_between(self, earlier: datetime, later: datetime) -> int: ...


@dataclass
class Plan:
    """What an import will write."""

    decks: dict[str, Deck] = field(default_factory=dict)
    histories: list[History] = field(default_factory=list)
    edits: list[tuple[str, Card, datetime]] = field(default_factory=list)
    unknown_types: Counter[str] = field(default_factory=Counter)
    unrated: int = 0  # revlog rows without a rating (manual reschedules, forgets)
    reviews: int = 0


def plan(
    package: Package, existing: Sequence[tuple[str, str, str]],
    current: Callable[[str], Card | None], days: Days, now: datetime,
) -> Plan:  # fmt: skip
    """The decks, cards and histories ``package`` gives; ``existing`` is (uid, deck, id) of
    the collection's cards, ``current`` reads one of them as a :class:`Card`."""
    by_guid = {genanki.guid_for(deck, cid): uid for uid, deck, cid in existing}
    out = Plan()
    ordered = sorted(package.cards, key=lambda c: (c.note, c.ord))
    for anki_card in ordered:
        note = package.notes.get(anki_card.note)
        if note is None:
            continue
        notetype = package.notetypes[note.notetype]
        uid = by_guid.get(note.guid) if note.notetype in _RECALL_TYPES else None
        if uid is not None:
            _edit(out, uid, note, notetype, current(uid))
        else:
            uid = _add_card(out, package, anki_card, note, notetype)
        history = _history(uid, anki_card, package, days, now, out)
        if history is not None:
            out.histories.append(history)
    return out


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return slug[:80] or "anki"


def _add_card(
    out: Plan, package: Package, anki_card: AnkiCard, note: Note, notetype: NoteType
) -> str:
    name = package.decks.get(anki_card.deck, "Anki")
    recall_slug = next((t.split("::", 1)[1] for t in note.tags if t.startswith("recall::")
                        and t != recall_notes.RETIRED_TAG), None)  # fmt: skip
    slug = slugify(recall_slug or name)
    deck = out.decks.get(slug)
    if deck is None:
        parts = name.split("::")
        category = parts[-2] if len(parts) > 1 else None
        deck = out.decks[slug] = Deck(slug, parts[-1], [], category=category)
    card = _card_of(anki_card, note, notetype, out)
    deck.cards.append(card)
    return f"{slug}:{card.id}"


def _card_of(anki_card: AnkiCard, note: Note, notetype: NoteType, out: Plan) -> Card:
    cid = stable_hash("anki", note.guid, str(anki_card.ord))
    tags = tuple(t for t in note.tags if not t.startswith("recall::"))
    fields = dict(zip(notetype.fields, note.fields, strict=False))
    base = Card(cid, "basic", f"anki:{note.guid}", "", "", tags=tags, source=notetype.name)
    if note.notetype in _RECALL_TYPES:
        return _recall_card(base, fields)
    if notetype.cloze:
        first = note.fields[0] if note.fields else ""
        extra = fields.get("Back Extra", note.fields[1] if len(note.fields) > 1 else "")
        return base.but(kind="cloze", front=_one_deletion(text_of(first), anki_card.ord + 1),
                        back=text_of(extra))  # fmt: skip
    if notetype.fields[:2] == ("Front", "Back"):
        front, back = text_of(fields["Front"]), text_of(fields["Back"])
        if anki_card.ord == 1:
            return base.but(kind="reverse", front=back, back=front)
        return base.but(front=front, back=back)
    out.unknown_types[notetype.name] += 1
    question, answer = render(notetype, fields, anki_card.ord)
    return base.but(front=question or "(empty question)", back=answer)


def _recall_card(base: Card, fields: dict[str, str]) -> Card:
    """A note of recall's own types, read back from the fields recall wrote."""
    if "Text" in fields:
        return base.but(kind="cloze", front=text_of(fields["Text"]),
                        back=text_of(fields.get("Back Extra", "")))  # fmt: skip
    if "Question" in fields:
        options = tuple(text_of(fields[k]) for k in "ABCD")
        explanation = text_of(fields.get("Explanation", ""))
        card = base.but(kind="mcq", front=text_of(fields["Question"]), back=explanation,
                        answer=text_of(fields["Answer"]))  # fmt: skip
        return _with_options(card, options)
    return base.but(front=text_of(fields.get("Front", "")), back=text_of(fields.get("Back", "")))


def _with_options(card: Card, options: tuple[str, ...]) -> Card:
    return Card(**{**card.__dict__, "options": options})


def _edit(out: Plan, uid: str, note: Note, notetype: NoteType, card: Card | None) -> None:
    """A learner's edits in Anki of a recall note: each field that differs from what recall
    would export now is taken back; fields left alone keep recall's text."""
    if card is None or any(uid == e[0] for e in out.edits):
        return
    _, exported = recall_notes.fields_of(card)
    names = notetype.fields
    ours = dict(zip(names, exported, strict=False))
    theirs = dict(zip(names, note.fields, strict=False))
    changed = {k for k in names if k in ours and theirs.get(k) != ours[k]}
    if not changed:
        return
    new = card
    simple = {"Front": "front", "Back": "back", "Question": "front", "Explanation": "back",
              "Text": "front", "Back Extra": "back"}  # fmt: skip
    for name in changed:
        if name in simple:
            new = new.but(**{simple[name]: text_of(theirs[name])})
    if changed & set("ABCD"):
        options = tuple(text_of(theirs[k]) if k in changed else o
                        for k, o in zip("ABCD", card.options, strict=False))  # fmt: skip
        new = _with_options(new, options)
    if new != card:
        out.edits.append((uid, new, datetime.fromtimestamp(note.mod, UTC)))


def _history(
    uid: str, card: AnkiCard, package: Package, days: Days, now: datetime, out: Plan
) -> History | None:
    rows = package.reviews.get(card.id, [])
    rated = [r for r in rows if 1 <= r.ease <= 4]
    out.unrated += len(rows) - len(rated)
    out.reviews += len(rated)
    buried = card.queue in (-2, -3)
    tomorrow = (days.day(now) + timedelta(days=1)).isoformat() if buried else None
    if not rated:  # a new card: only its flags
        suspended = card.queue == -1
        return History(uid, [], Memory(), suspended, tomorrow) if suspended or buried else None
    memory, reviews, last = Memory(), [], len(rated) - 1
    for i, row in enumerate(rated):
        at = datetime.fromtimestamp(row.id / 1000, UTC)
        rating = Rating(row.ease)
        due = _final_due(card, package, days) if i == last else _row_due(row, at, days)
        if due is None:  # no due in the row (ivl 0): recall schedules it itself
            after = days.answer(memory, rating, at)
        else:  # Anki's due and interval: only the memory is replayed
            ivl = card.ivl if i == last else row.ivl
            after = days.memory_after(memory, rating, at, due=due, interval=ivl)
        day = days.day(at)
        elapsed = (day - days.day(memory.last_review)).days if memory.last_review else 0
        reviews.append(
            ImportedReview(row.ease, at, max(0, row.time_ms), elapsed, memory, after, _iso(day))
        )
        memory = after
    return History(uid, reviews, memory, suspended=card.queue == -1, buried_until=tomorrow)


@lru_cache(maxsize=65536)
def _iso(day: date) -> str:
    return day.isoformat()


def _row_due(row: Review, at: datetime, days: Days) -> datetime | None:
    """The due Anki gave at this answer: days for a review, seconds for a learning step."""
    if row.ivl > 0:
        return days.day_start(days.day(at) + timedelta(days=row.ivl))
    if row.ivl < 0:
        return at + timedelta(seconds=-row.ivl)
    return None


def _final_due(card: AnkiCard, package: Package, days: Days) -> datetime | None:
    """Where the card is due in Anki now: an epoch second in the intraday learning queue,
    else a day counted from the collection's day zero."""
    if card.type == 0:
        return None
    if card.queue == 1:
        return datetime.fromtimestamp(card.due, UTC)
    zero = days.day(datetime.fromtimestamp(package.crt, UTC))
    return days.day_start(zero + timedelta(days=card.due))


# -- text ------------------------------------------------------------------------------------

_BREAK = re.compile(r"<br\s*/?>|</div>\s*<div[^>]*>|</p>\s*<p[^>]*>", re.I)
_IMG = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)[^>]*>""", re.I)
_TAG = re.compile(r"<[^>]+>")


def text_of(field: str) -> str:
    """An Anki field's HTML as recall's plain text: line breaks kept, a picture named."""
    text = _BREAK.sub("\n", field)
    text = _IMG.sub(lambda m: f"(picture: {html.unescape(m.group(1))})", text)
    text = _TAG.sub("", text)
    return html.unescape(text).replace("\xa0", " ").strip()


def _one_deletion(text: str, number: int) -> str:
    """A cloze note's text as the card for deletion ``number``: that deletion live (as c1),
    the others shown as plain text."""

    def keep(m: re.Match[str]) -> str:
        if int(m.group(1)) != number:
            return m.group(2)
        hint = f"::{m.group(3)}" if m.group(3) else ""
        return f"{{{{c1::{m.group(2)}{hint}}}}}"

    return CLOZE.sub(keep, text)


_SECTION = re.compile(r"\{\{([#^])\s*([^}]+?)\s*\}\}(.*?)\{\{/\s*\2\s*\}\}", re.S)
_FIELD = re.compile(r"\{\{\s*([^#^/}][^}]*?)\s*\}\}")


def render(notetype: NoteType, fields: dict[str, str], ord_: int) -> tuple[str, str]:
    """A note of a type recall does not know, as the question and answer its template shows
    (fields, conditional sections and ``FrontSide``; filters such as ``text:`` read the
    field plainly), in recall's plain text. The answer leaves out the repeated question."""
    if ord_ >= len(notetype.templates):
        ord_ = 0
    if not notetype.templates:
        values = [text_of(v) for v in fields.values()]
        return (values[0] if values else ""), "\n".join(values[1:])
    qfmt, afmt = notetype.templates[ord_]
    question = _fill(qfmt, fields, "")
    answer = _fill(afmt.replace("{{FrontSide}}", "\x00"), fields, "")
    answer = answer.split('<hr id="answer">')[-1].split("<hr id=answer>")[-1]
    return text_of(question), text_of(answer.replace("\x00", ""))


def _fill(template: str, fields: dict[str, str], front: str) -> str:
    def section(m: re.Match[str]) -> str:
        present = bool(_TAG.sub("", fields.get(m.group(2), "")).strip())
        return _fill(m.group(3), fields, front) if present == (m.group(1) == "#") else ""

    text = _SECTION.sub(section, template)
    return _FIELD.sub(lambda m: fields.get(m.group(1).split(":")[-1].strip(), ""), text)
