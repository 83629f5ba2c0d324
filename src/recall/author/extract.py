"""The facts a lesson states in its own text: acronyms, definitions, labelled points, lists,
examples, targets and numbers, each with the lesson line it comes from.

Extraction is rule-based and conservative: a sentence yields a fact only when its shape says
what the fact is (``Term (ACR)``, ``X is a …``, ``Label: body``), so a card can always be
traced to a line a teacher wrote.
"""

from __future__ import annotations

import re
from dataclasses import replace

from recall.author.facts import (
    Acronym,
    Cloze,
    Definition,
    Examples,
    Extraction,
    Fact,
    LessonList,
    ListItem,
    Passage,
    Point,
    Source,
    Target,
)
from recall.author.lesson import Item, Lesson, Section
from recall.author.spans import category, salient
from recall.text import STOPWORDS, format_date, slugify

#: Sections whose items are prompts or syllabus pointers, not facts to drill.
NON_FACT_SECTIONS = frozenset({"prelims", "mains", "how-asked", "upsc-relevance"})
#: Sections whose bullets are lists a learner should be able to name.
LIST_SECTIONS = {
    "importance": "why it matters",
    "dimensions": "key dimensions",
    "challenges": "challenges",
    "way-forward": "way forward",
}


_ACRONYM = re.compile(r"\(([A-Z][A-Za-z&]{1,9}?)(s?)\)")
_LEAD_DET = {"the", "a", "an", "this", "that", "these", "those", "its", "their", "our"}
_DEFINITION = re.compile(
    r"^(?:The\s+)?(?P<term>[A-Z][\w'.&-]*(?:\s+(?:[\w'.&-]+)){0,5}?)(?:\s+\([A-Z][A-Za-z]{1,9}\))?\s+"
    r"(?P<verb>is|are|refers to|means)\s+(?P<def>(?:the|a|an)\s.{12,})$"
)
_CLAUSE_END = re.compile(
    r",?\s+and\s+(?:has|is|was|had|have|are|were)\b|,\s+(?:which|while|but|whereas|nearly)\b|;\s"
)
_NOT_TERMS = {"this", "that", "it", "these", "there", "here", "he", "she", "they", "we", "such"}
_PAREN_EXAMPLES = re.compile(
    r"\((?:e\.\s?g\.|eg\.|for example|such as|like|including|viz\.?)\s*,?\s*([^()]{3,200}?)\)",
    re.IGNORECASE,
)
_CAP = r"[A-Z][\w'-]*(?:\s+(?:of\s+)?[A-Z][\w'-]*)*"
_INLINE_EXAMPLES = re.compile(
    rf"\b(?:such as|like|including)\s+"
    rf"((?:{_CAP})(?:\s*,\s*(?:and\s+)?{_CAP})*\s*,?\s*(?:and|or)\s+{_CAP})"
)
_LABEL = re.compile(r"^(?P<label>[A-Z][^:]{1,70}?)\s*:\s+(?P<body>\S.{8,})$")
_TARGET = re.compile(
    r"\b((?:[A-Z][\w-]*\s+){1,4})((?:19|20|21)\d\d)\s+(target|goal|deadline|vision)\b"
)


def extract(lesson: Lesson) -> Extraction:
    """Every fact the lesson's text states, each with its file and line."""
    out = Extraction()
    seen: set[str] = set()

    def add(fact: Fact) -> None:
        if fact.key not in seen:
            seen.add(fact.key)
            out.facts.append(fact)

    for section in lesson.sections:
        fact: Fact
        if section.kind == "prelims":
            out.topics.extend(section.items)
        for item in section.items:
            for fact in _acronyms(lesson, section, item):
                add(fact)
        if section.kind in NON_FACT_SECTIONS:
            continue
        if section.kind in {"direct-answer", "why-in-news"}:
            add(_passage(lesson, section))
        labelled: list[Point] = []
        unlabelled: list[ListItem] = []
        previous: str | None = None
        for n, raw_item in enumerate(section.items, start=1):
            item = replace(raw_item, text=resolve_it(raw_item.text, previous))
            previous = item.text if _SUBJECT.match(item.text) else previous
            ref = f"{lesson.path}:{item.line}"
            src = Source(ref=ref, text=item.text, as_of=lesson.date)
            point = _point(section, item, src) if item.bullet else None
            if point is not None:
                labelled.append(point)
                add(point)
            elif item.bullet and section.kind in LIST_SECTIONS:
                n = len(unlabelled) + 1
                li = ListItem(
                    key=f"item:{section.kind}:{n}",
                    source=src,
                    section=section.kind,
                    text=item.text,
                    head=_head(item.text),
                    prelims=False,
                )
                unlabelled.append(li)
            for fact in _sentence_facts(section, item, src, n):
                add(fact)
        if section.kind in LIST_SECTIONS and len(labelled) + len(unlabelled) >= 2:
            add(_lesson_list(lesson, section, labelled, unlabelled))
    return out


def _lesson_list(
    lesson: Lesson, section: Section, labelled: list[Point], unlabelled: list[ListItem]
) -> LessonList:
    """A list section (challenges, way forward…) as one fact: its entries, in order."""
    entries = tuple(p.name for p in labelled) + tuple(li.head for li in unlabelled)
    first = (labelled or unlabelled)[0].source
    support = " ".join(i.text for i in section.items)
    return LessonList(
        key=f"list:{section.kind}",
        source=Source(ref=first.ref, text=support, as_of=lesson.date),
        section=section.kind,
        title=LIST_SECTIONS[section.kind],
        entries=entries,
        prelims=False,
    )


def _acronyms(lesson: Lesson, section: Section, item: Item) -> list[Acronym]:
    found = []
    for m in _ACRONYM.finditer(item.text):
        short = m.group(1)
        letters = [c for c in short if c.isupper()]
        if len(letters) < 2 or len(letters) != sum(1 for c in short if c.isalpha() and c.isupper()):
            continue
        spans = list(re.finditer(r"[\w'’.&-]+", item.text[: m.start()]))
        count = _expansion([w.group(0) for w in spans], letters)
        if count is None:
            continue
        first = spans[-count]
        long = item.text[first.start() : m.start()].strip(" ,")
        prefix, dash, rest = long.partition("-")
        if dash and " " not in prefix and rest[:1].isupper():
            long = rest  # "Anglo-American Council" stays; "pro-Minerals Council" loses "pro-"
        found.append(
            Acronym(
                key=f"acronym:{short.lower()}",
                source=Source(ref=f"{lesson.path}:{item.line}", text=item.text, as_of=lesson.date),
                section=section.kind,
                short=short,
                long=long,
            )
        )
    return found


def _expansion(before: list[str], letters: list[str]) -> int | None:
    """How many words before ``(MSP)`` spell the acronym with their capitals, or ``None``."""
    picked: list[str] = []
    want = list(letters)
    for word in reversed(before):
        core = word.split("-")[-1] if "-" in word and word.split("-")[-1][:1].isupper() else word
        if core.lower() in STOPWORDS and picked:
            picked.append(word)
            continue
        if not core[:1].isupper():
            return None
        caps = [c for c in core if c.isupper()] if core.isupper() else [core[0]]
        if want[-len(caps) :] != caps:
            return None
        want = want[: -len(caps)]
        picked.append(core if core is not word else word)
        if not want:
            return len(picked)
    return None


def _passage(lesson: Lesson, section: Section) -> Passage:
    first = section.items[0]
    text = " ".join(i.text for i in section.items)
    title = lesson.short_title
    when = format_date(lesson.date) if lesson.date else "the lesson"
    question = (
        f"In brief: what is {title} about?"
        if section.kind == "direct-answer"
        else f"Why was {title} in the news (as of {when})?"
    )
    return Passage(
        key=f"passage:{section.kind}",
        source=Source(ref=f"{lesson.path}:{first.line}", text=text, as_of=lesson.date),
        section=section.kind,
        question=question,
        text=text,
        prelims=False,
    )


def _point(section: Section, item: Item, src: Source) -> Point | None:
    m = _LABEL.match(item.text)
    if not m:
        return None
    label = m.group("label").strip()
    if len(label.split()) > 8 or label.endswith((".", ",")):
        return None
    paren = re.search(r"\(([^)]+)\)\s*$", label)
    name = paren.group(1) if paren else label
    return Point(
        key=f"point:{section.kind}:{slugify(name)}",
        source=src,
        section=section.kind,
        label=label,
        name=name,
        body=m.group("body").strip(),
        prelims=False,
    )


def _head(text: str) -> str:
    """The noun phrase that opens a bullet: what a learner names when listing it."""
    cut = re.split(
        r"\s(?:are|is|was|were|makes|make|remains|requires|require|slows|can|will|has|have)\s"
        r"|,\s(?:particularly|especially|which|slowing|making)\b|;|\.\s",
        text,
        maxsplit=1,
    )[0]
    cut = re.sub(r"\s*\([^)]*\)$", "", cut.strip().rstrip("."))
    ws = cut.split()
    return " ".join(ws[:14]) + ("…" if len(ws) > 14 else "")


def _sentence_facts(section: Section, item: Item, src: Source, n: int) -> list[Fact]:
    """A sentence's definition, examples, target and one cloze, in that order.

    Spans already used by a label, an example list or a target are ``taken``, so the cloze
    blanks something else and no two cards of one sentence drill the same words.
    """
    text = standalone(item.text)
    label = _LABEL.match(text) if item.bullet else None
    out: list[Fact] = list(_definition(section, label.group("body") if label else text, src))
    taken: list[tuple[int, int]] = [(0, label.end("label"))] if label else []
    out.extend(_examples(section, text, src, taken))
    out.extend(_target(section, text, src, taken))
    if not _sentence_like(text, item.bullet) or dangling(text):
        return out
    # Up to two clozes: the most salient span, then one of another kind or cue ("launched
    # on 14 July 2023 from Sriharikota": the date, then the place), each its own fact.
    kinds: set[str] = set()
    for suffix in ("", ":2"):
        span = salient(text, taken)
        if span is None:
            break
        cat = category(text, span)
        taken.append(span)
        if suffix and (cat == "name:" or (cat in kinds and not cat.startswith("name:"))):
            break  # a second name with no cue word before it is rarely the fact
        kinds.add(cat)
        key = f"cloze:{section.kind}:{n}{suffix}"
        out.append(Cloze(key=key, source=src, section=section.kind, sentence=text, span=span,
                         category=cat))  # fmt: skip
    return out


def _definition(section: Section, body: str, src: Source) -> list[Definition]:
    definition = _DEFINITION.match(body)
    if not definition or definition.group("term").split()[0].lower() in _NOT_TERMS:
        return []
    term = definition.group("term").strip()
    words = term.split()
    if words[0] in {"The", "A", "An"} and all(w.islower() for w in words[1:]):
        return []  # "The temple is…": a common noun leaning on the sentence before
    meaning = _CLAUSE_END.split(definition.group("def").rstrip("."), maxsplit=1)[0]
    meaning = _PAREN_EXAMPLES.sub("", meaning).replace("  ", " ")
    if len(meaning.split()) > 30 or re.match(r"(?:a|the) member of\b", meaning):
        return []
    return [
        Definition(
            key=f"definition:{slugify(term)}",
            source=src,
            section=section.kind,
            term=term,
            definition=meaning,
            plural=definition.group("verb") == "are",
        )
    ]


def _examples(
    section: Section, text: str, src: Source, taken: list[tuple[int, int]]
) -> list[Examples]:
    out: list[Examples] = []
    for m in list(_PAREN_EXAMPLES.finditer(text)) + list(_INLINE_EXAMPLES.finditer(text)):
        items = _split_list(m.group(1))
        if len(items) < 2 or any(s < m.end(1) and m.start(1) < e for s, e in taken):
            continue
        head_words = re.findall(r"[A-Za-z-]+", text[: m.start()])
        head = next((w for w in reversed(head_words) if w.lower() not in STOPWORDS), "examples")
        taken.append((m.start(1), m.end(1)))
        out.append(
            Examples(
                key=f"examples:{section.kind}:{slugify(head)}:{slugify(items[0])}",
                source=src,
                section=section.kind,
                head=head,
                items=tuple(items),
                sentence=text,
                span=(m.start(1), m.end(1)),
            )
        )
    return out


def _target(section: Section, text: str, src: Source, taken: list[tuple[int, int]]) -> list[Target]:
    target = _TARGET.search(text)
    if not target:
        return []
    taken.append((target.start(2), target.end(2)))
    name = target.group(1).strip()
    return [
        Target(
            key=f"target:{slugify(name)}",
            source=src,
            section=section.kind,
            name=name,
            year=target.group(2),
            owner="India" if "India" in text else None,
        )
    ]


_DANGLING = re.compile(
    r"^(?:it|this|these|those|they|its|their|he|she|his|her|such|both|consequent|"
    r"accordingly|the same|the latter|the former)\b",
    re.IGNORECASE,
)
#: "In June 2017, it expanded…": the pronoun is still the subject after an opening phrase.
_LATE_DANGLING = re.compile(
    r"^[^,]{0,60},\s+(?:it|its|this|they|their|these|he|she)\s", re.IGNORECASE
)
_CONNECTIVE = re.compile(
    r"^(?:however|moreover|further|furthermore|also|additionally|meanwhile|in addition|"
    r"thus|hence|therefore|in contrast|similarly|besides|initially|finally),\s+",
    re.IGNORECASE,
)


def _sentence_like(text: str, bullet: bool) -> bool:
    """A sentence (or a bullet) of six words or more: not a heading, caption or credit."""
    ended = bullet or bool(re.search(r"[.!?][\"')\]]*$", text))
    return ended and len(text.split()) >= 6


_IT = re.compile(r"^(It|Its)\s")
_SUBJECT = re.compile(
    r"^((?:The\s+)?[A-Z][\w'’.&-]*(?:\s+(?:of\s+|and\s+|the\s+)?[A-Z0-9][\w'’.&-]*){0,6})"
    r"(?:\s+\([^)]*\))?\s+(?:is|was|are|were|has|had)\b"
)


def resolve_it(text: str, before: str | None) -> str:
    """ "It lies on the Tungabhadra" after "Hampi is a village…" → "Hampi lies on…".

    Only when the sentence before opens with a named subject and a verb, so "It" can only
    mean that subject; anything else stays as written (and makes no card)."""
    m = _IT.match(text)
    if not m or before is None:
        return text
    subject = _SUBJECT.match(before)
    if subject is None or subject.group(1).split()[0].lower() in _NOT_TERMS:
        return text
    name = subject.group(1)
    if m.group(1) == "Its":
        name = (name[:1].upper() + name[1:]) + "'s"
    return name + text[m.end(1) :]


def dangling(text: str) -> bool:
    """A sentence that leans on the one before ("It was…", "This brings…"): no card can
    stand alone on it."""
    return bool(_DANGLING.match(text) or _LATE_DANGLING.match(text))


def standalone(text: str) -> str:
    """The sentence without a leading connective ("However, the Quad…" → "The Quad…")."""
    m = _CONNECTIVE.match(text)
    return text[m.end() :][:1].upper() + text[m.end() + 1 :] if m else text


def _split_list(text: str) -> list[str]:
    parts = re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", text.strip().rstrip("."))
    return [p.strip() for p in parts if p.strip() and p.strip().lower() not in {"etc", "etc."}]
