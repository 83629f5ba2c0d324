"""Deck files (``decks/<lesson-slug>.toml``): write, read back exactly, and regenerate.

TOML, because teachers edit these by hand and diff them in review, and because YAML reads
Norway's country code ``NO`` as ``false``. Reading is strict — an unknown field, a missing
id, a duplicate id or an MCQ without four options is an error naming the file and the line of
the offending ``[[card]]`` — so what ``recall add`` loads is exactly what the teacher sees.

Regenerating into an existing file keeps a teacher's edit to any card whose *generated*
content did not change (``hash`` records what was generated), updates cards whose source
changed, and marks cards whose fact disappeared as ``retired`` instead of deleting them, so
review history can follow them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import tomli_w

from recall import __version__
from recall.cards import KINDS, LETTERS, Card
from recall.errors import RecallError, load_toml
from recall.fsio import read_bounded, write_atomic

HEADER = """\
# recall deck, written by `recall generate` from {lesson}.
# Edit any front or back: regenerating keeps your edit unless the lesson changes that card.
# `hash` is what was generated (leave it); `retired` marks cards whose fact is gone;
# `changed` is when a card's content last changed (Anki updates a re-imported note only then).

"""
_CARD_FIELDS = {
    "id", "kind", "fact", "front", "back", "options", "answer", "tags",
    "source", "url", "as_of", "hash", "retired", "changed",
}  # fmt: skip
_DECK_FIELDS = {"slug", "title", "category", "date", "lesson", "generated_by"}
#: A deck file is read whole; 256 MB holds several hundred thousand cards.
MAX_DECK_BYTES = 256 * 1024 * 1024


@dataclass
class Deck:
    """A deck file's contents."""

    slug: str
    title: str
    cards: list[Card]
    category: str | None = None
    date: str | None = None
    lesson: str | None = None

    @property
    def active(self) -> list[Card]:
        return [c for c in self.cards if not c.retired]

    def to_toml(self) -> str:
        meta: dict[str, Any] = {"slug": self.slug, "title": self.title}
        for name in ("category", "date", "lesson"):
            value = getattr(self, name)
            if value:
                meta[name] = value
        meta["generated_by"] = f"recall {__version__}"
        data = {"deck": meta, "card": [c.to_dict() for c in self.cards]}
        # Multi-line strings read best, but TOML readers turn a literal CR LF inside one into
        # LF; a deck whose text holds a carriage return is written with escapes instead.
        texts = (v for c in self.cards for v in (c.front, c.back, c.source, *c.options, *c.tags))
        multiline = not any("\r" in v for v in (self.title, *texts))
        body = dumps(data, multiline=multiline)
        return HEADER.format(lesson=self.lesson or "a lesson") + body


_ESCAPE = re.compile(r'["\\\x00-\x08\x0a-\x1f\x7f]')
_COMPACT = {"\b": "\\b", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def _escape(char: str, multiline: bool) -> str:
    if multiline and char == "\n":
        return "\n"
    return _COMPACT.get(char) or f"\\u{ord(char):04x}"


def _string(text: str, multiline: bool) -> str:
    long = multiline and "\n" in text
    if long:
        text = text.replace("\r\n", "\n")
    if _ESCAPE.search(text):
        text = _ESCAPE.sub(lambda m: _escape(m.group(), long), text)
    return f'"""\n{text}"""' if long else f'"{text}"'


def _value(value: Any, multiline: bool) -> str:
    if isinstance(value, str):
        return _string(value, multiline)
    if not value:
        return "[]"
    return "[\n" + "".join(f"    {_string(v, multiline)},\n" for v in value) + "]"


def dumps(data: dict[str, Any], *, multiline: bool) -> str:
    """``tomli_w.dumps(data, multiline_strings=multiline)`` for a deck's fixed shape.

    tomli-w escapes strings a character at a time, which made it a third of the time
    `recall generate` spends on a lesson. For the shape a deck has (a [deck] table of
    strings and an array of [[card]] tables of strings and string lists) this writes the
    very same text, ten times faster; a test holds it to tomli-w's output, and any other
    shape (or cards short enough for tomli-w to inline) is handed to tomli-w itself.
    """
    cards = data["card"]
    simple = (
        set(data) == {"deck", "card"}
        and all(isinstance(v, str) for v in data["deck"].values())
        and all(
            isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
            for card in cards
            for v in card.values()
        )
    )
    inline = cards and all(
        sum(len(str(v)) + len(k) + 6 for k, v in c.items()) <= 100 for c in cards
    )
    if not simple or inline:
        return tomli_w.dumps(data, multiline_strings=multiline)
    out = ["[deck]\n"]
    out += [f"{k} = {_string(v, multiline)}\n" for k, v in data["deck"].items()]
    for card in cards:
        out.append("\n[[card]]\n")
        out += [f"{k} = {_value(v, multiline)}\n" for k, v in card.items()]
    return "".join(out)


@dataclass
class MergeReport:
    """What regeneration did to an existing deck file, card ids per outcome."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edits: list[str] = field(default_factory=list)
    replaced_edits: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    revived: list[str] = field(default_factory=list)
    hand_written: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.__dict__.items()}


def stamp(now: datetime) -> str:
    """A ``changed`` value: the UTC instant to the second."""
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def merge(old: Deck | None, new: list[Card], now: datetime) -> tuple[list[Card], MergeReport]:
    """Fold freshly generated cards into an existing deck, keeping what must be kept.

    A card's ``changed`` moves to ``now`` only when what it shows changes (or it has none
    yet), so an exported note is newer than the learner's copy exactly when it should be.
    """
    report = MergeReport()
    today, when = now.date(), stamp(now)
    if old is None:
        report.added = [c.id for c in new]
        return [c.but(changed=when) for c in new], report
    previous = {c.id: c for c in old.cards}
    out: list[Card] = []
    for card in new:
        was = previous.get(card.id)
        if was is None:
            out.append(replace(card, changed=when))
            report.added.append(card.id)
            continue
        if was.retired:
            report.revived.append(card.id)
        if was.hash == card.hash:
            # Generated content unchanged: keep the file's version, the teacher's edit included.
            kept = replace(was, retired="", tags=card.tags, source=card.source, url=card.url)
            # A revived card's note was tagged retired: taking the tag off is a change too.
            same = kept.shown() == was.shown() and was.changed and not was.retired
            out.append(kept if same else replace(kept, changed=when))
            (report.kept_edits if was.edited else report.unchanged).append(card.id)
        else:
            out.append(replace(card, changed=when))
            (report.replaced_edits if was.edited else report.changed).append(card.id)
    fresh = {c.id for c in new}
    for card in old.cards:
        if card.id in fresh:
            continue
        if not card.hash:  # written by hand: never retired by the generator
            out.append(card)
            report.hand_written.append(card.id)
        elif card.retired:
            out.append(card)
        else:
            # Stamped: the exported note now carries the retired tag, a change Anki must take.
            out.append(replace(card, retired=today.isoformat(), changed=when))
            report.retired.append(card.id)
    return out, report


def write_deck(deck: Deck, path: Path) -> None:
    """Write a deck file atomically."""
    write_atomic(path, deck.to_toml().encode("utf-8"))


def read_deck(path: Path, display: str | None = None) -> Deck:
    """Read a deck file, refusing anything malformed with the file and line."""
    name = display or str(path)
    data = read_bounded(path, MAX_DECK_BYTES, name, "deck file", "split the deck")
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RecallError("deck file is not UTF-8 text", name) from None
    return parse_deck(raw, name)


def parse_deck(raw: str, name: str) -> Deck:
    """Parse deck-file text (see :func:`read_deck`)."""
    data = load_toml(raw, name)
    meta = data.get("deck")
    if not isinstance(meta, dict):
        raise RecallError("no [deck] table: this is not a recall deck file", name, 1)
    unknown = sorted(set(meta) - _DECK_FIELDS)
    if unknown:
        raise RecallError(f"[deck]: unknown field {unknown[0]!r}", name, _line_of(raw, "[deck]"))
    for required in ("slug", "title"):
        if not isinstance(meta.get(required), str) or not meta[required].strip():
            raise RecallError(f'[deck] needs {required} = "…"', name, _line_of(raw, "[deck]"))
    headers = [
        i for i, ln in enumerate(raw.splitlines(), 1) if re.match(r"\s*\[\[\s*card\s*\]\]", ln)
    ]
    entries = data.get("card", [])
    if not isinstance(entries, list):
        raise RecallError("'card' must be an array of tables: [[card]]", name)
    cards: list[Card] = []
    seen: dict[str, int | None] = {}
    for i, entry in enumerate(entries):
        line = headers[i] if i < len(headers) else None
        card = _card(entry, name, line)
        if card.id in seen:
            raise RecallError(
                f"duplicate card id {card.id!r} (first at line {seen[card.id]})", name, line
            )
        seen[card.id] = line
        cards.append(card)
    return Deck(
        slug=meta["slug"],
        title=meta["title"],
        cards=cards,
        category=_opt_str(meta, "category", name),
        date=_opt_str(meta, "date", name),
        lesson=_opt_str(meta, "lesson", name),
    )


def check_uids(decks: list[tuple[Deck, str]]) -> None:
    """Refuse decks whose cards would share a collection uid (``deck:id``; both may hold
    ``:``, so deck ``a`` card ``b:c`` and deck ``a:b`` card ``c`` collide), before any
    deck is loaded."""
    owner: dict[str, tuple[str, str]] = {}
    for deck, file in decks:
        for card in deck.cards:
            uid = f"{deck.slug}:{card.id}"
            other = owner.setdefault(uid, (deck.slug, file))
            if other[0] != deck.slug:
                raise RecallError(
                    f"card uid {uid!r} is also in deck {other[0]!r} ({other[1]}): rename a "
                    "deck's slug or a card's id",
                    file,
                )


def _opt_str(meta: dict[str, Any], key: str, name: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise RecallError(f"[deck] {key} must be a string", name)
    return value


def _line_of(raw: str, needle: str) -> int | None:
    return next((i for i, ln in enumerate(raw.splitlines(), 1) if needle in ln), None)


def _card(entry: Any, name: str, line: int | None) -> Card:
    def fail(msg: str) -> RecallError:
        return RecallError(msg, name, line)

    if not isinstance(entry, dict):
        raise fail("each [[card]] must be a table")
    unknown = sorted(set(entry) - _CARD_FIELDS)
    if unknown:
        raise fail(f"card: unknown field {unknown[0]!r}")
    cid = entry.get("id")
    if not isinstance(cid, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}", cid):
        raise fail("card needs an id: letters, digits, '_', '.', ':' or '-' (at most 64)")
    kind = entry.get("kind")
    if kind not in KINDS:
        raise fail(f"card {cid}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    _check_fields(entry, cid, kind, fail)
    options = tuple(entry.get("options", []))
    answer = entry.get("answer", "")
    if entry.get("changed"):
        try:  # to UTC as the collection stores it: year 1 at +14:00 is before year 1 in UTC
            datetime.fromisoformat(entry["changed"]).astimezone(UTC)
        except (ValueError, OverflowError):
            msg = f"card {cid}: changed must be a UTC time like 2026-11-25T06:30:00Z"
            raise fail(msg) from None
    if kind == "cloze" and "{{c" not in entry["front"]:
        raise fail(f"card {cid}: a cloze front needs a deletion like {{{{c1::…}}}}")
    return Card(
        id=cid,
        kind=kind,
        fact=entry.get("fact", ""),
        front=entry["front"],
        back=entry["back"],
        options=options,
        answer=answer,
        tags=tuple(entry.get("tags", [])),
        source=entry.get("source", ""),
        url=entry.get("url", ""),
        as_of=entry.get("as_of", ""),
        hash=entry.get("hash", ""),
        retired=entry.get("retired", ""),
        changed=entry.get("changed", ""),
    )


_TEXT_FIELDS = (
    "fact",
    "front",
    "back",
    "answer",
    "source",
    "url",
    "as_of",
    "hash",
    "retired",
    "changed",
)


def _check_fields(
    entry: dict[str, Any], cid: str, kind: str, fail: Callable[[str], RecallError]
) -> None:
    """Each field of its type; a front; four distinct options and a letter on mcq only."""
    for required in ("front", "back"):
        if required not in entry:
            raise fail(f"card {cid} is missing {required!r}")
    for text_field in _TEXT_FIELDS:
        if text_field in entry and not isinstance(entry[text_field], str):
            raise fail(f"card {cid}: {text_field!r} must be a string")
    if not entry["front"].strip():
        raise fail(f"card {cid}: front is empty")
    for list_field in ("options", "tags"):
        value = entry.get(list_field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"card {cid}: {list_field!r} must be a list of strings")
    options, answer = entry.get("options", []), entry.get("answer", "")
    if kind == "mcq":
        if len(options) != 4 or len({o.strip().casefold() for o in options}) != 4:
            raise fail(f"card {cid}: multiple choice needs 4 distinct options")
        if answer not in LETTERS:
            raise fail(f"card {cid}: answer must be one of A, B, C, D")
    elif options or answer:
        raise fail(f"card {cid}: only mcq cards have options and an answer letter")
