"""What ``recall facts`` tells a teacher about fact sheets: problems, contents, what is stale.

``check`` runs the loader in collecting mode (every problem, each with its file and line) and
then the rules that look across sheets: two facts about the same thing that disagree. ``stale``
finds facts whose *as of* date is past a horizon, or that something else superseded, and the
deck cards they feed, so a teacher knows what to re-check before an exam.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from recall.author.facts import Acronym, Attribute, Event, Fact, MemberSet, Succession
from recall.author.sheetload import Problems, load
from recall.author.sheets import Sheets
from recall.errors import RecallError
from recall.text import fold


def check(paths: Iterable[Path], *, library: bool = True) -> tuple[Sheets, list[RecallError]]:
    """Load the sheets collecting every problem, then look for contradictions between facts."""
    problems = Problems(collect=True)
    sheets = load(paths, library=library, problems=problems)
    return sheets, [*problems.found, *contradictions(sheets)]


def _identity(fact: Fact) -> tuple[tuple[str, ...], str, object] | None:
    """What a fact is about, what it says about it (folded), and how to say that."""
    if isinstance(fact, Acronym):
        return ("acronym", fact.short), "stands for", fold(fact.long)
    if isinstance(fact, Attribute):
        return (
            ("attribute", fold(fact.subject), fold(fact.attribute)),
            fact.attribute,
            fold(fact.value),
        )
    if isinstance(fact, Event):
        return ("event", fold(fact.what)), "date", fact.date
    if isinstance(fact, MemberSet):
        return ("set", fold(fact.name)), "members", frozenset(fold(m) for m in fact.members)
    if isinstance(fact, Succession):
        return ("succession", fold(fact.old)), "successor", (fold(fact.new), fact.date)
    return None


def contradictions(sheets: Sheets) -> list[RecallError]:
    """Facts under different keys about the same thing that say different things.

    The same acronym expanded two ways, one subject's attribute with two values, one event
    on two dates, one named set with two member lists. A fact and the one that superseded
    it may differ: that is history, not a contradiction.
    """
    first: dict[tuple[str, ...], tuple[str, object]] = {}
    found: list[RecallError] = []
    for key, fact in sheets.facts.items():
        ident = _identity(fact)
        if ident is None:
            continue
        what, label, said = ident
        if what not in first:
            first[what] = (key, said)
            continue
        other, other_said = first[what]
        if said == other_said or _linked(sheets, key, other):
            continue
        rec, orec = sheets.records[key], sheets.records[other]
        msg = (
            f"fact {key!r} contradicts {other!r} ({orec.file}:{orec.line}): "
            f"different {label} for the same thing; correct one, or mark the older "
            "superseded_by the newer"
        )
        found.append(RecallError(msg, *rec.at))
    return found


def _linked(sheets: Sheets, a: str, b: str) -> bool:
    def chain(k: str) -> set[str]:
        seen: set[str] = set()
        nxt = sheets.facts[k].superseded_by
        while nxt and nxt not in seen and nxt in sheets.facts:
            seen.add(nxt)
            nxt = sheets.facts[nxt].superseded_by
        return seen

    return b in chain(a) or a in chain(b)


_HORIZON = re.compile(r"^\s*(\d+)\s*([dmy])\s*$", re.IGNORECASE)


def parse_horizon(text: str) -> tuple[int, str]:
    """``12m``, ``2y``, ``90d`` → (amount, unit)."""
    m = _HORIZON.match(text)
    if not m or int(m.group(1)) == 0:
        raise RecallError(f"--older-than {text!r}: write a number and d, m or y (e.g. 12m)")
    return int(m.group(1)), m.group(2).lower()


def cutoff(today: date, horizon: tuple[int, str]) -> date:
    """The day ``horizon`` before ``today`` (months and years by the calendar)."""
    n, unit = horizon
    if unit == "d":
        return date.fromordinal(today.toordinal() - n)
    months = n * 12 if unit == "y" else n
    y, m = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(y, m + 1, min(today.day, monthrange(y, m + 1)[1]))


def as_of_date(as_of: str) -> date:
    """The first day an *as of* value covers: ``2024`` → 1 Jan 2024, ``2024-09`` → 1 Sept."""
    parts = [int(p) for p in as_of.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


@dataclass(frozen=True)
class Stale:
    """A fact to re-check: why, and the deck cards it feeds (deck file, card id, front)."""

    key: str
    at: str
    as_of: str
    reasons: tuple[str, ...]
    cards: tuple[tuple[str, str, str], ...]


def stale(
    sheets: Sheets, decks: list[tuple[str, list[tuple[str, str, str]]]], before: date
) -> list[Stale]:
    """Facts true only *as of* a day before ``before``, or superseded; oldest first.

    ``decks`` is each deck file with its active cards as (card id, fact key, front).
    """
    feeds: dict[str, list[tuple[str, str, str]]] = {}
    for deck, cards in decks:
        for card_id, fact_key, front in cards:
            for key in _fed_by(sheets, fact_key):
                feeds.setdefault(key, []).append((deck, card_id, front))
    out: list[Stale] = []
    for key, fact in sheets.facts.items():
        rec = sheets.records[key]
        reasons = []
        if as_of_date(rec.as_of) < before:
            reasons.append(f"as of {rec.as_of}")
        if fact.superseded_by:
            reasons.append(f"superseded by {fact.superseded_by}")
        if reasons:
            at = f"{rec.file}:{rec.line}"
            out.append(Stale(key, at, rec.as_of, tuple(reasons), tuple(feeds.get(key, ()))))
    return sorted(out, key=lambda s: (as_of_date(s.as_of), s.key))


def _fed_by(sheets: Sheets, fact_key: str) -> list[str]:
    """The sheet facts behind a card: its own, or a match-the-pairs group's members."""
    if fact_key in sheets.facts:
        return [fact_key]
    if fact_key.startswith("match:"):
        group = fact_key.removeprefix("match:")
        return [k for k, f in sheets.facts.items() if isinstance(f, Attribute) and f.group == group]
    return []
