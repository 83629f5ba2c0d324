"""``recall facts draft``: start a fact sheet for the Prelims topics no sheet covers yet.

For each *Prelims Focus* line that matched no facts, the draft names a topic (with the names
the line uses as its aliases) and lists, as typed sheet facts, what the lesson itself states
about it, each with the lesson line as its provenance. A draft fact carries empty ``source``,
``as_of`` and ``checked``: it makes no card until a teacher has compared it with a source and
filled them in, because a lesson's word alone is not evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from recall.author.extract import extract
from recall.author.facts import Acronym, Cloze, Definition, Examples, Fact, Point, Target
from recall.author.lesson import Item, Lesson
from recall.author.sheets import Sheets, select
from recall.text import contains_phrase, slugify

HEADER = """\
# Draft fact sheet for {lesson}
#
# recall wrote the facts below from the lesson's own text, one topic per Prelims line that
# no fact sheet covered. They make no cards yet. For each fact: read a source (official
# where one exists), correct the fact to what the source says, and fill in
#   source  = the URL you read          sources = [a second, independent URL] (optional)
#   as_of   = "YYYY-MM" when it was true   checked = "YYYY-MM-DD" the day you compared it
# A fact with one source is "likely" (never an MCQ answer); two make it confirmed. Delete a
# fact you cannot source. `recall facts check` validates the sheet.

"""

_CAPS = re.compile(r"(?:[A-Z][\w'’-]*|of|and|for|on|the)(?:\s+(?:[A-Z][\w'’-]*|of|and|for|on))*")
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z&]{1,9})\)")
_LEAD = re.compile(r"^(?:the|a|an|of|and|for|on)\s+|\s+(?:of|and|for|on|the)$", re.IGNORECASE)


@dataclass
class DraftTopic:
    """A topic to be written: its id, aliases, the Prelims line, and its drafted facts."""

    topic: str
    aliases: list[str]
    item: Item
    facts: list[dict[str, Any]] = field(default_factory=list)


def topic_names(text: str) -> list[str]:
    """The names a Prelims line uses: its longest capitalised phrase and any acronyms."""
    phrases = []
    for m in _CAPS.finditer(text):
        phrase = m.group(0)
        while _LEAD.search(phrase):
            phrase = _LEAD.sub("", phrase)
        if phrase and phrase[:1].isupper() and (" " in phrase or len(phrase) > 3):
            phrases.append(phrase)
    names = sorted(phrases, key=len, reverse=True)[:1]
    names += [a for a in _ACRONYM.findall(text) if a not in names]
    if not names:
        names = [re.sub(r"[.;:]+$", "", text).strip()]
    return names


def draft_topics(lesson: Lesson, sheets: Sheets) -> list[DraftTopic]:
    """One draft topic per uncovered Prelims line, with the lesson's facts about it."""
    extraction = extract(lesson)
    text = "\n".join(i.text for s in lesson.sections for i in s.items) + "\n" + lesson.title
    _, report = select(sheets, extraction.topics, text)
    out: list[DraftTopic] = []
    taken: set[str] = set()
    for item in report.unmatched:
        names = topic_names(item.text)
        topic = _unique(slugify(names[0], 40) or f"topic-{item.line}", taken, sheets)
        draft = DraftTopic(topic=topic, aliases=names, item=item)
        for fact in extraction.facts:
            entry = _entry(fact, names[0])
            if entry is not None and _about(fact, names):
                entry = {"key": f"{topic}.{slugify(fact.key, 50)}", **entry}
                entry |= {"topics": [topic], "source": "", "as_of": "", "checked": ""}
                entry["note"] = f"from the lesson, {fact.source.ref}: {fact.source.text}"
                draft.facts.append(entry)
        out.append(draft)
    return out


def _unique(topic: str, taken: set[str], sheets: Sheets) -> str:
    name, n = topic, 2
    while name in taken or name in sheets.topics:
        name, n = f"{topic}-{n}", n + 1
    taken.add(name)
    return name


def _about(fact: Fact, names: list[str]) -> bool:
    return any(contains_phrase(fact.source.text, n) for n in names)


def _entry(fact: Fact, topic_name: str) -> dict[str, Any] | None:
    """A lesson fact as a typed sheet entry, or None for what a sheet does not hold."""
    if isinstance(fact, Acronym):
        return {"type": "acronym", "short": fact.short, "long": fact.long}
    if isinstance(fact, Definition):
        return {"type": "definition", "term": fact.term, "definition": fact.definition}
    if isinstance(fact, Target):
        return {
            "type": "attribute",
            "subject": fact.name.strip(),
            "attribute": "target year",
            "value": fact.year,
            "question": f"What is the target year for {fact.name.strip()}?",
        }
    if isinstance(fact, Examples):
        return {
            "type": "set",
            "name": fact.head,
            "noun": "example",
            "relation": f"given as an example of {fact.head}",
            "members": list(fact.items),
            "partial": True,
        }
    if isinstance(fact, Cloze):
        a, b = fact.span
        blank = f"{fact.sentence[:a]}____{fact.sentence[b:]}"
        return {
            "type": "attribute",
            "subject": topic_name,
            # The blanked sentence names what is asked, so two blanks of one sentence (or two
            # sentences about one topic) are two attributes, not a contradiction.
            "attribute": blank,
            "value": fact.sentence[a:b],
            "question": f"Fill in the blank: {blank}",
        }
    if isinstance(fact, Point):
        return {
            "type": "attribute",
            "subject": fact.name,
            "attribute": "key point",
            "value": fact.body,
        }
    return None


def render(lesson: Lesson, topics: list[DraftTopic]) -> str:
    """The draft sheet's TOML: a header saying what to fill in, then the topics and facts."""
    import tomli_w

    data: dict[str, Any] = {
        "sheet": {"title": f"Draft: {lesson.title}", "draft": True, "lesson": lesson.path},
        "topics": {t.topic: t.aliases for t in topics},
        "fact": [f for t in topics for f in t.facts],
    }
    if not data["fact"]:
        del data["fact"]
    return HEADER.format(lesson=lesson.path) + tomli_w.dumps(data)
