"""Clean-up before parsing: the marks real prose carries that must never reach a card.

Teachers paste lessons from encyclopedias, press releases and PDF copies. Those bring
citation markers (``[12]``, ``[citation needed]``), wiki italics (``''…''``), native-script
names in parentheses, sentences glued without a space (``Lokpal.The``), images, infobox and
table rows, hard-wrapped lines and stray headings that would otherwise be glued onto the next
sentence. Each is removed here, line by line, so every later stage sees prose and every item
still points at the line a teacher can find in the file.

:func:`clean_lines` keeps the number of lines: a line that is dropped becomes blank (so it
also ends the paragraph before it), and a line that only continues the one before it across
a blank line is reported in ``joined`` so the parser skips that blank.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

_CITATION = re.compile(
    r"\s?\[(?:\d{1,3}(?:\s*[,–-]\s*\d{1,3})*|[a-z]|note \d+|nb \d+|citation needed|"
    r"clarification needed|better source needed|page needed|dubious[^\]]{0,30}|"
    r"when\?|who\?|which\?|by whom\?|according to whom\?|update)\]",
    re.IGNORECASE,
)
_WIKI_ITALICS = re.compile(r"'{2,}")
#: Scripts a native-script name is written in (Indic, Arabic, Cyrillic, CJK, Tibetan…).
_NON_LATIN = re.compile(
    r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0f00-\u0fff\u1000-\u109f"
    r"\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"
)
_LANG_LABEL = (
    r"(?:ISO|IAST|IPA|Hindi|Sanskrit|Odia|Oriya|Bengali|Bangla|Tamil|Telugu|Kannada|Malayalam|"
    r"Marathi|Gujarati|Punjabi|Urdu|Nepali|Tibetan|Assamese|Pali|Prakrit|Persian|Arabic|"
    r"Chinese|Russian|Japanese|lit\.|literally|pronounced|transl\.)"
)
_PAREN = re.compile(r"\s?\(([^()]{1,200})\)")
_NATIVE_RUN = re.compile(r"[,;]?\s*(?:[^\sA-Za-z0-9(),;]*" + _NON_LATIN.pattern + r"\S*[,;]?\s*)+")
_GLUED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
#: A web copy that lost the spaces around its links: "formed inShanghai", "andBelarus".
_GLUED_WORD = re.compile(
    r"\b(in|and|the|The|a|an|between|with|of|its|on|by|at|to|from|for|as|while|than|under|"
    r"via|nominal|based)(?=[A-Z][a-z]|[A-Z]{2,}\b)"
)
_DOT_COLON = re.compile(r"([.!?]):\s")
_SPACE_BEFORE = re.compile(r"(?<=\w) (?=['’]s\b|[,.;:](?:\s|$))")
_UNITS = (
    (re.compile(r"(\d)\s?(?:sq\.?\s?km|square\s+kilomet(?:re|er)s?|km2)\b", re.I), r"\1 km²"),
    (re.compile(r"(\d)\s?(?:sq\.?\s?mi|square\s+miles?)\b", re.I), r"\1 sq mi"),
    (re.compile(r"(\d)\s?hectares?\b", re.I), r"\1 ha"),
    (re.compile(r"(\d)\s?(?:degrees?|º)\s?(C|F|N|S|E|W)\b"), r"\1°\2"),
)
_IMAGE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")
_URL_ONLY = re.compile(r"^\s*(?:<)?https?://\S+(?:>)?\s*$")
_LABEL_PAIR = re.compile(r"\b[A-Z][A-Za-z ]{1,20}:\s")
_DATE_LINE = re.compile(
    r"^\s*(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    r"(?P<date>\d{1,2}[ -](?:[A-Z][a-z]{2,8})[ ,-]+\d{4}|[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|"
    r"\d{4}-\d{2}-\d{2}|\d{1,2}\s?(?:st|nd|rd|th)?\s[A-Z][a-z]{2,8},? \d{4})"
    r"(?P<rest>[\s,]*(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?:[AP]\.?M\.?|IST|hrs)?(?:\s*IST)?)?\s*$",
    re.IGNORECASE,
)
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%Y-%m-%d")
_TERMINAL = (".", "!", "?", ":", ";", '"', "”", ")")
_BULLET_START = re.compile(r"^\s*(?:[•*·▪●◦‣∙-]|–|\d{1,2}[.)]|#{1,6})\s")
_FUNCTION_END = re.compile(
    r"\b(?:the|a|an|of|in|on|at|to|by|for|and|or|with|from|as|is|are|was|were|under|"
    r"into|that|which|its|their)$",
    re.I,
)


@dataclass
class Cleaned:
    """The lesson's lines after clean-up; ``joined`` lines continue the paragraph before."""

    lines: list[str]
    joined: set[int] = field(default_factory=set)  # 1-based numbers of blanks to skip


def clean_line(text: str) -> str:
    """One line's inline clean-up: citations, italics, native script, glue, units.

    Each rewrite runs only when a cheap test says it could apply: a batch of a thousand
    lessons goes through here line by line."""
    if "[" in text:
        text = _CITATION.sub("", text)
    if "''" in text:
        text = _WIKI_ITALICS.sub("", text)
    if "(" in text:
        text = _PAREN.sub(_keep_paren, text)
    if not text.isascii() and _NON_LATIN.search(text) and _LATIN_WORD.search(text):
        text = _NATIVE_RUN.sub(" ", text)  # "Konark କୋଣାର୍କ, ଓଡିଶା": the English stays
    if "|" in text and not text.lstrip().startswith("|"):
        text = _TRAILING_PIPE.sub("", text)
    if "  " in text:
        text = _DOUBLE_SPACE.sub(" ", text)
    if _CAMEL.search(text):
        text = _GLUED.sub(" ", text)
        text = _GLUED_WORD.sub(r"\1 ", text)
        text = _GLUED_COMMA.sub(", ", text)
    if ":" in text:
        text = _DOT_COLON.sub(r"\1 ", text)
    if " '" in text or " ’" in text or " ," in text or " ." in text or " ;" in text or " :" in text:
        text = _SPACE_BEFORE.sub("", text)
    if _UNIT_HINT.search(text):
        for pattern, repl in _UNITS:
            text = pattern.sub(repl, text)
    return text


_LATIN_WORD = re.compile(r"[A-Za-z]{3}")
_TRAILING_PIPE = re.compile(r"\s*\|\s*$")
_DOUBLE_SPACE = re.compile(r"(?<=\S) {2,}")
_CAMEL = re.compile(r"[a-z.!?,][A-Z]")
_GLUED_COMMA = re.compile(r"(?<=[a-z]),(?=[A-Z][a-z])")
_UNIT_HINT = re.compile(r"\d\s?(?:sq|square|km2|hectare|degree|º)", re.IGNORECASE)


def _keep_paren(m: re.Match[str]) -> str:
    """A parenthetical stays unless it is a native-script name or a pronunciation."""
    inner = m.group(1)
    if _NON_LATIN.search(inner) or re.match(rf"\s*{_LANG_LABEL}\s*[:.]?\s", inner):
        return " "
    return m.group(0)


def _infobox_row(text: str) -> bool:
    """``Type | Cultural |``, ``---|---|``, ``|``: a flattened infobox row (tables start
    with ``|`` and are the parser's)."""
    s = text.strip()
    if not s or s.startswith("|"):
        return False
    return s.endswith("|") or ("|" in s and bool(re.fullmatch(r"[-|: ]+", s)))


_WORDY = re.compile(r"[A-Za-z]{3,} [A-Za-z]{2,} [A-Za-z]{3,}")


def junk_line(text: str) -> bool:
    """Lines that are not prose: images, bare links, infobox and table rows, data blocks."""
    s = text.strip()
    if not s:
        return False
    if _IMAGE.match(s) or _URL_ONLY.match(s) or re.search(r"\S\.(?:png|jpe?g|svg|gif)\b", s):
        return True
    if s.count("|") >= 3 and not s.startswith("|"):
        return True  # an infobox flattened into one line (tables start with "|")
    if "Coordinates:" in s or re.search(r"\d+°\d+′", s):
        return True
    if len(_LABEL_PAIR.findall(s)) >= 3 and not re.search(r"[a-z]{3}\.\s+[A-Z]", s):
        return True  # "Satellite: Terra Date Acquired: … Resolutions: …"
    if len(s) < 12 or _WORDY.search(s):
        return False  # three ordinary words in a row: prose, whatever else the line holds
    letters = sum(map(str.isalpha, s))
    return letters < 0.4 * (len(s) - s.count(" "))


def date_line(text: str) -> str | None:
    """``12-September-2012 16:33 IST`` → ``2012-09-12``: a line that is only a date."""
    m = _DATE_LINE.match(text)
    if not m:
        return None
    raw = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", m.group("date"))
    raw = re.sub(r"[-,.]", " ", raw)
    raw = re.sub(r"\s+", " ", raw).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _stray_heading(text: str, before: str, after: str) -> bool:
    """A short title-like line between paragraphs: a heading that must not join a sentence."""
    s = text.strip()
    if not s or not after.strip() or _BULLET_START.match(text) or s.endswith(_TERMINAL):
        return False
    if before.strip() and not before.rstrip().endswith(_TERMINAL):
        return False  # the last line of a wrapped sentence
    ws = s.split()
    if len(ws) > 6 or _FUNCTION_END.search(s) or s.endswith(","):
        return False
    return after.lstrip()[:1].isupper()


def clean_lines(lines: list[str], is_heading: Callable[[str], bool] = lambda s: False) -> Cleaned:
    """Clean every line; same count. ``is_heading`` tells the parser's own section headings,
    which stay where they are."""
    first = next((i for i, ln in enumerate(lines) if ln.strip()), -1)
    out = [
        "" if i != first and _infobox_row(ln) else clean_line(ln) if ln.strip() else ln
        for i, ln in enumerate(lines)
    ]
    joined: set[int] = set()
    # Title, category and date come before the first line of prose: never stray headings.
    prose = next(
        (i for i, ln in enumerate(out) if len(ln.split()) >= 8 and re.search(r"[.!?](\s|$)", ln)),
        len(out),
    )
    block = _data_blocks(out)
    for i, ln in enumerate(out):
        if not ln.strip():
            continue
        if junk_line(ln) or i in block:
            out[i] = ""
            continue
        when = date_line(ln) or date_line(re.split(r"\s+[-–—|]\s+", ln, maxsplit=1)[0])
        if when is not None:
            out[i] = f"Date: {when}"  # "May 22, 2016 - Cyclone …": the title comes next
            continue
        before = out[i - 1] if i > 0 else ""
        after = next((a for a in out[i + 1 :] if a.strip()), "")
        if i > prose and not is_heading(ln) and _stray_heading(ln, before, after):
            out[i] = ""
    _rejoin(out, joined)
    return Cleaned(out, joined)


_DATA_LINE = re.compile(r"^\s*[A-Z][\w ]{0,25}:\s*\S(?!.*[.!?]\s*$)")


def _data_blocks(out: list[str]) -> set[int]:
    """Lines in runs of three or more short ``Label: value`` lines: data, not prose."""
    data = [bool(_DATA_LINE.match(ln)) and len(ln.split()) <= 8 for ln in out]
    found: set[int] = set()
    run: list[int] = []
    for i, is_data in enumerate([*data, False]):
        if is_data:
            run.append(i)
            continue
        if len(run) >= 3:
            found.update(run)
        run = []
    return found


def _rejoin(out: list[str], joined: set[int]) -> None:
    """PDF copies: a word hyphenated across lines is mended; a blank line inside a sentence
    (the line before ends mid-sentence, the next starts in lower case) is skipped."""
    for i in range(len(out) - 1):
        ln, nxt = out[i].rstrip(), out[i + 1].lstrip()
        if re.search(r"[a-z]-$", ln) and nxt[:1].islower():
            word, _, rest = nxt.partition(" ")
            out[i], out[i + 1] = ln[:-1] + word, rest
            continue
        if (
            not out[i + 1].strip()
            and ln
            and not ln.endswith(_TERMINAL)
            and not _BULLET_START.match(out[i])
            and i + 2 < len(out)
            and (out[i + 2].lstrip()[:1].islower() or _FUNCTION_END.search(ln))
            and out[i + 2].strip()
        ):
            joined.add(i + 2)
