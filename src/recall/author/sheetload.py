"""Reading and validating fact sheets: the shipped library, then the teacher's own sheets.

The library (``recall/library/*.toml``) is package data, read with :mod:`importlib.resources`
so an installed recall has the same facts as a checkout. A teacher's sheet adds facts and
topic aliases, and replaces a library fact that has the same key; the replacement is recorded
so ``recall generate`` can say so rather than change a deck silently.

Validation is strict (an unknown field is a typo; a fact with no source is refused) and every
error names the file and the line of the offending ``[[fact]]``. ``recall generate`` stops at
the first error; ``recall facts check`` collects them all (:class:`Problems`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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
from recall.author.sheets import Override, Pending, Record, SheetInfo, Sheets
from recall.errors import RecallError, load_toml
from recall.text import format_date

AS_OF = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_DAY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_URL = re.compile(r"^https?://\S+$")
_COMMON = {
    "key", "type", "topics", "source", "sources", "as_of", "checked", "confidence",
    "superseded_by", "note",
}  # fmt: skip
#: What a teacher fills in before a drafted fact may make cards.
DRAFT_FIELDS = ("source", "as_of", "checked")
_STR, _LIST, _BOOL = str, list, bool

#: Each type: (required fields, optional fields) and the type of each field.
TYPES: dict[str, tuple[dict[str, type], dict[str, type]]] = {
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
            "partial": _BOOL,
        },
    ),
    "succession": (
        {"old": _STR, "old_names": _LIST, "new": _STR, "date": _STR},
        {"new_long": _STR, "detail": _STR},
    ),
}


class Problems:
    """Where errors go: raised at once (``generate``) or collected (``facts check``)."""

    def __init__(self, collect: bool = False) -> None:
        self.collect = collect
        self.found: list[RecallError] = []

    def __call__(self, error: RecallError) -> None:
        if not self.collect:
            raise error
        self.found.append(error)


def library_sheets() -> list[tuple[str, bytes]]:
    """The shipped sheets, as (path shown in messages, bytes), in name order."""
    from importlib.resources import files

    root = files("recall.library")
    entries = [e for e in root.iterdir() if e.name.endswith(".toml") and e.is_file()]
    return [(str(e), e.read_bytes()) for e in sorted(entries, key=lambda e: e.name)]


def teacher_sheets(paths: Iterable[Path]) -> list[Path]:
    """Expand ``--facts`` paths: a directory gives its ``*.toml``, a file itself.

    A path that does not exist is an error: a mistyped ``--facts`` must not quietly leave
    a teacher's facts out of every deck.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(path.glob("*.toml")))
        elif path.is_file():
            out.append(path)
        else:
            raise RecallError("no such fact-sheet directory or file", str(path))
    return out


def load(
    paths: Iterable[Path] = (), *, library: bool = True, problems: Problems | None = None
) -> Sheets:
    """The library (unless ``library=False``) and the given sheets, validated."""
    report = problems or Problems()
    sheets = Sheets()
    if library:
        for name, raw in library_sheets():
            _load_one(name, raw, sheets, report, library=True)
    for path in sorted(paths):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            report(RecallError(f"cannot read fact sheet: {exc.strerror or exc}", str(path)))
            continue
        _load_one(str(path), raw, sheets, report, library=False)
    _check_references(sheets, report)
    return sheets


def _check_references(sheets: Sheets, report: Problems) -> None:
    for key, fact in list(sheets.facts.items()):
        rec = sheets.records[key]
        if fact.superseded_by and fact.superseded_by not in sheets.facts:
            report(RecallError(f"superseded_by = {fact.superseded_by!r}: no such fact", *rec.at))
        for topic in fact.topics:
            if topic not in sheets.topics:
                msg = f"topic {topic!r} is not defined in any [topics] table"
                report(RecallError(msg, *rec.at))


def _load_one(name: str, data: bytes, sheets: Sheets, report: Problems, *, library: bool) -> None:
    try:
        raw = data.decode("utf-8-sig")
        parsed = load_toml(raw, name)
        info = _sheet_info(parsed, raw, name, library)
        _topics(parsed, raw, name, sheets)
    except UnicodeDecodeError as exc:
        report(RecallError(f"cannot read fact sheet: {exc}", name))
        return
    except RecallError as exc:
        report(exc)
        return
    headers = [
        i for i, ln in enumerate(raw.splitlines(), 1) if re.match(r"\s*\[\[\s*fact\s*\]\]", ln)
    ]
    entries = parsed.get("fact", [])
    if not isinstance(entries, list):
        report(RecallError("'fact' must be an array of tables: [[fact]]", name))
        entries = []
    for i, entry in enumerate(entries):
        line = headers[i] if i < len(headers) else None
        try:
            if info.draft and _pending(entry):
                sheets.pending.append(
                    Pending(str(entry.get("key")), name, line, _topic_list(entry))
                )
                info.pending += 1
                continue
            fact = _fact(entry, name, line, sheets)
            _add(sheets, fact, Record.of(entry, name, line, library), report)
            info.facts += 1
        except RecallError as exc:
            report(exc)
    sheets.files.append(info)


def _sheet_info(parsed: dict[str, Any], raw: str, name: str, library: bool) -> SheetInfo:
    head = parsed.get("sheet", {})
    if not isinstance(head, dict):
        raise RecallError("[sheet] must be a table", name, _line_of(raw, "[sheet]"))
    draft = head.get("draft", False)
    if not isinstance(draft, bool):
        raise RecallError("[sheet] draft must be true or false", name, _line_of(raw, "draft"))
    title = head.get("title", "")
    return SheetInfo(path=name, library=library, title=str(title), draft=draft)


def _topics(parsed: dict[str, Any], raw: str, name: str, sheets: Sheets) -> None:
    topics = parsed.get("topics", {})
    if not isinstance(topics, dict):
        line = _line_of(raw, "[topics]")
        raise RecallError("[topics] must be a table of topic = [aliases]", name, line)
    for topic, aliases in topics.items():
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
            line = _line_of(raw, topic)
            raise RecallError(f"topic {topic!r}: aliases must be a list of strings", name, line)
        known = sheets.topics.get(topic, ())
        sheets.topics[topic] = (*known, *(a for a in aliases if a not in known))


def _pending(entry: Any) -> bool:
    """A drafted fact the teacher has not yet sourced: it waits, and makes no cards."""
    return isinstance(entry, dict) and any(not entry.get(f) for f in DRAFT_FIELDS)


def _topic_list(entry: dict[str, Any]) -> tuple[str, ...]:
    topics = entry.get("topics", [])
    return tuple(t for t in topics if isinstance(t, str)) if isinstance(topics, list) else ()


def _add(sheets: Sheets, fact: Fact, rec: Record, report: Problems) -> None:
    """Add a fact; a teacher's fact replaces a library fact of the same key (recorded)."""
    old = sheets.records.get(fact.key)
    if old is not None and not (old.library and not rec.library):
        msg = f"duplicate fact key {fact.key!r} (first at {old.file}:{old.line})"
        report(RecallError(msg, rec.file, rec.line))
        return
    if old is not None:
        sheets.overrides.append(Override(fact.key, rec.file, rec.line or 0, old.file))
        sheets.partial.discard(fact.key)
        sheets.verbs.pop(fact.key, None)
        sheets.pairs.pop(fact.key, None)
    sheets.facts[fact.key] = fact
    sheets.records[fact.key] = rec
    if isinstance(fact, MemberSet):
        sheets.verbs[fact.key] = rec.verb
        if rec.partial:
            sheets.partial.add(fact.key)
    if rec.pair:
        sheets.pairs[fact.key] = rec.pair


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
    if kind not in TYPES:
        raise fail(f"fact {key!r}: type must be one of {', '.join(sorted(TYPES))}, not {kind!r}")
    _check_fields(entry, key, kind, fail)
    confidence = _confidence(entry, key, fail)
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
        as_of=entry["as_of"],
        confidence=confidence,
    )
    common: dict[str, Any] = {
        "key": key,
        "source": source,
        "topics": tuple(topics),
        "superseded_by": superseded,
    }
    fact = _BUILDERS[kind](entry, common)
    if isinstance(fact, MemberSet):
        overlap = {m.casefold() for m in fact.members} & {c.casefold() for c in fact.contrast}
        if overlap:
            raise fail(f"fact {key!r}: {sorted(overlap)[0]!r} is both a member and a contrast")
        missing = [h for h in fact.highlight if h not in fact.members]
        if missing:
            raise fail(f"fact {key!r}: highlight {missing[0]!r} is not a member")
    return fact


def _confidence(entry: dict[str, Any], key: str, fail: Callable[[str], RecallError]) -> str:
    """Two distinct source URLs make a fact confirmed; one leaves it "likely" (no MCQ answer)."""
    urls = {entry["source"], *entry.get("sources", [])}
    stated = entry.get("confidence")
    if stated is None:
        return "verified" if len(urls) >= 2 else "likely"
    if stated not in {"verified", "likely"}:
        raise fail(f'fact {key!r}: confidence must be "verified" or "likely"')
    if stated == "verified" and len(urls) < 2:
        raise fail(
            f'fact {key!r}: confidence = "verified" needs two independent sources '
            '(source and sources = [...]); with one, write confidence = "likely"'
        )
    return str(stated)


def _check_fields(
    entry: dict[str, Any], key: str, kind: str, fail: Callable[[str], RecallError]
) -> None:
    """Known fields only, each of its type; source URLs, an *as of* and a *checked* date."""
    required, optional = TYPES[kind]
    unknown = sorted(set(entry) - _COMMON - set(required) - set(optional))
    if unknown:
        raise fail(f"fact {key!r}: unknown field {unknown[0]!r}")
    if not entry.get("source"):
        raise fail(f"fact {key!r} has no source: every fact needs the URL it comes from")
    if not isinstance(entry["source"], str) or not _URL.match(entry["source"]):
        raise fail(f"fact {key!r}: source must be an http(s) URL")
    more = entry.get("sources", [])
    if not isinstance(more, list) or not all(isinstance(u, str) and _URL.match(u) for u in more):
        raise fail(f"fact {key!r}: sources must be a list of http(s) URLs")
    as_of = entry.get("as_of")
    if not isinstance(as_of, str) or not AS_OF.match(as_of):
        raise fail(f'fact {key!r} needs as_of = "YYYY-MM" or "YYYY-MM-DD" (when it was true)')
    checked = entry.get("checked")
    if not isinstance(checked, str) or not _DAY.match(checked):
        raise fail(
            f'fact {key!r} needs checked = "YYYY-MM-DD" (the day it was compared with its source)'
        )
    for fname, ftype in {**required, **optional}.items():
        if fname not in entry:
            if fname in required:
                raise fail(f"fact {key!r} ({kind}) is missing {fname!r}")
            continue
        _check_type(entry[fname], ftype, f"fact {key!r}: {fname!r}", fail)
    if "date" in entry and not AS_OF.match(entry["date"]):
        raise fail(f'fact {key!r}: date must be "YYYY", "YYYY-MM" or "YYYY-MM-DD"')


def _check_type(value: Any, ftype: type, what: str, fail: Callable[[str], RecallError]) -> None:
    if ftype is _BOOL and not isinstance(value, bool):
        raise fail(f"{what} must be true or false")
    if ftype is _STR and (not isinstance(value, str) or not value.strip()):
        raise fail(f"{what} must be a non-empty string")
    if ftype is _LIST and (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise fail(f"{what} must be a non-empty list of strings")


#: Bookkeeping fields: not part of what a card's answer may be drawn from.
_NOT_SUPPORT = {
    "key", "type", "source", "sources", "topics", "confidence", "superseded_by", "checked",
    "partial", "note",
}  # fmt: skip


def _support(entry: dict[str, Any]) -> str:
    """Everything the sheet entry says, flattened: what a card's answer must be found in."""
    parts: list[str] = []
    for k, v in entry.items():
        if k in _NOT_SUPPORT:
            continue
        parts.extend(v if isinstance(v, list) else [str(v)])
        if k == "date" and isinstance(v, str) and AS_OF.match(v):
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
