"""Prelims multiple choice from a lesson's own facts, when no fact sheet covers the lesson.

Each cloze fact is a statement the lesson makes about one subject, with the value it states
(a date, or an amount in a unit). A *which one of the following*
card blanks that value and offers three other values **of the same kind from the same
lesson** — another date of the text, another count of the same unit. They are wrong because the
lesson states the true value for that very sentence; nothing is invented. *Consider the
following statements* pairs two such statements, each either as the lesson says it or with
the other's value swapped in. Every explanation quotes the lesson line it rests on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from recall.author.drafting import Maker, clip
from recall.author.facts import Cloze
from recall.cards import Draft
from recall.text import fold

#: Enough for a lesson to yield a few, not so many that they crowd out the plain cards.
MAX_PER_LESSON = 4
_CODES = ("1 only", "2 only", "Both 1 and 2", "Neither 1 nor 2")


def _value(f: Cloze) -> str:
    return f.sentence[f.span[0] : f.span[1]]


def _with(f: Cloze, value: str) -> str:
    before, _, after = clip(f.sentence, f.span, words=12)
    return f"{before}{value}{after}"


def lesson_mcqs(m: Maker, clozes: list[Cloze]) -> list[Draft]:
    """Up to :data:`MAX_PER_LESSON` cards: *which one* where a kind has four values, else
    *consider the statements* where it has two."""
    groups: dict[str, list[Cloze]] = defaultdict(list)
    for f in clozes:
        if _comparable(f):
            groups[f.category].append(f)
    drafts: list[Draft] = []
    for cat in sorted(groups, key=lambda c: (-len(groups[c]), c)):
        group = _distinct(groups[cat])
        if len(group) >= 4:
            drafts.extend(_which(m, f, group) for f in group[:2])
        elif len(group) >= 2:
            drafts.append(_statements(m, group[0], group[1]))
        if len(drafts) >= MAX_PER_LESSON:
            break
    return drafts[:MAX_PER_LESSON]


def _comparable(f: Cloze) -> bool:
    """Values that can stand in for each other: whole dates and amounts in one unit. Names
    are left out ("the Chandela temple" is nonsense, not a false fact), and so are Articles:
    prose cites several for one subject ("rulings on liberty under Article 21" is not made
    false by Article 32)."""
    value = _value(f)
    if f.category == "date":
        return _date_key(value) is not None
    return f.category.startswith("qty:") and f.category != "qty:"


def _date_key(value: str) -> str | None:
    """``1 January 2015`` and ``January 1, 2015`` are one date (the same option twice)."""
    raw = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", value).replace(",", " ")
    raw = re.sub(r"\s+", " ", raw).strip()
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%B %Y", "%b %Y"):
        try:
            return datetime.strptime(raw, fmt).strftime("%Y-%m-%d" if "%d" in fmt else "%Y-%m")
        except ValueError:
            continue
    return None


def _key(f: Cloze) -> str:
    value = _value(f)
    return (_date_key(value) if f.category == "date" else None) or fold(value)


def _distinct(group: list[Cloze]) -> list[Cloze]:
    """One statement per value: two sentences stating the same value give no false option,
    and a sentence that already names another statement's value could make it true."""
    seen: set[str] = set()
    out: list[Cloze] = []
    for f in group:
        key = _key(f)
        if any(key.startswith(k) or k.startswith(key) for k in seen):
            continue  # "May 2016" against "May 18, 2016": the month is not a false date
        if any(fold(_value(g)) in fold(f.sentence) or fold(_value(f)) in fold(g.sentence)
               for g in out):  # fmt: skip
            continue
        seen.add(key)
        out.append(f)
    return out


def _which(m: Maker, f: Cloze, group: list[Cloze]) -> Draft:
    rng = m.rng(f, "lesson-which")
    others = [_value(g) for g in group if g is not f]
    options = [_value(f), *rng.sample(others, 3)]
    rng.shuffle(options)
    before, _, after = clip(f.sentence, f.span)
    front = f"{before}_____{after}\nWhich one of the following fills the blank?"
    back = f"{_value(f)}. The lesson says: “{f.sentence}” ({f.source.ref})"
    support = " ".join(g.sentence for g in group)
    return m.draft(
        f,
        "mcq",
        front,
        back,
        answer=_value(f),
        variant="lesson-which",
        options=tuple(options),
        truths=tuple(o == _value(f) for o in options),
        style="which",
        support=support,
    )


def _statements(m: Maker, a: Cloze, b: Cloze) -> Draft:
    """Two statements, each true as the lesson says it or false with the other's value."""
    rng = m.rng(a, f"lesson-statements:{b.key}")
    t1, t2 = rng.choice([(True, False), (False, True), (True, True), (False, False)])
    s1 = _with(a, _value(a) if t1 else _value(b))
    s2 = _with(b, _value(b) if t2 else _value(a))
    front = (
        f"Consider the following statements:\n1. {s1}\n2. {s2}\n"
        "Which of the statements given above is/are correct?"
    )
    truths = (t1 and not t2, t2 and not t1, t1 and t2, not t1 and not t2)
    verdicts = []
    for i, (ok, f) in enumerate(((t1, a), (t2, b)), 1):
        verdict = "correct" if ok else f"incorrect: the lesson gives {_value(f)}"
        verdicts.append(f"{i}: {verdict} (“{f.sentence}”, {f.source.ref}).")
    support = f"{a.sentence} {b.sentence} | " + " ".join(_CODES)
    return m.draft(
        a,
        "mcq",
        front,
        "\n".join(verdicts),
        answer=_CODES[truths.index(True)],
        variant=f"lesson-statements:{b.key}",
        options=_CODES,
        truths=truths,
        style="statements",
        support=support,
    )
