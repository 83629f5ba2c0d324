"""Facts → cards: one function per fact type, then the quality rules.

Multiple-choice cards follow the Prelims forms — *which one of the following*, *which one is
NOT*, *consider the following statements*, *match List I with List II* — and draw their
distractors only from a fact sheet's contrast sets and sibling facts, never from nothing.
Choices that need randomness (which distractors, which order) are seeded by the card id, so
regenerating a deck gives the same cards.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

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
    extract,
)
from recall.author.lesson import Lesson
from recall.author.quality import card_problems, duplicate_problems
from recall.author.sheets import Sheets, TopicReport, select
from recall.cards import LETTERS, Card, Draft, card_id
from recall.text import fold, format_date, human_join


@dataclass
class Generated:
    """A lesson's cards, what was dropped and why, and how its topics matched the sheets."""

    lesson: Lesson
    cards: list[Card]
    dropped: list[tuple[str, str, str]] = field(default_factory=list)  # fact, kind, reason
    topics: TopicReport = field(default_factory=TopicReport)
    facts: int = 0


class _Maker:
    """Builds drafts for one deck: ids, tags, sources and the supersession flag."""

    def __init__(self, lesson: Lesson, sheets: Sheets) -> None:
        self.lesson, self.sheets = lesson, sheets
        self.successions = [
            (f, [_name_pattern(n) for n in f.old_names])
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
            answer_text=answer if answer is not None else back,
            truths=truths,
            style=style,
            exempt_stem=exempt_stem,
        )

    def rng(self, fact: Fact, salt: str) -> random.Random:
        return random.Random(card_id(self.lesson.slug, fact.key, "rng", salt))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def _clip(sentence: str, span: tuple[int, int], words: int = 14) -> tuple[str, str, str]:
    """The text before, inside and after ``span``, trimmed to ``words`` words each side."""
    before, inside, after = sentence[: span[0]], sentence[span[0] : span[1]], sentence[span[1] :]
    b, a = before.split(" "), after.split(" ")
    if len(b) > words:
        before = "… " + " ".join(b[-words:])
    if len(a) > words:
        after = " ".join(a[:words]).rstrip(",;:") + " …"
    return before, inside, after


# -- lesson facts ------------------------------------------------------------------------


def _acronym(m: _Maker, f: Acronym) -> list[Draft]:
    return [
        m.draft(f, "basic", f"What does {f.short} stand for?", f.long),
        m.draft(
            f, "reverse", f"What is the abbreviation of “{f.long}”?", f.short, exempt_stem=False
        ),
    ]


def _definition(m: _Maker, f: Definition) -> list[Draft]:
    return [
        m.draft(
            f, "basic", f"What {'are' if f.plural else 'is'} {f.term}?", _cap(f.definition) + "."
        ),
        m.draft(f, "reverse", f"Which term is defined as: “{_cap(f.definition)}”?", f.term),
    ]


def _examples(m: _Maker, f: Examples) -> list[Draft]:
    before, inside, after = _clip(f.sentence, f.span)
    return [m.draft(f, "cloze", f"{before}{{{{c1::{inside}}}}}{after}", f.sentence, answer=inside)]


def _cloze(m: _Maker, f: Cloze) -> list[Draft]:
    before, inside, after = _clip(f.sentence, f.span)
    return [m.draft(f, "cloze", f"{before}{{{{c1::{inside}}}}}{after}", f.sentence, answer=inside)]


_POINT_Q = {
    "importance": "Why does {title} matter from the {name} angle?",
    "dimensions": "{title}: what does the {name} dimension involve?",
    "way-forward": "{title}, way forward: what does “{name}” involve?",
    "challenges": "{title}, challenges: what is “{name}”?",
}
_REVERSE_Q = {
    "dimensions": "{title}: which dimension is this?\n{body}",
    "way-forward": "{title}: which way-forward measure is this?\n{body}",
}


def _point(m: _Maker, f: Point) -> list[Draft]:
    title = m.lesson.short_title
    q = _POINT_Q.get(f.section, "{title}: what does the lesson say about “{name}”?")
    drafts = [m.draft(f, "basic", q.format(title=title, name=f.name), _cap(f.body))]
    if f.section in _REVERSE_Q:
        front = _REVERSE_Q[f.section].format(title=title, body=_cap(f.body))
        drafts.append(m.draft(f, "reverse", front, f.name))
    return drafts


def _target(m: _Maker, f: Target) -> list[Draft]:
    owner = f"{f.owner}'s" if f.owner else "the"
    return [m.draft(f, "basic", f"What is {owner} target year for {f.name}?", f.year)]


def _passage(m: _Maker, f: Passage) -> list[Draft]:
    return [m.draft(f, "basic", f.question, f.text)]


_LIST_Q = {
    "importance": "Under which {n} heads does the lesson explain why {title} matters?",
    "dimensions": "Name the {n} key dimensions of {title}.",
    "challenges": "Name the {n} main challenges for {title}.",
    "way-forward": "Name the {n} way-forward measures for {title}.",
}


def _lesson_list(m: _Maker, f: LessonList) -> list[Draft]:
    q = _LIST_Q[f.section].format(n=len(f.entries), title=m.lesson.short_title)
    back = "\n".join(f"{i}. {e}" for i, e in enumerate(f.entries, 1))
    return [m.draft(f, "basic", q, back, answer=" ".join(f.entries), exempt_stem=True)]


# -- fact-sheet facts -----------------------------------------------------------------------


def _attribute(m: _Maker, f: Attribute) -> list[Draft]:
    subject = f.subject if f.subject.isupper() else f.subject.lower()
    verb = "are" if subject.endswith("s") else "is"
    default = (
        f"What {verb} {subject} mainly used for?"
        if f.attribute == "uses"
        else f"{_cap(f.attribute)}: {f.subject}?"
    )
    back = f.value + (f"\n{f.detail}" if f.detail else "")
    drafts = [m.draft(f, "basic", f.question or default, back, answer=f.value)]
    if f.reverse_question:
        drafts.append(m.draft(f, "reverse", f.reverse_question, f.subject))
    return drafts


def _event(m: _Maker, f: Event) -> list[Draft]:
    when = format_date(f.date)
    core = f.answer or (f"{when}, {f.place.rstrip('.')}." if f.place else f"{when}.")
    back = core + (f"\n{f.detail}" if f.detail else "")
    return [m.draft(f, "basic", f.question, back, answer=core)]


def _succession(m: _Maker, f: Succession) -> list[Draft]:
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
            _cap(old),
        ),
    ]


def _member_set(m: _Maker, f: MemberSet) -> list[Draft]:
    drafts: list[Draft] = []
    verb = m.sheets.verbs.get(f.key, "is")
    nouns = _plural(f.noun)
    were = "were" if verb == "was" else "are"
    if f.question or len(f.members) <= 7:
        q = f.question or f"Name the {len(f.members)} {f.name}."
        core = f.answer or human_join(list(f.members))
        drafts.append(m.draft(f, "basic", q, core, answer=core, exempt_stem=True))
    if f.source.confidence != "verified" or len(f.contrast) < 1:
        return drafts
    note = f"\n{f.contrast_note}" if f.contrast_note else ""
    # Which one of the following IS …: one member (each highlighted one), three outsiders.
    if len(f.contrast) >= 3:
        for member in f.highlight or f.members[:1]:
            rng = m.rng(f, f"which:{member}")
            options = [member, *rng.sample(list(f.contrast), 3)]
            rng.shuffle(options)
            truths = tuple(o == member for o in options)
            front = f"Which one of the following {nouns} {verb} {f.relation}?"
            back = f"{member} {verb} {f.relation}. The others {were} not.{note}"
            drafts.append(
                m.draft(
                    f,
                    "mcq",
                    front,
                    back,
                    answer=member,
                    variant=f"which:{member}",
                    options=tuple(options),
                    truths=truths,
                    style="which",
                )
            )
    # Which one is NOT …: three members (highlighted first), one outsider.
    if len(f.members) >= 3:
        rng = m.rng(f, "not")
        pool = list(f.highlight) + [x for x in f.members if x not in f.highlight]
        insiders = (
            pool[:3]
            if len(f.highlight) >= 3
            else [*f.highlight, *rng.sample(pool[len(f.highlight) :], 3 - len(f.highlight))]
        )
        outsider = rng.choice(list(f.contrast))
        choices = [*insiders, outsider]
        rng.shuffle(choices)
        truths = tuple(o == outsider for o in choices)
        front = f"Which one of the following {nouns} {verb} NOT {f.relation}?"
        back = f"{outsider} {verb} not; {human_join(insiders)} {were}.{note}"
        drafts.append(
            m.draft(
                f,
                "mcq",
                front,
                back,
                answer=outsider,
                variant="not",
                options=tuple(choices),
                truths=truths,
                style="not",
            )
        )
    # Consider the following statements: two claims, each true or false by the sheet.
    rng = m.rng(f, "statements")
    claims = [(x, True) for x in rng.sample(list(f.members), min(2, len(f.members)))]
    claims += [(x, False) for x in rng.sample(list(f.contrast), min(2, len(f.contrast)))]
    rng.shuffle(claims)
    picked = claims[:2]
    if len(picked) == 2:
        statements = "\n".join(
            f"{i}. {x} {verb} {f.relation}." for i, (x, _) in enumerate(picked, 1)
        )
        t1, t2 = picked[0][1], picked[1][1]
        codes = ("1 only", "2 only", "Both 1 and 2", "Neither 1 nor 2")
        truths = (t1 and not t2, t2 and not t1, t1 and t2, not t1 and not t2)
        front = (
            f"Consider the following statements:\n{statements}\n"
            "Which of the statements given above is/are correct?"
        )
        verdicts = " ".join(
            f"{i}: {'correct' if t else 'incorrect'}." for i, (_, t) in enumerate(picked, 1)
        )
        support = f.source.text + " | 1 only 2 only Both 1 and 2 Neither 1 nor 2"
        drafts.append(
            m.draft(
                f,
                "mcq",
                front,
                f"{verdicts}{note}",
                answer=codes[truths.index(True)],
                variant="statements",
                options=codes,
                truths=truths,
                style="statements",
                support=support,
            )
        )
    return drafts


def _match_pairs(m: _Maker, group: str, facts: list[Attribute]) -> list[Draft]:
    """*Match List I with List II* over a group of attributes with distinctive ``pair`` values."""
    usable = [f for f in facts if f.key in m.sheets.pairs and f.source.confidence == "verified"]
    if len(usable) < 4:
        return []
    anchor = usable[0]
    rng = m.rng(anchor, f"match:{group}")
    chosen = rng.sample(usable, 4)
    uses = [m.sheets.pairs[f.key] for f in chosen]
    order = list(range(4))
    rng.shuffle(order)  # List II position of each List I item
    list2 = [""] * 4
    for i, pos in enumerate(order):
        list2[pos] = uses[i]
    right = tuple(order)
    wrong = [p for p in itertools.permutations(range(4)) if p != right]
    rng.shuffle(wrong)
    codes = [right, *wrong[:3]]
    rng.shuffle(codes)

    def code(p: tuple[int, ...]) -> str:
        return ", ".join(f"{LETTERS[i]}-{p[i] + 1}" for i in range(4))

    subject_label = "mineral" if group == "mineral-uses" else "item"
    front = (
        f"Match List I ({subject_label}) with List II (use):\n"
        + "\n".join(f"{LETTERS[i]}. {f.subject}" for i, f in enumerate(chosen))
        + "\nList II\n"
        + "\n".join(f"{i + 1}. {u}" for i, u in enumerate(list2))
        + "\nSelect the correct answer using the code given below:"
    )
    back = "\n".join(f"{f.subject}: {m.sheets.pairs[f.key]}" for f in chosen)
    group_fact = replace(
        anchor,
        key=f"match:{group}",
        source=replace(
            anchor.source,
            ref=", ".join(f.source.ref for f in chosen),
            url=" ".join(dict.fromkeys(f.source.url or "" for f in chosen)).strip(),
            text=" | ".join(f"{f.subject} {m.sheets.pairs[f.key]} {f.source.text}" for f in chosen),
        ),
    )
    options = tuple(code(p) for p in codes)
    truths = tuple(p == right for p in codes)
    support = group_fact.source.text + " " + " ".join(options)
    return [
        m.draft(
            group_fact,
            "mcq",
            front,
            back,
            answer=code(right),
            variant="match",
            options=options,
            truths=truths,
            style="match",
            support=support,
        )
    ]


_MAKERS: dict[type, Callable[[_Maker, object], list[Draft]]] = {
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
    MemberSet: _member_set,  # type: ignore[dict-item]
}


def _flag_superseded(m: _Maker, draft: Draft, fact: Fact) -> Draft:
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


def _name_pattern(name: str) -> tuple[re.Pattern[str], bool]:
    """A whole-word pattern for a name: exact for acronyms, folded for names in words."""
    if name.isupper():
        return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])"), False
    return re.compile(rf"(?<![\w-]){re.escape(fold(name))}(?![\w-])"), True


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


def generate(lesson: Lesson, sheets: Sheets) -> Generated:
    """All the cards for one lesson, each passing the quality rules."""
    extraction = extract(lesson)
    text = "\n".join(i.text for s in lesson.sections for i in s.items) + "\n" + lesson.title
    sheet_facts, report = select(sheets, extraction.topics, text)
    sheet_acronyms = {f.short for f in sheet_facts if isinstance(f, Acronym)}
    lesson_facts = [
        f for f in extraction.facts if not (isinstance(f, Acronym) and f.short in sheet_acronyms)
    ]
    maker = _Maker(lesson, sheets)
    groups: dict[str, list[Attribute]] = {}
    from_lesson: list[Draft] = []
    from_sheets: list[Draft] = []
    for fact in [*lesson_facts, *sheet_facts]:
        made = [_flag_superseded(maker, d, fact) for d in _MAKERS[type(fact)](maker, fact)]
        (from_lesson if fact in lesson_facts else from_sheets).extend(made)
        if isinstance(fact, Attribute) and fact.group:
            groups.setdefault(fact.group, []).append(fact)
    for group, members in groups.items():
        from_sheets.extend(_match_pairs(maker, group, members))
    drafts = _interleave(from_lesson, from_sheets)
    result = Generated(
        lesson=lesson, cards=[], topics=report, facts=len(lesson_facts) + len(sheet_facts)
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
    return result
