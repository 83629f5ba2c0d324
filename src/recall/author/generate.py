"""Facts → cards: one function per fact type, then the quality rules.

Multiple-choice cards follow the Prelims forms — *which one of the following*, *which one is
NOT*, *consider the following statements*, *match List I with List II* — and draw their
distractors only from a fact sheet's contrast sets and sibling facts, never from nothing.
Choices that need randomness (which distractors, which order) are seeded by the card id, so
regenerating a deck gives the same cards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from recall.author.consistency import Warning, check, overruled
from recall.author.drafting import Maker, cap, clip, flag_superseded
from recall.author.extract import extract
from recall.author.facts import (
    Acronym,
    Attribute,
    Cloze,
    Definition,
    Event,
    Examples,
    Fact,
    LessonList,
    MemberSet,
    Passage,
    Point,
    Succession,
    Target,
)
from recall.author.lesson import Lesson
from recall.author.lesson_mcq import lesson_mcqs
from recall.author.mcq import attribute_mcqs, event_mcqs, match_pairs, member_set
from recall.author.quality import card_problems, duplicate_problems
from recall.author.sheets import Sheets, TopicReport, select
from recall.cards import Card, Draft
from recall.text import format_date


@dataclass
class Generated:
    """A lesson's cards, what was dropped and why, and how its topics matched the sheets."""

    lesson: Lesson
    cards: list[Card]
    dropped: list[tuple[str, str, str]] = field(default_factory=list)  # fact, kind, reason
    topics: TopicReport = field(default_factory=TopicReport)
    facts: int = 0
    warnings: list[Warning] = field(default_factory=list)


# -- lesson facts ------------------------------------------------------------------------


def _acronym(m: Maker, f: Acronym) -> list[Draft]:
    drafts = [m.draft(f, "basic", f"What does {f.short} stand for?", f.long)]
    # The reverse only for an acronym the lesson leans on: used again, or a Prelims topic.
    if m.uses(f.short) >= 2 or m.in_prelims_focus(f.short):
        front = f"What is the abbreviation of “{f.long}”?"
        drafts.append(m.draft(f, "reverse", front, f.short, exempt_stem=False))
    return drafts


_SUPERLATIVE = re.compile(
    r"^the\s+(?:(?:first|second|third|fourth|fifth|only|\d{1,2}(?:st|nd|rd|th))\b|"
    r"(?:[a-z]+-)?[a-z]+est\b|most\s|largest|oldest)",
    re.IGNORECASE,
)


def _definition(m: Maker, f: Definition) -> list[Draft]:
    verb = "are" if f.plural else "is"
    if _SUPERLATIVE.match(f.definition):
        # "Maharashtra is the wealthiest Indian state": ask for the name, not the phrase.
        return [m.draft(f, "basic", f"Which {verb} {f.definition}?", f.term)]
    drafts = [m.draft(f, "basic", f"What {verb} {f.term}?", cap(f.definition) + ".")]
    if len(f.term.split()) <= 5 and len(f.definition.split()) <= 25:
        front = f"Which term is defined as: “{cap(f.definition)}”?"
        drafts.append(m.draft(f, "reverse", front, f.term))
    return drafts


def _examples(m: Maker, f: Examples) -> list[Draft]:
    before, inside, after = clip(f.sentence, f.span)
    return [m.draft(f, "cloze", f"{before}{{{{c1::{inside}}}}}{after}", f.sentence, answer=inside)]


def _cloze(m: Maker, f: Cloze) -> list[Draft]:
    before, inside, after = clip(f.sentence, f.span)
    return [m.draft(f, "cloze", f"{before}{{{{c1::{inside}}}}}{after}", f.sentence, answer=inside)]


_POINT_Q = {
    "importance": "Why does {title} matter from the {name} angle?",
    "way-forward": "{title}, way forward: what does “{name}” involve?",
    "challenges": "{title}, challenges: what is “{name}”?",
}
#: Role labels ("Chairperson: the Prime Minister") become the question a Prelims paper asks.
_ROLE_Q = {
    "chairperson": "Who chairs {title}?",
    "chairman": "Who chairs {title}?",
    "chair": "Who chairs {title}?",
    "head": "Who heads {title}?",
    "headed by": "Who heads {title}?",
    "headquarters": "Where is the headquarters of {title}?",
    "hq": "Where is the headquarters of {title}?",
    "ministry": "Which ministry runs {title}?",
    "nodal ministry": "Which ministry runs {title}?",
    "nodal agency": "Which body runs {title}?",
    "implementing agency": "Which body implements {title}?",
    "launched": "When was {title} launched?",
    "launch year": "When was {title} launched?",
    "established": "When was {title} established?",
    "founded": "When was {title} founded?",
    "members": "Who are the members of {title}?",
    "constitutional provision": "Which constitutional provision covers {title}?",
    "article": "Which Article of the Constitution covers {title}?",
    "location": "Where is {title}?",
    "located in": "Where is {title}?",
    "state": "In which state is {title}?",
    "river": "On which river is {title}?",
}


def _point(m: Maker, f: Point) -> list[Draft]:
    """A labelled bullet: a role label becomes a real question; a list-section bullet asks
    what it involves; any other label makes no card of its own (its sentence still may)."""
    title = m.lesson.short_title
    role = _ROLE_Q.get(f.label.lower().strip())
    if role is not None:
        return [m.draft(f, "basic", role.format(title=title), cap(f.body))]
    q = _POINT_Q.get(f.section)
    return [m.draft(f, "basic", q.format(title=title, name=f.name), cap(f.body))] if q else []


def _target(m: Maker, f: Target) -> list[Draft]:
    owner = f"{f.owner}'s" if f.owner else "the"
    return [m.draft(f, "basic", f"What is {owner} target year for {f.name}?", f.year)]


def _passage(m: Maker, f: Passage) -> list[Draft]:
    # "Why was X in the news?" answered by a paragraph teaches nothing; a short direct
    # answer ("In brief: …") is kept (the answer-length rule drops a long one).
    return [m.draft(f, "basic", f.question, f.text)] if f.section == "direct-answer" else []


_LIST_Q = {
    "importance": "Under which {n} heads does the lesson explain why {title} matters?",
    "dimensions": "Name the {n} key dimensions of {title}.",
    "challenges": "Name the {n} main challenges for {title}.",
    "way-forward": "Name the {n} way-forward measures for {title}.",
}


def _lesson_list(m: Maker, f: LessonList) -> list[Draft]:
    """ "Name the N…" only when every entry is a short name a learner can list."""
    if any(len(e.split()) > 5 or e.endswith("…") or not e[:1].isupper() for e in f.entries):
        return []
    q = _LIST_Q[f.section].format(n=len(f.entries), title=m.lesson.short_title)
    back = "\n".join(f"{i}. {e}" for i, e in enumerate(f.entries, 1))
    return [m.draft(f, "basic", q, back, answer=" ".join(f.entries), exempt_stem=True)]


# -- fact-sheet facts -----------------------------------------------------------------------


def _attribute(m: Maker, f: Attribute) -> list[Draft]:
    subject = f.subject if f.subject.isupper() else f.subject.lower()
    verb = "are" if subject.endswith("s") else "is"
    default = (
        f"What {verb} {subject} mainly used for?"
        if f.attribute == "uses"
        else f"{cap(f.attribute)}: {f.subject}?"
    )
    back = f.value + (f"\n{f.detail}" if f.detail else "")
    drafts = [m.draft(f, "basic", f.question or default, back, answer=f.value)]
    if f.reverse_question:
        drafts.append(m.draft(f, "reverse", f.reverse_question, f.subject))
    return drafts


def _event(m: Maker, f: Event) -> list[Draft]:
    when = format_date(f.date)
    core = f.answer or (f"{when}, {f.place.rstrip('.')}." if f.place else f"{when}.")
    back = core + (f"\n{f.detail}" if f.detail else "")
    return [m.draft(f, "basic", f.question, back, answer=core)]


def _succession(m: Maker, f: Succession) -> list[Draft]:
    when = format_date(f.date)
    new = f"{f.new} ({f.new_long})" if f.new_long else f.new
    back = new + (f"\n{f.detail}" if f.detail else "")
    old = f.old[4:] if f.old.startswith("the ") else f.old
    return [
        m.draft(f, "basic", f"What replaced {f.old} on {when}?", back, answer=new),
        m.draft(
            f,
            "reverse",
            f"{new}, launched on {when}, succeeded which U.S.-led grouping?",
            cap(old),
        ),
    ]


_MAKERS: dict[type, Callable[[Maker, object], list[Draft]]] = {
    Acronym: _acronym,  # type: ignore[dict-item]
    Definition: _definition,  # type: ignore[dict-item]
    Examples: _examples,  # type: ignore[dict-item]
    Cloze: _cloze,  # type: ignore[dict-item]
    Point: _point,  # type: ignore[dict-item]
    Target: _target,  # type: ignore[dict-item]
    Passage: _passage,  # type: ignore[dict-item]
    LessonList: _lesson_list,  # type: ignore[dict-item]
    Attribute: _attribute,  # type: ignore[dict-item]
    Event: _event,  # type: ignore[dict-item]
    Succession: _succession,  # type: ignore[dict-item]
    MemberSet: member_set,  # type: ignore[dict-item]
}


def _interleave(a: list[Draft], b: list[Draft]) -> list[Draft]:
    """Deck order: the lesson's cards and the fact sheets' spread evenly through each other.

    New cards are introduced in deck order, 20 a day by default; without this a learner
    would meet the Prelims multiple-choice cards only after every card of the lesson text.
    """
    if not a or not b:
        return a + b
    out: list[Draft] = []
    ratio = len(a) / len(b)
    i = j = 0
    while i < len(a) or j < len(b):
        if j >= len(b) or (i < len(a) and i < (j + 1) * ratio):
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    return out


def _overrule(
    facts: list[Fact], warnings: list[Warning]
) -> tuple[list[Fact], list[tuple[str, str, str]]]:
    """The sheet wins: facts from a lesson line that contradicts a fact sheet make no card."""
    kept: list[Fact] = []
    dropped: list[tuple[str, str, str]] = []
    for f in facts:
        w = overruled(f, warnings)
        if w is None:
            kept.append(f)
        else:
            dropped.append((f.key, "overruled", f"it contradicts {w.other_ref}; the sheet wins"))
    return kept, dropped


def generate(lesson: Lesson, sheets: Sheets) -> Generated:
    """All the cards for one lesson, each passing the quality rules."""
    extraction = extract(lesson)
    text = "\n".join(i.text for s in lesson.sections for i in s.items) + "\n" + lesson.title
    sheet_facts, report = select(sheets, extraction.topics, text)
    sheet_acronyms = {f.short for f in sheet_facts if isinstance(f, Acronym)}
    lesson_facts = [
        f for f in extraction.facts if not (isinstance(f, Acronym) and f.short in sheet_acronyms)
    ]
    clozes = [f for f in lesson_facts if isinstance(f, Cloze)]
    warnings = check(lesson, sheets, sheet_facts, clozes)
    lesson_facts, overruled = _overrule(lesson_facts, warnings)
    maker = Maker(lesson, sheets)
    groups: dict[str, list[Attribute]] = {}
    from_lesson: list[Draft] = []
    from_sheets: list[Draft] = []
    for fact in [*lesson_facts, *sheet_facts]:
        made = [flag_superseded(maker, d, fact) for d in _MAKERS[type(fact)](maker, fact)]
        (from_lesson if fact in lesson_facts else from_sheets).extend(made)
        if isinstance(fact, Attribute) and fact.group:
            groups.setdefault(fact.group, []).append(fact)
    for group, members in groups.items():
        from_sheets.extend(match_pairs(maker, group, members))
    attributes = [f for f in sheet_facts if isinstance(f, Attribute)]
    from_sheets.extend(attribute_mcqs(maker, attributes, text))
    from_sheets.extend(event_mcqs(maker, [f for f in sheet_facts if isinstance(f, Event)], text))
    if not any(d.card.kind == "mcq" for d in from_sheets):
        from_lesson.extend(lesson_mcqs(maker, [f for f in lesson_facts if isinstance(f, Cloze)]))
    drafts = _interleave(from_lesson, from_sheets)
    result = Generated(
        lesson=lesson,
        cards=[],
        topics=report,
        facts=len(lesson_facts) + len(sheet_facts),
        warnings=warnings,
        dropped=overruled,
    )
    passing: list[Card] = []
    for d in drafts:
        problems = card_problems(d)
        if problems:
            result.dropped.append((d.card.fact, d.card.kind, problems[0]))
        else:
            passing.append(d.card.stamped())
    dupes = duplicate_problems(passing)
    for card in passing:
        if card.id in dupes:
            result.dropped.append((card.fact, card.kind, dupes[card.id]))
        else:
            result.cards.append(card)
    if not any(c.kind == "mcq" for c in result.cards):
        result.dropped.append(("lesson", "mcq", NO_MCQ_SHEETS if sheet_facts else NO_MCQ))
    return result


#: The same, for a lesson whose fact-sheet facts are single attributes or events.
NO_MCQ_SHEETS = (
    "no multiple-choice card: the fact-sheet facts this lesson matched are not sets or groups "
    "of sibling attributes, and it states fewer than two values of one kind (whole dates, or "
    "amounts in one unit) to set against each other"
)
#: Prelims is multiple choice: a lesson without one says why, so the teacher can add a sheet.
NO_MCQ = (
    "no multiple-choice card: no fact sheet matches this lesson and it states fewer than two "
    "values of one kind (whole dates, or amounts in one unit) to set against each other"
)
