"""Fact sheets: curated, sourced facts, and matching them to a lesson's Prelims topics.

A lesson's *Prelims Focus* names topics ("Minerals Security Partnership (MSP) and India's
participation status"), not facts. The facts come from fact sheets: the library that ships
inside recall (``recall/library/*.toml``) and a teacher's own sheets, which add to it and
override a library fact with the same key. Each fact carries its source URLs, the date it is
true *as of* and the day it was *checked* against its sources. Loading and validation live
in :mod:`recall.author.sheetload`; this module holds what was loaded and the matching, which
is by whole words so a teacher can follow it: a line matches a topic when one of the topic's
names occurs in it, and the examples it lists ("e.g., Niobium, Vanadium") pull in the facts
about those things as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from recall.author.facts import Acronym, Attribute, Definition, Fact, Succession
from recall.author.lesson import Item
from recall.text import contains_phrase, fold


@dataclass
class SheetInfo:
    """One loaded sheet: where it is, whether it ships with recall, how many facts it gave."""

    path: str
    library: bool
    title: str = ""
    draft: bool = False
    facts: int = 0
    pending: int = 0  # drafted facts still waiting for source, as_of and checked

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass(frozen=True)
class Record:
    """Where a fact was read, and the sheet fields that are not part of the typed fact."""

    file: str
    line: int | None
    library: bool
    urls: tuple[str, ...]
    checked: str
    as_of: str
    partial: bool = False
    verb: str = "is"
    pair: str | None = None
    note: str | None = None

    @property
    def at(self) -> tuple[str, int | None]:
        return self.file, self.line

    @classmethod
    def of(cls, entry: dict[str, Any], file: str, line: int | None, library: bool) -> Record:
        return cls(
            file=file,
            line=line,
            library=library,
            urls=tuple(dict.fromkeys([entry["source"], *entry.get("sources", [])])),
            checked=entry["checked"],
            as_of=entry["as_of"],
            partial=bool(entry.get("partial", False)),
            verb=entry.get("verb", "is"),
            pair=entry.get("pair") if entry.get("type") == "attribute" else None,
            note=entry.get("note"),
        )


@dataclass(frozen=True)
class Override:
    """A teacher's fact that replaces the library's fact with the same key."""

    key: str
    file: str
    line: int
    library_file: str


@dataclass(frozen=True)
class Pending:
    """A drafted fact that makes no cards until its source, as_of and checked are filled in."""

    key: str
    file: str
    line: int | None
    topics: tuple[str, ...]


@dataclass
class Sheets:
    """All loaded fact sheets: facts by key, topic aliases, and what each fact came with."""

    facts: dict[str, Fact] = field(default_factory=dict)
    topics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pairs: dict[str, str] = field(default_factory=dict)
    verbs: dict[str, str] = field(default_factory=dict)
    partial: set[str] = field(default_factory=set)
    records: dict[str, Record] = field(default_factory=dict)
    files: list[SheetInfo] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)

    def match(self, text: str) -> list[str]:
        """Topic ids whose name or an alias occurs in ``text`` (whole words)."""
        return [t for t, aliases in self.topics.items() if any(_mentions(text, a) for a in aliases)]

    def sheet_of(self, key: str) -> str:
        return _file_name(self.records[key].file)


def load_sheets(
    paths: Iterable[Path] = (), *, library: bool = True, problems: Any = None
) -> Sheets:
    """The shipped library and the teacher's sheets at ``paths``, validated (see sheetload)."""
    from recall.author.sheetload import load

    return load(paths, library=library, problems=problems)


def teacher_sheet_paths(facts: Iterable[Path], out_dir: Path) -> list[Path]:
    """The teacher's sheets: the ``--facts`` paths given, else ``OUT/facts`` if it exists."""
    from recall.author.sheetload import teacher_sheets

    given = list(facts)
    if given:
        return teacher_sheets(given)
    default = out_dir / "facts"
    return teacher_sheets([default]) if default.is_dir() else []


def sheet_files(directory: Path) -> list[Path]:
    """The ``*.toml`` fact sheets in ``directory`` (none if it does not exist)."""
    return sorted(directory.glob("*.toml")) if directory.is_dir() else []


@dataclass
class LineMatch:
    """One *Prelims Focus* line: the topics and examples it matched, the facts, or why none."""

    item: Item
    topics: list[str] = field(default_factory=list)
    examples: dict[str, list[str]] = field(default_factory=dict)  # example → fact keys
    facts: list[str] = field(default_factory=list)
    why: str | None = None


@dataclass
class TopicReport:
    """How a lesson's Prelims topics matched the sheets."""

    matched: dict[str, list[str]] = field(default_factory=dict)  # topic line → topic ids
    unmatched: list[Item] = field(default_factory=list)
    mentioned: list[str] = field(default_factory=list)  # topic ids found in the lesson text
    lines: list[LineMatch] = field(default_factory=list)


def _mentions(text: str, alias: str) -> bool:
    """``alias`` occurs in ``text`` as whole words, and not as the tail of a longer name.

    All-capital aliases (``MSP``) match case-sensitively. Others match in any case, except
    right after a capitalised word that does not begin the sentence: "Amendment Act" in
    "the MMDR Amendment Act" or "critical mineral" in "National Critical Mineral Mission"
    is part of another thing's name.
    """
    if alias.isupper():
        return (
            alias in text and re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text) is not None
        )
    # A substring test first: most aliases are not in most lessons, and the regexes below
    # are compiled per alias (thousands of them, more than re's cache holds).
    if _folded_alias(alias) not in _folded_text(text) or not contains_phrase(text, alias):
        return False
    pattern = r"[\W_]+".join(re.escape(w) for w in re.findall(r"\w+", alias))
    found = list(re.finditer(rf"(?<![\w-]){pattern}(?![\w-])", text, re.IGNORECASE))
    return not found or any(not _inside_name(text, m.start()) for m in found)


@lru_cache(maxsize=256)
def _file_name(path: str) -> str:
    return Path(path).name  # asked for every sibling of every MCQ: Path() is slow


@lru_cache(maxsize=4096)
def _folded_alias(alias: str) -> str:
    return fold(alias)


@lru_cache(maxsize=8)
def _folded_text(text: str) -> str:
    return fold(text)


_WORD_BEFORE = re.compile(r"(\S+)\s+$")
_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "its", "their"}


def _inside_name(text: str, start: int) -> bool:
    m = _WORD_BEFORE.search(text[:start])
    if m is None:
        return False
    word = m.group(1)
    before = text[: m.start()].rstrip()
    opens_sentence = not before or before[-1] in ".:;!?•*-–—(\n"
    return (
        word[:1].isupper()
        and word.strip(".,").isalnum()
        and word.lower() not in _DETERMINERS
        and not opens_sentence
    )


_PAREN_EXAMPLES = re.compile(
    r"\((?:e\.\s?g\.|eg\.|for example|such as|like|including|viz\.?)\s*,?\s*([^()]{2,200}?)\)",
    re.IGNORECASE,
)
_CAP = r"[A-Z][\w'-]*(?:\s+(?:of\s+)?[A-Z][\w'-]*)*"
_INLINE_EXAMPLES = re.compile(
    rf"\b(?:such as|like|including|e\.g\.,?)\s+((?:{_CAP})(?:\s*,\s*(?:and\s+|or\s+)?{_CAP})*)"
)


def line_examples(text: str) -> list[str]:
    """The things a Prelims line gives as examples: "(e.g., Niobium, Vanadium)", "like X and Y"."""
    found: list[str] = []
    for m in [*_PAREN_EXAMPLES.finditer(text), *_INLINE_EXAMPLES.finditer(text)]:
        for part in re.split(r"\s*,\s*|\s+(?:and|or)\s+", m.group(1)):
            part = re.sub(r"^(?:and|or)\s+|[.;:]+$", "", part.strip()).strip()
            if part and part not in found:
                found.append(part)
    return found


def _names(fact: Fact) -> tuple[str, ...]:
    """What a fact is about, by name: an attribute's subject, a defined term, an acronym."""
    if isinstance(fact, Attribute):
        return (fact.subject,)
    if isinstance(fact, Definition):
        return (fact.term,)
    if isinstance(fact, Acronym):
        return (fact.short, fact.long)
    if isinstance(fact, Succession):
        return (fact.old, fact.new)
    return ()


def _match_line(sheets: Sheets, item: Item) -> LineMatch:
    line = LineMatch(item=item, topics=sheets.match(item.text))
    keys = [k for k, f in sheets.facts.items() if set(f.topics) & set(line.topics)]
    examples = line_examples(item.text)
    for example in examples:
        named = [
            k
            for k, f in sheets.facts.items()
            if any(contains_phrase(n, example) for n in _names(f))
        ]
        if named:
            line.examples[example] = named
            keys += [k for k in named if k not in keys]
    line.facts = keys
    if not keys:
        line.why = _why_none(sheets, line, examples)
    return line


def _why_none(sheets: Sheets, line: LineMatch, examples: list[str]) -> str:
    waiting = [p for p in sheets.pending if set(p.topics) & set(line.topics)]
    if waiting:
        where = Path(waiting[0].file).name
        return f"{len(waiting)} drafted fact(s) in {where} wait for source, as_of and checked"
    if line.topics:
        return f"topic {', '.join(line.topics)} has no facts"
    said = "no sheet topic's name or alias occurs in it"
    if examples:
        said += f", and no fact is about {', '.join(examples)}"
    return said


#: Every lesson for UPSC aspirants names the exam; that is not a mention of the Commission.
_EXAM_WORDS = {"UPSC"}


def select(
    sheets: Sheets, topic_items: list[Item], lesson_text: str
) -> tuple[list[Fact], TopicReport]:
    """The sheet facts a lesson's deck should drill, and how its Prelims topics matched.

    A fact is chosen when one of its topics is named by a *Prelims Focus* line or mentioned
    anywhere in the lesson's text, or when it is about an example a Prelims line lists; the
    facts that supersede a chosen fact come along, so a deck never teaches the MSP without
    saying that FORGE replaced it.
    """
    report = TopicReport()
    wanted: set[str] = set()
    chosen: set[str] = set()
    for item in topic_items:
        line = _match_line(sheets, item)
        report.lines.append(line)
        if line.facts:
            report.matched[item.text] = line.topics or sorted(line.examples)
            wanted.update(line.topics)
            chosen.update(line.facts)
        else:
            report.unmatched.append(item)
    # In running text only names count (``KABIL``, ``Minerals Security Partnership``): a
    # generic alias such as "applications" would pull unrelated facts into every deck.
    report.mentioned = [
        t
        for t, aliases in sheets.topics.items()
        if t not in wanted
        and any(
            a[:1].isupper() and a not in _EXAM_WORDS and _mentions(lesson_text, a) for a in aliases
        )
    ]
    wanted.update(report.mentioned)
    chosen |= {k for k, f in sheets.facts.items() if set(f.topics) & wanted}
    for key in list(chosen):
        successor = sheets.facts[key].superseded_by
        while successor and successor not in chosen:
            chosen.add(successor)
            successor = sheets.facts[successor].superseded_by
    return [f for k, f in sheets.facts.items() if k in chosen], report
