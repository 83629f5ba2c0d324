"""Prelims multiple-choice cards from fact-sheet sets and attribute groups.

The forms UPSC uses — *which one of the following*, *which one is NOT*, *consider the
following statements*, *match List I with List II*. Distractors come only from a set's
contrast list (things verifiably not in it) or from sibling facts, and only verified facts
(two sources) make a question, so a wrong option is wrong by the sheet, not by guesswork.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from recall.author.drafting import Maker, plural
from recall.author.facts import Attribute, Event, MemberSet
from recall.cards import LETTERS, Draft
from recall.text import contains_phrase, fold, format_date, human_join

#: Sibling MCQs per attribute group in one deck: every sibling the lesson names, up to this
#: many; two when it names none, so a lesson on Fundamental Rights is not flooded with
#: questions on Schedules that a Prelims Focus line merely pulled in.
MAX_SIBLING_MCQS = 6
_UNNAMED_SIBLING_MCQS = 2
#: Date MCQs from fact-sheet events in one deck.
MAX_EVENT_MCQS = 3


def member_set(m: Maker, f: MemberSet) -> list[Draft]:
    """Name-them-all (short sets), then the three Prelims forms when the set is verified."""
    drafts: list[Draft] = []
    if f.question or (len(f.members) <= 7 and f.key not in m.sheets.partial):
        # "the five founding members of ASEAN" already says how many: not "Name the 5 the five"
        name = f.name if f.name.startswith("the ") else f"the {len(f.members)} {f.name}"
        q = f.question or f"Name {name}."
        core = f.answer or human_join(list(f.members))
        drafts.append(m.draft(f, "basic", q, core, answer=core, exempt_stem=True))
    if f.source.confidence != "verified" or len(f.contrast) < 1:
        return drafts
    verb = m.sheets.verbs.get(f.key, "is")
    note = f"\n{f.contrast_note}" if f.contrast_note else ""
    if len(f.contrast) >= 3:
        drafts.extend(_which(m, f, verb, note))
    if f.key in m.sheets.partial:
        return drafts  # members are some, not all: "NOT a member" could be false
    if len(f.members) >= 3:
        drafts.append(_which_not(m, f, verb, note))
    drafts.extend(_statements(m, f, verb, note))
    return drafts


def _were(verb: str) -> str:
    return "were" if verb == "was" else "are"


def _which(m: Maker, f: MemberSet, verb: str, note: str) -> list[Draft]:
    """Which one of the following IS …: one member (each highlighted one), three outsiders."""
    drafts: list[Draft] = []
    for member in f.highlight or f.members[:1]:
        rng = m.rng(f, f"which:{member}")
        options = [member, *rng.sample(list(f.contrast), 3)]
        rng.shuffle(options)
        front = f"Which one of the following {plural(f.noun)} {verb} {f.relation}?"
        back = f"{member} {verb} {f.relation}. The others {_were(verb)} not.{note}"
        drafts.append(
            m.draft(
                f,
                "mcq",
                front,
                back,
                answer=member,
                variant=f"which:{member}",
                options=tuple(options),
                truths=tuple(o == member for o in options),
                style="which",
            )
        )
    return drafts


def _which_not(m: Maker, f: MemberSet, verb: str, note: str) -> Draft:
    """Which one is NOT …: three members (highlighted first), one outsider."""
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
    front = f"Which one of the following {plural(f.noun)} {verb} NOT {f.relation}?"
    back = f"{outsider} {verb} not; {human_join(insiders)} {_were(verb)}.{note}"
    return m.draft(
        f,
        "mcq",
        front,
        back,
        answer=outsider,
        variant="not",
        options=tuple(choices),
        truths=tuple(o == outsider for o in choices),
        style="not",
    )


def _statements(m: Maker, f: MemberSet, verb: str, note: str) -> list[Draft]:
    """Consider the following statements: two claims, each true or false by the sheet."""
    rng = m.rng(f, "statements")
    claims = [(x, True) for x in rng.sample(list(f.members), min(2, len(f.members)))]
    claims += [(x, False) for x in rng.sample(list(f.contrast), min(2, len(f.contrast)))]
    rng.shuffle(claims)
    picked = claims[:2]
    if len(picked) != 2:
        return []
    statements = "\n".join(f"{i}. {x} {verb} {f.relation}." for i, (x, _) in enumerate(picked, 1))
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
    return [
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
    ]


def match_pairs(m: Maker, group: str, facts: list[Attribute]) -> list[Draft]:
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


def attribute_mcqs(m: Maker, chosen: list[Attribute], text: str) -> list[Draft]:
    """*Which one of the following* from fact-sheet attributes: the deck's attributes that
    have a reverse question, asked with three sibling subjects as the false options.

    Facts the lesson names come first (all of them, up to :data:`MAX_SIBLING_MCQS` a group);
    a group the lesson never names gives two."""
    by_group: dict[str, list[Attribute]] = {}
    for f in chosen:
        if f.reverse_question and f.source.confidence == "verified" and not f.superseded_by:
            by_group.setdefault(_kind(m, f), []).append(f)
    drafts: list[Draft] = []
    for group in by_group.values():
        named = [f for f in group if contains_phrase(text, _bare(f.subject))]
        picked = named[:MAX_SIBLING_MCQS] if named else group[:_UNNAMED_SIBLING_MCQS]
        for f in picked:
            draft = _sibling_which(m, f, group, _pool(m, f))
            if draft is not None:
                drafts.append(draft)
    return drafts


def _kind(m: Maker, f: Attribute) -> str:
    """Facts are siblings when one sheet puts them in one ``group``, or, without a group,
    when they give the same attribute under a shared topic."""
    sheet = m.sheets.sheet_of(f.key)
    if f.group:
        return f"{sheet}|group|{f.group}"
    return f"{sheet}|attr|{f.attribute}|{','.join(sorted(f.topics))}"


def _is_sibling(m: Maker, f: Attribute, g: Attribute) -> bool:
    if g.key == f.key or g.source.confidence != "verified" or g.superseded_by:
        return False
    if m.sheets.sheet_of(g.key) != m.sheets.sheet_of(f.key):
        return False
    if f.group:
        return g.group == f.group
    return not g.group and g.attribute == f.attribute and bool(set(g.topics) & set(f.topics))


def _pool(m: Maker, f: Attribute) -> list[Attribute]:
    """Every sibling in the loaded sheets, in sheet order (the deck's own are tried first)."""
    return [g for g in m.sheets.facts.values() if isinstance(g, Attribute) and _is_sibling(m, f, g)]


def _bare(subject: str) -> str:
    return subject[4:] if subject.lower().startswith("the ") else subject


def _sibling_which(
    m: Maker, f: Attribute, deck: list[Attribute], pool: list[Attribute]
) -> Draft | None:
    """The reverse question with four subjects. A false option is another fact of the same
    kind whose value differs from this fact's, so the sheet itself says it is not the answer;
    an option the question names, or that repeats another's value or subject, is refused.
    Siblings in the deck are preferred (Article 14, 19, 32 for a Fundamental Rights lesson)."""
    question = f.reverse_question or ""
    seen_subjects, seen_values = {fold(f.subject)}, {fold(f.value)}
    siblings: list[Attribute] = []
    for g in dict.fromkeys([*deck, *pool]):
        if not _is_sibling(m, f, g) or fold(g.subject) in seen_subjects:
            continue
        if fold(g.value) in seen_values or contains_phrase(question, _bare(g.subject)):
            continue
        seen_subjects.add(fold(g.subject))
        seen_values.add(fold(g.value))
        siblings.append(g)
    if len(siblings) < 3:
        return None
    rng = m.rng(f, "siblings")
    in_deck = sum(1 for g in siblings if g in deck)
    chosen = rng.sample(siblings[: max(3, in_deck)], 3)
    facts = [f, *chosen]
    names = _options([_bare(x.subject) for x in facts])
    order = list(range(4))
    rng.shuffle(order)
    options = tuple(names[i] for i in order)
    back = "\n".join(
        f"{names[i]}: {x.value}" + ("" if i == 0 else f" ({m.sheets.sheet_of(x.key)}#{x.key})")
        for i, x in enumerate(facts)
    )
    support = " | ".join(f"{x.subject} {x.value} {x.source.text}" for x in facts)
    return m.draft(
        f,
        "mcq",
        question,
        back,
        answer=names[0],
        variant="siblings",
        options=options,
        truths=tuple(i == 0 for i in order),
        style="which",
        support=support,
    )


def _options(names: list[str]) -> list[str]:
    """Drop a tail every option shares (``Part III of the Constitution`` → ``Part III``)."""
    tails = [n.split(" of the ", 1)[1] for n in names if " of the " in n]
    if len(tails) == len(names) and len(set(tails)) == 1:
        names = [n.split(" of the ", 1)[0] for n in names]
    return [n[:1].upper() + n[1:] for n in names]


def event_mcqs(m: Maker, chosen: list[Event], text: str) -> list[Draft]:
    """*When was …?* with four dates: the event's own and three other events' of the same
    sheet, at the same precision (a day, a month or a year). An event happens on one date, so
    another event's date is false for it by the sheet; events the lesson names come first."""
    usable = [
        f
        for f in chosen
        if re.match(r"(When (was|were|did)|On what date|In which year|In what year)\b", f.question)
        and not re.search(r"\b(where|and in which|which amendment)\b", f.question, re.I)
        and not re.search(r"\band (\w+ed|brought|put|set)\b", _when_only(f.question))
        and f.source.confidence == "verified"
        and not f.superseded_by
    ]
    usable.sort(key=lambda f: not any(contains_phrase(text, n) for n in _event_names(f)))
    drafts = []
    for f in usable:
        draft = _event_which(m, f)
        if draft is not None:
            drafts.append(draft)
        if len(drafts) >= MAX_EVENT_MCQS:
            break
    return drafts


def _when_only(question: str) -> str:
    """The date half of a two-part question ("When was X signed, and what kind of treaty is
    it?" → "When was X signed?"): four dates answer only that half."""
    head = re.split(
        r",? and (?:\w+ )?(?:what|which|whom|whose|who|how|when|where)\b"
        r"|, (?:\w+ )?(?:what|which|whom|whose|who|how)\b",
        question,
    )[0]
    return head.rstrip(" ?,") + "?"


def _event_names(f: Event) -> list[str]:
    return re.findall(r"[A-Z][\w-]+(?: (?:of |on |the )?[A-Z][\w-]+)+|[A-Z]{2,}", f.what)


def _event_which(m: Maker, f: Event) -> Draft | None:
    sheet = m.sheets.sheet_of(f.key)
    others = [
        g
        for g in m.sheets.facts.values()
        if isinstance(g, Event)
        and g.key != f.key
        and m.sheets.sheet_of(g.key) == sheet
        and len(g.date) == len(f.date)
        and g.source.confidence == "verified"
    ]
    others.sort(key=lambda g: not set(g.topics) & set(f.topics))  # related events first
    seen = {f.date}
    siblings = []
    for g in others:
        if g.date not in seen:
            seen.add(g.date)
            siblings.append(g)
    if len(siblings) < 3:
        return None
    rng = m.rng(f, "event-dates")
    near = [g for g in siblings if set(g.topics) & set(f.topics)]
    chosen = rng.sample(near if len(near) >= 3 else siblings[: max(6, len(near))], 3)
    facts = [f, *chosen]
    dates = [format_date(x.date) for x in facts]
    order = list(range(4))
    rng.shuffle(order)
    back = "\n".join(
        f"{dates[i]}: {x.what}" + ("" if i == 0 else f" ({sheet}#{x.key})")
        for i, x in enumerate(facts)
    )
    return m.draft(
        f,
        "mcq",
        _when_only(f.question),
        back,
        answer=dates[0],
        variant="dates",
        options=tuple(dates[i] for i in order),
        truths=tuple(i == 0 for i in order),
        style="which",
        support=" | ".join(f"{format_date(x.date)} {x.what} {x.source.text}" for x in facts),
    )
