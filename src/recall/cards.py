"""The card model and card identity.

A card's id is derived from *what it asks about* — the deck, the fact key, the card kind and
(for a fact that yields several cards of one kind) the variant — never from its wording, so a
teacher who fixes a typo keeps every learner's review history. Beside the id, ``hash`` holds a
digest of the generated content, which is how regeneration tells a teacher's edit from a
change in the lesson.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from recall.text import stable_hash

KINDS = ("basic", "reverse", "cloze", "mcq")
LETTERS = "ABCD"
CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
_FILE_LINE = re.compile(r"((?:[A-Za-z]:)?[^:#]*\.[A-Za-z0-9]{1,8}):\d+")
_SHEET_KEY = re.compile(r"(?:.*/)?([^/]+\.toml#.+)")


def provenance(source: str, tags: tuple[str, ...] = ()) -> str:
    """Where a card comes from, as a learner may see it: the lesson's file name and section,
    or the fact sheet's key — never a line number or a directory of the teacher's machine.

    Line numbers move whenever a line is added above; a path names someone's home. Both
    would make a note's text (and so its ``changed`` stamp) change when nothing the card
    says did, and Anki would then overwrite the learner's own edit of it.
    """
    path = source.replace("\\", "/")
    lesson = _FILE_LINE.fullmatch(path)
    if lesson is None:  # a fact sheet's ``sheet.toml#key``, or free text: keep it, less dirs
        sheet = _SHEET_KEY.fullmatch(path)
        return sheet.group(1) if sheet else source
    section = next((t.removeprefix("section::") for t in tags if t.startswith("section::")), "")
    ref = lesson.group(1).rsplit("/", 1)[-1]
    return f"{ref} · {section.replace('-', ' ')}" if section else ref


def card_id(deck: str, fact: str, kind: str, variant: str = "") -> str:
    """The identity of a card: stable across rewording, unique across decks."""
    return stable_hash(deck, fact, kind, variant)


@dataclass(frozen=True)
class Card:
    """One card as it stands in a deck file.

    ``answer`` is the correct letter for multiple choice; ``back`` is the answer (basic,
    reverse) or the extra shown after a cloze or MCQ is answered.
    """

    id: str
    kind: str
    fact: str
    front: str
    back: str
    options: tuple[str, ...] = ()
    answer: str = ""
    tags: tuple[str, ...] = ()
    source: str = ""
    url: str = ""
    as_of: str = ""
    hash: str = ""
    retired: str = ""
    changed: str = ""  # UTC instant its content last changed: an exported note's Anki mod time

    def content_hash(self) -> str:
        """Digest of what the learner sees; ids and bookkeeping are left out."""
        return stable_hash(self.kind, self.front, self.back, "\x1e".join(self.options), self.answer)

    def shown(self) -> tuple[object, ...]:
        """Everything an exported note shows: when this changes, so does ``changed``."""
        return (self.kind, self.front, self.back, self.options, self.answer, self.tags,
                provenance(self.source, self.tags), self.url, self.as_of)  # fmt: skip

    def stamped(self) -> Card:
        """This card with ``hash`` set to its current content."""
        return self.but(hash=self.content_hash())

    def but(self, **changes: str) -> Card:
        """A copy with some text fields changed: ``dataclasses.replace`` without re-running
        ``__init__`` (a generator run makes two copies of every card; this is 5x cheaper)."""
        new = object.__new__(Card)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    @property
    def edited(self) -> bool:
        """True when the content differs from what was generated (a teacher's edit)."""
        return bool(self.hash) and self.hash != self.content_hash()

    @property
    def correct_option(self) -> str:
        return (
            self.options[LETTERS.index(self.answer)]
            if self.answer in LETTERS[: len(self.options)]
            else ""
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data in deck-file order, leaving out empty optional fields."""
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "fact": self.fact,
            "front": self.front,
        }
        if self.options:
            out["options"] = list(self.options)
            out["answer"] = self.answer
        out["back"] = self.back
        out["tags"] = list(self.tags)
        for name in ("source", "url", "as_of", "hash", "retired", "changed"):
            value = getattr(self, name)
            if value:
                out[name] = value
        return out


@dataclass
class Draft:
    """A generated card with what the quality rules need to judge it (never written out)."""

    card: Card
    support: str
    answer_text: str
    truths: tuple[bool, ...] = ()
    style: str = ""
    exempt_stem: bool = False
    notes: list[str] = field(default_factory=list)
