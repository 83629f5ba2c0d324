"""Typed facts: what cards are generated from.

A fact is small and typed (an acronym, a definition, a labelled point, a set with its
members…) and always carries its :class:`Source`: the lesson file and line, or the fact-sheet
entry and its URL, with an *as of* date where the fact can change. Cards are generated from
facts, never from raw text, so every card can say where its answer comes from.

Fact keys name *what the fact is about* (``acronym:msp``, ``point:way-forward:joint-r-d-in-
recycling``), never its wording: a reworded lesson keeps its keys, and so its cards' ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recall.author.lesson import Item


@dataclass(frozen=True)
class Source:
    """Where a fact comes from. ``text`` is the passage that supports it."""

    ref: str
    text: str
    url: str | None = None
    as_of: str | None = None
    confidence: str = "verified"


@dataclass(frozen=True, kw_only=True)
class Fact:
    """Common to every fact: a key naming what it is about, and its source."""

    key: str
    source: Source
    section: str = "facts"
    topics: tuple[str, ...] = ()
    superseded_by: str | None = None
    prelims: bool = True


@dataclass(frozen=True, kw_only=True)
class Acronym(Fact):
    short: str
    long: str


@dataclass(frozen=True, kw_only=True)
class Definition(Fact):
    term: str
    definition: str
    plural: bool = False


@dataclass(frozen=True, kw_only=True)
class Examples(Fact):
    """``minerals (e.g., Cobalt, Graphite, Nickel)``: a sentence with a list of examples."""

    head: str
    items: tuple[str, ...]
    sentence: str
    span: tuple[int, int]


@dataclass(frozen=True, kw_only=True)
class Point(Fact):
    """A labelled bullet: ``Strategic: Secures the supply of…``."""

    label: str
    name: str
    body: str


@dataclass(frozen=True, kw_only=True)
class ListItem(Fact):
    """An unlabelled bullet of a list section (a challenge, a way-forward item)."""

    text: str
    head: str


@dataclass(frozen=True, kw_only=True)
class Cloze(Fact):
    """A sentence with one salient span (a date, an Article, a count, a name) worth hiding.

    ``category`` says what kind of value the span is (``date``, ``legal``, ``qty:km``,
    ``name:by``): multiple-choice cards draw false options only from the same category."""

    sentence: str
    span: tuple[int, int]
    category: str = ""


@dataclass(frozen=True, kw_only=True)
class Target(Fact):
    """``Net Zero 2070 target``: a named goal and its year."""

    name: str
    year: str
    owner: str | None


@dataclass(frozen=True, kw_only=True)
class Passage(Fact):
    """A whole passage a learner should be able to explain (the direct answer, the news)."""

    question: str
    text: str


@dataclass(frozen=True, kw_only=True)
class LessonList(Fact):
    """The labels or heads of one list section, to be named together."""

    title: str
    entries: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class MemberSet(Fact):
    """A set with its members, and a contrast set of things verifiably *not* in it."""

    name: str
    noun: str
    relation: str
    members: tuple[str, ...]
    contrast: tuple[str, ...] = ()
    contrast_note: str | None = None
    highlight: tuple[str, ...] = ()
    question: str | None = None
    answer: str | None = None


@dataclass(frozen=True, kw_only=True)
class Attribute(Fact):
    """``lithium → uses: cathodes and electrolytes of lithium-ion batteries``."""

    subject: str
    attribute: str
    value: str
    group: str | None = None
    question: str | None = None
    reverse_question: str | None = None
    detail: str | None = None


@dataclass(frozen=True, kw_only=True)
class Event(Fact):
    """Something that happened on a date (``2023-06``, ``2026-02-04``)."""

    what: str
    date: str
    question: str
    place: str | None = None
    detail: str | None = None
    answer: str | None = None


@dataclass(frozen=True, kw_only=True)
class Succession(Fact):
    """``old`` was replaced by ``new`` on ``date``: flags every card that teaches ``old``."""

    old: str
    old_names: tuple[str, ...]
    new: str
    new_long: str | None
    date: str
    detail: str | None = None


@dataclass
class Extraction:
    """The facts found in one lesson, and the Prelims topics it names."""

    facts: list[Fact] = field(default_factory=list)
    topics: list[Item] = field(default_factory=list)
