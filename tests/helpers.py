"""Test helpers that judge cards independently of the generator's own checks."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from recall.author.generate import Generated, generate
from recall.author.lesson import parse, read_lesson
from recall.author.sheets import Sheets, load_sheets
from recall.cards import CLOZE, LETTERS, Card
from recall.text import STOPWORDS, content_words, fold


@cache  # the library is read-only in tests; loading it takes ~0.1 s
def sheets() -> Sheets:
    return load_sheets()


def deck_for(path: Path) -> Generated:
    return generate(read_lesson(path), sheets())


def deck_for_text(text: str, name: str = "lesson.txt") -> Generated:
    return generate(parse(text, name), sheets())


def find(cards: list[Card], *, fact: str, kind: str | None = None) -> list[Card]:
    return [c for c in cards if c.fact == fact and (kind is None or c.kind == kind)]


def quality_violations(cards: list[Card]) -> list[str]:
    """The quality rules, checked from the cards alone (no generator internals)."""
    out: list[str] = []
    fronts: set[str] = set()
    for c in cards:
        answer = c.back.split("\n")[0] if c.kind in {"basic", "reverse"} else ""
        if c.kind == "cloze":
            hidden = [m.group(2) for m in CLOZE.finditer(c.front)]
            if not hidden:
                out.append(f"{c.id}: cloze without deletion")
            for h in hidden:
                if not [w for w in re.findall(r"\w+", h.lower()) if w not in STOPWORDS]:
                    out.append(f"{c.id}: cloze hides a function word {h!r}")
        if c.kind == "mcq":
            if len(c.options) != 4 or len({fold(o) for o in c.options}) != 4:
                out.append(f"{c.id}: options not four distinct")
            if c.answer not in LETTERS:
                out.append(f"{c.id}: bad answer letter")
            answer = c.correct_option
        if c.kind in {"basic", "reverse"}:
            if not content_words(answer):
                out.append(f"{c.id}: empty or stop-word answer")
            if fold(answer) and f" {fold(answer)} " in f" {fold(c.front)} ":
                out.append(f"{c.id}: question contains its answer {answer!r}")
        # a cloze is told by what it hides: one sentence may hide a date in one card and a
        # place in another
        shown = CLOZE.sub(r" hiddenstart \2 hiddenend ", c.front) if c.kind == "cloze" else c.front
        key = fold(shown) + "|" + "|".join(sorted(fold(o) for o in c.options))
        if key in fronts:
            out.append(f"{c.id}: asks the same as another card")
        fronts.add(key)
    ids = [c.id for c in cards]
    if len(ids) != len(set(ids)):
        out.append("duplicate ids")
    return out
