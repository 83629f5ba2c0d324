"""Which words of a sentence a cloze hides: the fact, not a year.

UPSC Prelims asks names, places, bodies, Article and Schedule numbers, counts with their noun
and whole dates. A cloze that hides only "2014" while "18 December" stays visible drills
nothing, so dates are found and hidden whole, a bare year is never a cloze on its own, and
the sentence's subject (what the fact is about) is never hidden.
"""

from __future__ import annotations

import re

from recall.text import STOPWORDS

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_YEAR = r"(?:1[5-9]|20)\d\d"
#: A date with at least a month: "18 December 2014", "November 19, 2021", "March 2008".
DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+{_YEAR}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?"
    rf"\s+{_YEAR}|{_MONTH},?\s+{_YEAR})\b"
)
BARE_YEAR = re.compile(rf"^{_YEAR}$")
_LEGAL = re.compile(
    r"\b(?:Articles?\s+\d+[A-Z]?(?:\s*(?:\(\d+\))?\s*(?:[–-]|to|and)\s*\d+[A-Z]?)?|"
    r"Part\s+[IVXL]+[A-Z]?|(?:First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|"
    r"Tenth|Eleventh|Twelfth)\s+Schedule|Schedule\s+[IVXL\d]+|"
    r"\d{1,3}(?:st|nd|rd|th)\s+(?:Constitutional\s+)?Amendment(?:\s+Act)?|"
    r"Section\s+\d+[A-Z]?)\b"
)
_NUMBER = r"(?:₹\s?|Rs\.?\s?|US\$\s?|\$)?\d(?:[\d,]*\d)?(?:\.\d+)?"
_UNIT = (
    r"(?:%|per\s?cent|percent|crore|lakh|million|billion|trillion|km²|km|kilomet(?:re|er)s|"
    r"metres|meters|m|kg|tonnes?|MW|GW|ha|hectares|acres|°[CFNSEW]?|mm|cm|miles|mph|km/h)"
)
#: An amount with a unit, or a count with its noun ("85 temples", "12 members").
_QUANTITY = re.compile(
    rf"(?<![\w.]){_NUMBER}(?:\s?[–-]\s?{_NUMBER})?(?:\s?{_UNIT}\b|\s?%|"
    rf"(?:\s+(?:crore|lakh|million|billion))?\s+(?!(?:{_MONTH})\b)[a-z][a-z-]{{2,}}s\b)"
)
_CAPWORD = r"(?:[A-Z][\w'’.-]*|of|the|and|for|de|&|\([A-Z][a-z]+\))"
_NAME = re.compile(rf"\b[A-Z][\w'’.-]*(?:\s+{_CAPWORD})*")
#: "Ministry of Environment, Forest and Climate Change": a body's name runs past its commas.
_BODY = re.compile(
    r"\b(?:(?:Union\s+)?Minist(?:ry|er)|Department)\s+of\s+[A-Z][\w&]*(?:(?:,\s+|\s+and\s+|\s+&\s+|\s+)"
    r"[A-Z][\w&]*)*"
)
_QUOTED = re.compile(r"[\"“]([A-Z][^\"”]{2,60})[\"”]")
_NUMBER_WORD = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:[a-z]+\s+)?"
    r"(?!of\b)[a-z]{3,}s\b"
)
_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|may|became|becomes|lies|runs|flows|"
    r"rises|covers|includes|forms|consists|contains|comprises|carries|meets|serves|holds|"
    r"recommends|guarantees|marks|studies|\w{2,}ed)\b"
)
_WEAK_NAMES = {
    "India", "Indian", "Government", "The", "A", "An", "It", "This", "In", "On", "Since",
    "According", "During", "Under", "After", "Before", "Its", "Their", "Most", "Some", "Of",
    "Prime Minister", "President", "Minister", "Chief Minister", "Secretary", "Chairman",
    "Government of India", "Union Government", "Annexure", "Today", "Hindu", "Jain",
    "Buddhist", "Muslim", "Sikh", "Christian", "Sun", "Earth", "Wikipedia", "CE", "BCE", "AD",
}  # fmt: skip
#: Words before a name that say which fact it is: a place, a maker, a body, a person.
_CUE = re.compile(
    r"(?:\b(?:in|at|by|under|from|of|near|between|to|called|named|as|chaired by|headed by)"
    r"\s+(?:the\s+)?)$"
)


_LABEL_NUMBER = re.compile(r"(Dimension|Paper|GS|Part|No\.?|Phase|Tranche|Article)\s*$")


def subject_end(text: str) -> int:
    """Where the sentence's subject ends: the start of its first verb (0 when none)."""
    m = _VERB.search(text)
    return m.start() if m else 0


def overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in taken)


def candidates(text: str) -> list[tuple[int, tuple[int, int]]]:
    """Spans worth hiding with a score: Article numbers and whole dates first, then
    quantities and ordinals, then names after a cue word (in, by, under, chaired by)."""
    out: list[tuple[int, tuple[int, int]]] = []
    subject = subject_end(text)
    for m in _LEGAL.finditer(text):
        out.append((6, m.span()))
    for m in DATE.finditer(text):
        out.append((5, m.span()))
    for m in _BODY.finditer(text):
        if m.start() > max(subject, 1):
            out.append((5, m.span()))
    for m in _QUOTED.finditer(text):
        out.append((3, m.span(1)))
    for m in _NUMBER_WORD.finditer(text):
        if m.start() > subject:
            out.append((4, m.span()))
    for m in _QUANTITY.finditer(text):
        if not _LABEL_NUMBER.search(text[: m.start()]):
            out.append((4, m.span()))
    for m in _NAME.finditer(text):
        span = _trim_name(text, m.span())
        name = text[span[0] : span[1]]
        if span[0] <= max(subject, 1) or _weak(name, text[span[1] :]):
            continue
        cue = _CUE.search(text[: span[0]])
        if " " not in name and (
            re.match(r",\s+(?:and\s+|or\s+)?[A-Z]", text[span[1] :])
            or re.search(r"[A-Z][\w-]*,\s+(?:and\s+|or\s+)?$", text[: span[0]])
        ):
            continue  # "Environmental, Social, and Governance": one word of a longer name
        if not cue and (" " not in name and (name.isupper() or text[span[1] :][:1] == " ")):
            continue  # "nominal GDP", "Hindu kings": a lone word used as an adjective
        out.append((3 if cue else 2, span))
    return out


def _weak(name: str, after: str) -> bool:
    """Names that are not the fact: titles, demonyms, possessives, generic words."""
    if not name or name in _WEAK_NAMES or name.lower() in STOPWORDS:
        return True
    if re.search(r"['’]s$", name) or after[:2] in {"'s", "’s"}:
        return True
    return " " not in name and bool(re.search(r"(?:ese|ian|ish)$", name))


def _trim_name(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A name without trailing function words or a trailing period ("Orissa, India.")."""
    s, e = span
    name = text[s:e]
    while True:
        if re.search(r"\b(?:[A-Z]\.){2,}$", name):  # "U.S.", "U.K.": the period is the name's
            break
        stripped = re.sub(r"(?:\s+(?:of|the|and|for|de|&))+$|[.'’]+$|['’]s$", "", name)
        if stripped == name:
            break
        name = stripped
    if name.split()[:1] == ["The"]:
        name = name[4:]
        s += 4
    return s, s + len(name)


def category(text: str, span: tuple[int, int]) -> str:
    """What kind of value ``span`` is: its multiple-choice siblings share this."""
    value = text[span[0] : span[1]]
    if _LEGAL.fullmatch(value):
        return "legal:" + value.split()[-1 if value[0].isdigit() else 0].rstrip("s").lower()
    if DATE.fullmatch(value):
        return "date"
    if _QUANTITY.fullmatch(value):
        unit = re.findall(r"[^\d\s.,–-]+", value)
        return "qty:" + (unit[-1].lower() if unit else "")
    cue = _CUE.search(text[: span[0]])
    return "name:" + (cue.group(0).split()[0].lower() if cue else "")


def salient(text: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The one span of a sentence most worth hiding, or ``None`` (never a bare year)."""
    best: tuple[int, int, tuple[int, int]] | None = None
    for score, span in candidates(text):
        if overlaps(span, taken) or inside_date(text, span):
            continue
        if BARE_YEAR.match(text[span[0] : span[1]]):
            continue
        rank = (score, -span[0])
        if best is None or rank > (best[0], best[1]):
            best = (score, -span[0], span)
    return best[2] if best else None


def inside_date(text: str, span: tuple[int, int]) -> bool:
    """True when ``span`` is part of a longer date: hide the date whole or not at all."""
    return any(
        m.start() <= span[0] and span[1] <= m.end() and (m.start(), m.end()) != span
        for m in DATE.finditer(text)
    )
