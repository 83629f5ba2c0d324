"""Consistency checks: where a lesson disagrees with a fact sheet, or with itself.

A teacher pasting a year-old article should hear that the sheet (sourced, checked) says
otherwise, rather than find two decks teaching two dates. Each check is narrow on purpose —
a warning fires only when a sentence names the same subject *and* the same event or count as
a sheet fact and states another value — because a false alarm on every lesson teaches the
teacher to ignore the warnings. The sheet wins: facts from the contradicting lesson line are
left out of the deck, and the warning says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from recall.author.facts import Attribute, Cloze, Event, Fact, MemberSet
from recall.author.lesson import Lesson
from recall.author.sheets import Sheets
from recall.text import MONTHS, contains_phrase, content_words, fold, format_date

_YEAR = re.compile(r"(?<![\w.,-])(1[6-9]\d\d|20\d\d)(?![\w-])")
_NEGATION = re.compile(r"\b(not|never|declined|withdrew|left|exited|suspended|except)\b", re.I)
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}


@dataclass(frozen=True)
class Warning:
    """One disagreement: the lesson line, what it is set against, and what each side says."""

    lesson_ref: str
    other_ref: str
    message: str
    sheet_wins: bool = False
    sentence: str = ""  # the lesson's words, so only facts from that sentence are overruled


@dataclass(frozen=True)
class _Sentence:
    ref: str
    text: str
    stems: frozenset[str]  # each word's first 3, 4 and 5 letters: a verb is matched by stem


def sentences(lesson: Lesson) -> list[_Sentence]:
    out = []
    for section in lesson.sections:
        for item in section.items:
            ref = f"{lesson.path}:{item.line}"
            for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", item.text):
                words = re.findall(r"[a-z]+", s.lower())
                out.append(_Sentence(ref, s, frozenset(w[:k] for w in words for k in (3, 4, 5))))
    return out


def check(lesson: Lesson, sheets: Sheets, chosen: list[Fact], clozes: list[Cloze]) -> list[Warning]:
    """Every warning for one lesson: against the sheets' events, counts and sets, and the
    lesson against itself (one subject, two values)."""
    said = sentences(lesson)
    warnings: list[Warning] = []
    for fact in sheets.facts.values():
        if isinstance(fact, Event):
            warnings += _event(sheets, fact, said)
        elif isinstance(fact, MemberSet) and fact.contrast and fact in chosen:
            warnings += _membership(sheets, fact, said)
    warnings += _counts(
        sheets, [f for f in sheets.facts.values() if isinstance(f, Attribute)], said
    )
    warnings += _self(clozes)
    return list(dict.fromkeys(warnings))


# -- the lesson against a sheet's dated event ------------------------------------------------


def _names(what: str) -> list[str]:
    """The proper names of an event's first clause (``India``, ``Minerals Security
    Partnership``), each also matched by its acronym."""
    clause = re.split(r"[,;(—]| as | by | from ", what, maxsplit=1)[0]
    runs = re.findall(
        r"(?:\d+(?:st|nd|rd|th) )?[A-Z][\w-]*(?: (?:of |and |for )?[A-Z][\w-]*)*", clause
    )
    return [r for r in runs if r not in {"The", "A", "An"}]


def _verb(what: str, names: list[str]) -> str | None:
    rest = what
    for n in names:
        rest = rest.replace(n, " ")
    first = next((w for w in content_words(rest) if w.endswith(("ed", "en"))), None)
    return first[:5] if first else None


def _mentions(sentence: str, name: str) -> bool:
    initials = "".join(w[0] for w in name.split() if w[0].isupper())
    return (name.split()[-1].lower() in sentence.lower() and contains_phrase(sentence, name)) or (
        len(initials) >= 3 and re.search(rf"\b{initials}\b", sentence) is not None
    )


@lru_cache(maxsize=4096)
def _event_key(what: str) -> tuple[list[str], str | None]:
    names = _names(what)
    return names, _verb(what, names)


def _event(sheets: Sheets, f: Event, said: list[_Sentence]) -> list[Warning]:
    names, verb = _event_key(f.what)
    if not names or verb is None:
        return []
    year = f.date[:4]
    out = []
    for s in said:
        if verb not in s.stems:
            continue
        if not all(_mentions(s.text, n) for n in names[:2]):
            continue
        years = set(_YEAR.findall(s.text))
        stated = _stated_date(s.text, f.date)
        if (years and year not in years) or stated:
            shown = stated or ", ".join(sorted(years))
            out.append(
                Warning(
                    s.ref,
                    f"{sheets.sheet_of(f.key)}#{f.key}",
                    f"the lesson says {shown} for “{f.what}”; the fact sheet says "
                    f"{format_date(f.date)}",
                    sheet_wins=True,
                    sentence=s.text,
                )
            )
    return out


def _stated_date(sentence: str, date: str) -> str | None:
    """A day-and-month date in the sentence, in the sheet's year, that is not the sheet's."""
    if len(date) < 7:
        return None
    y, m = int(date[:4]), int(date[5:7])
    for match in re.finditer(
        rf"(\d{{1,2}})? ?({'|'.join(MONTHS)}),? (\d{{1,2}},? )?({y})", sentence
    ):
        month = MONTHS.index(match.group(2)) + 1
        day = match.group(1) or (match.group(3) or "").strip(", ")
        if month != m or (len(date) == 10 and day and int(day) != int(date[8:10])):
            return match.group(0).strip()
    return None


# -- the lesson against a sheet's count -------------------------------------------------------


def _count_of(value: str) -> int | None:
    m = re.match(r"\s*(\d[\d,]*)", value)
    if m:
        return int(m.group(1).replace(",", ""))
    first = value.split()[0].strip(":,.").lower() if value.split() else ""
    return _NUMBER_WORDS.get(first)


def _counts(sheets: Sheets, attrs: list[Attribute], said: list[_Sentence]) -> list[Warning]:
    """``number of tiger reserves`` = 58: a sentence giving the same subject another number of
    tiger reserves. Every dated value of the series counts as right (a lesson may be older)."""
    series: dict[tuple[str, str], list[Attribute]] = {}
    for f in attrs:
        m = re.match(r"number of ([\w -]+?)(?: \(|$)", f.attribute)
        if m and _count_of(f.value) is not None:
            series.setdefault((f.subject, m.group(1)), []).append(f)
    out = []
    for (subject, noun), facts in series.items():
        # every number a value states counts as said by the sheet ("12 (the original had 8)")
        known = {int(n.replace(",", "")) for f in facts for n in re.findall(r"\d[\d,]*", f.value)}
        known |= {c for f in facts if (c := _count_of(f.value)) is not None}
        head = re.sub(r"^the | of India$", "", subject)
        pattern = re.compile(rf"\b(\d[\d,]*|{'|'.join(_NUMBER_WORDS)}) {re.escape(noun)}\b", re.I)
        for s in said:
            if not contains_phrase(s.text, head):
                continue
            for m in pattern.finditer(s.text):
                n = m.group(1).lower()
                stated = _NUMBER_WORDS.get(n) if not n[0].isdigit() else int(n.replace(",", ""))
                if stated is not None and stated not in known:
                    latest = facts[0]
                    out.append(
                        Warning(
                            s.ref,
                            f"{sheets.sheet_of(latest.key)}#{latest.key}",
                            f"the lesson says {m.group(0)} for {subject}; the fact sheet says "
                            f"{latest.value.split(' — ')[0]} (as of {latest.source.as_of})",
                            sheet_wins=True,
                            sentence=s.text,
                        )
                    )
    return out


# -- the lesson naming a non-member as a member ----------------------------------------------


def _membership(sheets: Sheets, f: MemberSet, said: list[_Sentence]) -> list[Warning]:
    """A contrast item (verifiably not in the set) called a member of it. The set is named by
    its acronyms (``BRICS``, ``SCO``); an item that another sheet set of that name counts as a
    member (Indonesia joined BRICS a year later) is not flagged."""
    keys = list(re.findall(r"\b[A-Z][A-Za-z]*[A-Z]\w*\b", f.name + " " + f.relation))
    if not keys:
        return []
    members = {
        fold(x)
        for g in sheets.facts.values()
        if isinstance(g, MemberSet) and any(k in g.name + " " + g.relation for k in keys)
        for x in g.members
    }
    out = []
    for s in said:
        if "member" not in s.text.lower() or _NEGATION.search(s.text):
            continue
        if not any(re.search(rf"\b{re.escape(k)}\b", s.text) for k in keys):
            continue
        for item in f.contrast:
            if fold(item) not in members and contains_phrase(s.text, item):
                out.append(
                    Warning(
                        s.ref,
                        f"{sheets.sheet_of(f.key)}#{f.key}",
                        f"the lesson names {item} with the members; the fact sheet says it is "
                        f"not {f.relation}",
                        sheet_wins=True,
                        sentence=s.text,
                    )
                )
    return out


# -- the lesson against itself ----------------------------------------------------------------


_NAME = re.compile(r"(?:[A-Z][\w-]*|\d+(?:st|nd|rd|th))(?: (?:of |on |and )?[A-Z][\w-]*)*")


def _subject(f: Cloze) -> str | None:
    """The name a sentence is about: its first proper name, before the value."""
    for m in _NAME.finditer(f.sentence[: f.span[0]]):
        name = re.sub(r"^(The|A|An|In|On|By|At) ", "", m.group(0))
        if name not in {"The", "A", "An", "In", "On", "By", "At", "It", "This"}:
            return name
    return None


def _lead(f: Cloze) -> frozenset[str]:
    """The words that say what the value is (``signed on``, ``area of``, ``covers``): the
    content words just before it, names left out."""
    before = re.sub(_NAME, " ", f.sentence[: f.span[0]])
    return frozenset(content_words(before)[-3:])


def _date_parts(value: str) -> tuple[str | None, int | None, int | None]:
    year = _YEAR.search(value)
    month = next((i + 1 for i, m in enumerate(MONTHS) if m in value), None)
    day = re.search(r"\b(\d{1,2})\b", _YEAR.sub(" ", value))
    return (year.group(1) if year else None, month, int(day.group(1)) if day else None)


def _differ(category: str, a: str, b: str) -> bool:
    """Two values that cannot both be right (``May 2016`` and ``21 May 2016`` can)."""
    if category != "date":
        return _count_of(a.replace(" ", "")) != _count_of(b.replace(" ", ""))
    pa, pb = _date_parts(a), _date_parts(b)
    return any(x is not None and y is not None and x != y for x, y in zip(pa, pb, strict=True))


def _self(clozes: list[Cloze]) -> list[Warning]:
    """Two sentences about one subject that give the same kind of value (a date, an amount in
    one unit) after the same words, with values that cannot both be right."""
    out = []
    typed = [f for f in clozes if f.category == "date" or f.category.startswith("qty:")]
    for a, b in combinations(typed, 2):
        if a.category != b.category or a.source.ref == b.source.ref:
            continue
        va, vb = (x.sentence[x.span[0] : x.span[1]] for x in (a, b))
        subject, other = _subject(a), _subject(b)
        if not subject or not other or fold(subject) != fold(other) or not _lead(a) & _lead(b):
            continue
        if _differ(a.category, va, vb):
            out.append(
                Warning(
                    a.source.ref,
                    b.source.ref,
                    f"the lesson gives two values for one fact about "
                    f"{subject}: {va} here, {vb} there",
                )
            )
    return out


def overruled(fact: Fact, warnings: list[Warning]) -> Warning | None:
    """The warning whose lesson sentence this fact comes from, when the sheet wins it."""
    for w in warnings:
        if not w.sheet_wins or w.lesson_ref != fact.source.ref:
            continue
        said = fold(w.sentence)
        text = fold(fact.sentence if isinstance(fact, Cloze) else fact.source.text)
        if text and (text in said or said in text or text[-40:] in said):
            return w
    return None
