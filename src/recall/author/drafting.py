"""Drafting cards from facts: ids, tags, sources, seeded randomness, and the supersession flag.

Every card maker (lesson facts in :mod:`recall.author.generate`, multiple-choice forms in
:mod:`recall.author.mcq`) goes through one :class:`Maker`, so a card's id, tags and source
line are made the same way whatever kind of card it is.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from functools import cached_property

from recall.author.facts import Fact, Succession
from recall.author.lesson import Lesson
from recall.author.sheets import Sheets
from recall.cards import LETTERS, Card, Draft, card_id
from recall.text import fold, format_date


class Maker:
    """Builds drafts for one deck: ids, tags, sources and the supersession flag."""

    def __init__(self, lesson: Lesson, sheets: Sheets) -> None:
        self.lesson, self.sheets = lesson, sheets
        self.successions = [
            (f, [name_pattern(n) for n in f.old_names])
            for f in sheets.facts.values()
            if isinstance(f, Succession)
        ]
        # One word of each old name, lower case: ASCII text without any of them cannot match
        # (checked before folding every card's text, which was a sixth of generation).
        self.succession_words = {
            max(re.findall(r"[a-z0-9]+", n.lower()), key=len, default=n.lower())
            for f, _ in self.successions
            for n in f.old_names
        }

    def draft(
        self,
        fact: Fact,
        kind: str,
        front: str,
        back: str,
        *,
        answer: str | None = None,
        variant: str = "",
        options: tuple[str, ...] = (),
        truths: tuple[bool, ...] = (),
        style: str = "",
        support: str | None = None,
        exempt_stem: bool = False,
    ) -> Draft:
        src = fact.source
        tags = [
            self.lesson.slug,
            f"section::{fact.section}",
            "prelims" if fact.prelims else "mains",
        ]
        tags += [f"topic::{t}" for t in fact.topics]
        answer_text = answer if answer is not None else back  # before the note below
        if src.confidence != "verified":
            back = f"{back}\n(Unconfirmed: {src.confidence}, one source.)"
        letter = LETTERS[truths.index(True)] if truths and sum(truths) == 1 else ""
        card = Card(
            id=card_id(self.lesson.slug, fact.key, kind, variant),
            kind=kind,
            fact=fact.key,
            front=front,
            back=back,
            options=options,
            answer=letter,
            tags=tuple(tags),
            source=src.ref,
            url=src.url or "",
            as_of=src.as_of or "",
        )
        return Draft(
            card=card,
            support=support if support is not None else src.text,
            answer_text=answer_text,
            truths=truths,
            style=style,
            exempt_stem=exempt_stem,
        )

    @cached_property
    def _text(self) -> str:
        return " ".join(i.text for s in self.lesson.sections for i in s.items)

    def uses(self, word: str) -> int:
        """How many times the lesson's text uses ``word`` (an acronym, plural included)."""
        return len(re.findall(rf"(?<![\w-]){re.escape(word)}s?(?![\w-])", self._text))

    def in_prelims_focus(self, word: str) -> bool:
        sections = [s for s in self.lesson.sections if s.kind == "prelims"]
        focus = " ".join(i.text for s in sections for i in s.items)
        return bool(re.search(rf"(?<![\w-]){re.escape(word)}s?(?![\w-])", focus))

    def rng(self, fact: Fact, salt: str) -> random.Random:
        return random.Random(card_id(self.lesson.slug, fact.key, "rng", salt))


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def clip(sentence: str, span: tuple[int, int], words: int = 14) -> tuple[str, str, str]:
    """The text before, inside and after ``span``, trimmed to about ``words`` words each side.

    The sentence's opening words (its subject: what the fact is about) always stay: a long
    stretch before the span is cut in its middle, never at its start.
    """
    before, inside, after = sentence[: span[0]], sentence[span[0] : span[1]], sentence[span[1] :]
    b, a = before.split(" "), after.split(" ")
    if len(b) > words + 2:
        head, tail = b[:6], b[-(words - 6) :]
        before = " ".join(head).rstrip(",;:") + " … " + " ".join(tail)
    if len(a) > words:
        after = " ".join(a[:words]).rstrip(",;:") + " …"
    return before, inside, after


def flag_superseded(m: Maker, draft: Draft, fact: Fact) -> Draft:
    """Append "as of …; since …" to a card that teaches something since replaced."""
    succession: Succession | None = None
    key = fact.superseded_by
    while key:
        target = m.sheets.facts.get(key)
        if isinstance(target, Succession):
            succession = target
            break
        key = target.superseded_by if target else None
    if succession is None and not isinstance(fact, Succession):
        text = draft.card.front + " " + draft.card.back + " " + " ".join(draft.card.options)
        folded: str | None = None
        lowered = text.lower()
        quick_no = text.isascii() and not any(w in lowered for w in m.succession_words)
        for f, patterns in [] if quick_no else m.successions:
            for p, fold_it in patterns:
                if fold_it and folded is None:
                    folded = fold(text)
                if p.search(folded if fold_it and folded is not None else text):
                    succession = f
                    break
            if succession is not None:
                break
    if succession is None:
        return draft
    as_of = format_date(draft.card.as_of) if draft.card.as_of else "the lesson"
    new = f"{succession.new} ({succession.new_long})" if succession.new_long else succession.new
    since = format_date(succession.date)
    flag = f"As of {as_of}. Since {since}, {succession.old} has been succeeded by {new}."
    draft.card = replace(draft.card, back=f"{draft.card.back}\n{flag}")
    draft.notes.append("superseded")
    return draft


def name_pattern(name: str) -> tuple[re.Pattern[str], bool]:
    """A whole-word pattern for a name: exact for acronyms, folded for names in words."""
    if name.isupper():
        return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])"), False
    return re.compile(rf"(?<![\w-]){re.escape(fold(name))}(?![\w-])"), True
