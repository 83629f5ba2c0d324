"""Fact sheets (``decks/facts/*.toml``): curated, sourced facts, and matching them to lessons.

A lesson's *Prelims Focus* names topics ("Minerals Security Partnership (MSP) and India's
participation status"), not facts. The facts come from fact sheets that a teacher keeps in
the repository, each with a source URL and an *as of* date. A sheet is validated strictly —
an unknown field is a typo, a fact with no source is refused — and every error names the
file and the line of the offending ``[[fact]]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recall.author.facts import (
    Acronym,
    Attribute,
    Definition,
    Event,
    Fact,
    MemberSet,
    Source,
    Succession,
)
from recall.author.lesson import Item
from recall.errors import RecallError, load_toml
from recall.text import contains_phrase, format_date

_AS_OF = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_URL = re.compile(r"^https?://\S+$")
_COMMON = {"key", "type", "topics", "source", "as_of", "confidence", "superseded_by", "note"}
_STR, _LIST = str, list

#: Each type: (required fields, optional fields); every field is a string or a list of strings.
_TYPES: dict[str, tuple[dict[str, type], dict[str, type]]] = {
    "acronym": ({"short": _STR, "long": _STR}, {}),
    "definition": ({"term": _STR, "definition": _STR}, {}),
    "attribute": (
        {"subject": _STR, "attribute": _STR, "value": _STR},
        {"group": _STR, "question": _STR, "reverse_question": _STR, "detail": _STR, "pair": _STR},
    ),
    "event": (
        {"what": _STR, "date": _STR, "question": _STR},
        {"place": _STR, "detail": _STR, "answer": _STR},
    ),
    "set": (
        {"name": _STR, "noun": _STR, "relation": _STR, "members": _LIST},
        {
            "contrast": _LIST,
            "contrast_note": _STR,
            "highlight": _LIST,
            "question": _STR,
            "answer": _STR,
            "verb": _STR,
        },
    ),
    "succession": (
        {"old": _STR, "old_names": _LIST, "new": _STR, "date": _STR},
        {"new_long": _STR, "detail": _STR},
    ),
}


@dataclass(frozen=True, kw_only=True)
class Pair:
    """An attribute's distinctive value, for match-the-pairs (kept beside the attribute)."""

    key: str
    subject: str
    pair: str


@dataclass
class Sheets:
    """All loaded fact sheets: facts by key, topic aliases, and match-the-pairs values."""

    facts: dict[str, Fact] = field(default_factory=dict)
    topics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pairs: dict[str, str] = field(default_factory=dict)
    verbs: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def match(self, text: str) -> list[str]:
        """Topic ids whose name or an alias occurs in ``text`` (whole words)."""
        return [t for t, aliases in self.topics.items() if any(_mentions(text, a) for a in aliases)]


@dataclass
class TopicReport:
    """How a lesson's Prelims topics matched the sheets."""

    matched: dict[str, list[str]] = field(default_factory=dict)  # topic line → topic ids
    unmatched: list[Item] = field(default_factory=list)
    mentioned: list[str] = field(default_factory=list)  # topic ids found in the lesson text


def _mentions(text: str, alias: str) -> bool:
    if alias.isupper():
        return re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text) is not None
    return contains_phrase(text, alias)


def load_sheets(paths: Iterable[Path]) -> Sheets:
    """Load and validate fact sheets; keys must be unique across all of them."""
    sheets = Sheets()
    where: dict[str, tuple[str, int]] = {}
    for path in sorted(paths):
        _load_one(path, sheets, where)
    for key, fact in sheets.facts.items():
        if fact.superseded_by and fact.superseded_by not in sheets.facts:
            file, line = where[key]
            raise RecallError(f"superseded_by = {fact.superseded_by!r}: no such fact", file, line)
        for topic in fact.topics:
            if topic not in sheets.topics:
                file, line = where[key]
                raise RecallError(
                    f"topic {topic!r} is not defined in any [topics] table", file, line
                )
    return sheets


def sheet_files(directory: Path) -> list[Path]:
    """The ``*.toml`` fact sheets in ``directory`` (none if it does not exist)."""
    return sorted(directory.glob("*.toml")) if directory.is_dir() else []


def _load_one(path: Path, sheets: Sheets, where: dict[str, tuple[str, int]]) -> None:
    name = str(path)
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecallError(f"cannot read fact sheet: {exc}", name) from None
    data = load_toml(raw, name)
    headers = [
        i for i, ln in enumerate(raw.splitlines(), 1) if re.match(r"\s*\[\[\s*fact\s*\]\]", ln)
    ]
    topics = data.get("topics", {})
    if not isinstance(topics, dict):
        raise RecallError(
            "[topics] must be a table of topic = [aliases]", name, _line_of(raw, "[topics]")
        )
    for topic, aliases in topics.items():
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
            raise RecallError(
                f"topic {topic!r}: aliases must be a list of strings", name, _line_of(raw, topic)
            )
        sheets.topics[topic] = (*sheets.topics.get(topic, ()), *aliases)
    facts = data.get("fact", [])
    if not isinstance(facts, list):
        raise RecallError("'fact' must be an array of tables: [[fact]]", name)
    for i, entry in enumerate(facts):
        line = headers[i] if i < len(headers) else None
        fact = _fact(entry, name, line, sheets)
        if fact.key in sheets.facts:
            other = where[fact.key]
            raise RecallError(
                f"duplicate fact key {fact.key!r} (first at {other[0]}:{other[1]})", name, line
            )
        sheets.facts[fact.key] = fact
        where[fact.key] = (name, line or 0)
    sheets.files.append(name)


def _line_of(raw: str, needle: str) -> int | None:
    for i, ln in enumerate(raw.splitlines(), 1):
        if needle in ln:
            return i
    return None


def _fact(entry: Any, file: str, line: int | None, sheets: Sheets) -> Fact:
    def fail(msg: str) -> RecallError:
        return RecallError(msg, file, line)

    if not isinstance(entry, dict):
        raise fail("each [[fact]] must be a table")
    key = entry.get("key")
    if not isinstance(key, str) or not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", key):
        raise fail("fact needs a key: lower-case letters, digits, '.', '_' or '-'")
    kind = entry.get("type")
    if kind not in _TYPES:
        raise fail(f"fact {key!r}: type must be one of {', '.join(sorted(_TYPES))}, not {kind!r}")
    _check_fields(entry, key, kind, fail)
    as_of = entry["as_of"]
    confidence = entry.get("confidence", "verified")
    topics = entry.get("topics", [])
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise fail(f"fact {key!r}: topics must be a list of topic ids")
    superseded = entry.get("superseded_by")
    if superseded is not None and not isinstance(superseded, str):
        raise fail(f"fact {key!r}: superseded_by must be a fact key")
    source = Source(
        ref=f"{Path(file).name}#{key}",
        text=_support(entry),
        url=entry["source"],
        as_of=as_of,
        confidence=confidence,
    )
    common: dict[str, Any] = {
        "key": key,
        "source": source,
        "topics": tuple(topics),
        "superseded_by": superseded,
    }
    builder = _BUILDERS[kind]
    fact = builder(entry, common)
    if isinstance(fact, MemberSet):
        overlap = {m.casefold() for m in fact.members} & {c.casefold() for c in fact.contrast}
        if overlap:
            raise fail(f"fact {key!r}: {sorted(overlap)[0]!r} is both a member and a contrast")
        missing = [h for h in fact.highlight if h not in fact.members]
        if missing:
            raise fail(f"fact {key!r}: highlight {missing[0]!r} is not a member")
        sheets.verbs[key] = entry.get("verb", "is")
    if kind == "attribute" and "pair" in entry:
        sheets.pairs[key] = entry["pair"]
    return fact


def _check_fields(
    entry: dict[str, Any], key: str, kind: str, fail: Callable[[str], RecallError]
) -> None:
    """Known fields only, each of its type; a source URL, an *as of* date, a confidence."""
    required, optional = _TYPES[kind]
    allowed = _COMMON | set(required) | set(optional) | ({"pair"} if kind == "attribute" else set())
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise fail(f"fact {key!r}: unknown field {unknown[0]!r}")
    if not entry.get("source"):
        raise fail(f"fact {key!r} has no source: every fact needs the URL it comes from")
    if not isinstance(entry["source"], str) or not _URL.match(entry["source"]):
        raise fail(f"fact {key!r}: source must be an http(s) URL")
    as_of = entry.get("as_of")
    if not isinstance(as_of, str) or not _AS_OF.match(as_of):
        raise fail(f'fact {key!r} needs as_of = "YYYY-MM" or "YYYY-MM-DD" (when it was true)')
    confidence = entry.get("confidence", "verified")
    if confidence not in {"verified", "likely"}:
        raise fail(f'fact {key!r}: confidence must be "verified" or "likely"')
    for fname, ftype in {**required, **optional}.items():
        if fname not in entry:
            if fname in required:
                raise fail(f"fact {key!r} ({kind}) is missing {fname!r}")
            continue
        value = entry[fname]
        if ftype is _STR and (not isinstance(value, str) or not value.strip()):
            raise fail(f"fact {key!r}: {fname!r} must be a non-empty string")
        if ftype is _LIST and (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            raise fail(f"fact {key!r}: {fname!r} must be a non-empty list of strings")
    for fname in ("date",):
        if fname in entry and not _AS_OF.match(entry[fname]):
            raise fail(f'fact {key!r}: date must be "YYYY", "YYYY-MM" or "YYYY-MM-DD"')


def _support(entry: dict[str, Any]) -> str:
    """Everything the sheet entry says, flattened: what a card's answer must be found in."""
    parts: list[str] = []
    for k, v in entry.items():
        if k in {"key", "type", "source", "topics", "confidence", "superseded_by"}:
            continue
        parts.extend(v if isinstance(v, list) else [str(v)])
        if k == "date" and isinstance(v, str) and _AS_OF.match(v):
            parts.append(format_date(v))
    return " | ".join(parts)


def _t(entry: dict[str, Any], name: str) -> tuple[str, ...]:
    return tuple(entry.get(name, ()))


_BUILDERS: dict[str, Callable[[dict[str, Any], dict[str, Any]], Fact]] = {
    "acronym": lambda e, c: Acronym(**c, short=e["short"], long=e["long"]),
    "definition": lambda e, c: Definition(**c, term=e["term"], definition=e["definition"]),
    "attribute": lambda e, c: Attribute(
        **c,
        subject=e["subject"],
        attribute=e["attribute"],
        value=e["value"],
        group=e.get("group"),
        question=e.get("question"),
        reverse_question=e.get("reverse_question"),
        detail=e.get("detail"),
    ),
    "event": lambda e, c: Event(
        **c,
        what=e["what"],
        date=e["date"],
        question=e["question"],
        place=e.get("place"),
        detail=e.get("detail"),
        answer=e.get("answer"),
    ),
    "set": lambda e, c: MemberSet(
        **c,
        name=e["name"],
        noun=e["noun"],
        relation=e["relation"],
        members=_t(e, "members"),
        contrast=_t(e, "contrast"),
        contrast_note=e.get("contrast_note"),
        highlight=_t(e, "highlight"),
        question=e.get("question"),
        answer=e.get("answer"),
    ),
    "succession": lambda e, c: Succession(
        **c,
        old=e["old"],
        old_names=_t(e, "old_names"),
        new=e["new"],
        new_long=e.get("new_long"),
        date=e["date"],
        detail=e.get("detail"),
    ),
}


def select(
    sheets: Sheets, topic_items: list[Item], lesson_text: str
) -> tuple[list[Fact], TopicReport]:
    """The sheet facts a lesson's deck should drill, and how its Prelims topics matched.

    A fact is chosen when one of its topics is named by a *Prelims Focus* line or mentioned
    anywhere in the lesson's text; the facts that supersede a chosen fact come along, so a
    deck never teaches the MSP without saying that FORGE replaced it.
    """
    report = TopicReport()
    wanted: set[str] = set()
    for item in topic_items:
        ids = sheets.match(item.text)
        if ids:
            report.matched[item.text] = ids
            wanted.update(ids)
        else:
            report.unmatched.append(item)
    # In running text only names count (``KABIL``, ``Minerals Security Partnership``): a
    # generic alias such as "applications" would pull unrelated facts into every deck.
    report.mentioned = [
        t
        for t, aliases in sheets.topics.items()
        if t not in wanted and any(a[:1].isupper() and _mentions(lesson_text, a) for a in aliases)
    ]
    wanted.update(report.mentioned)
    chosen = {k for k, f in sheets.facts.items() if set(f.topics) & wanted}
    for key in list(chosen):
        successor = sheets.facts[key].superseded_by
        while successor and successor not in chosen:
            chosen.add(successor)
            successor = sheets.facts[successor].superseded_by
    return [f for k, f in sheets.facts.items() if k in chosen], report
