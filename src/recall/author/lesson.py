"""Lesson text → :class:`Lesson`: title, category, date and headed sections of items.

The shipped lessons are copied from a web page: an emoji category line, a date line, a
title, page chrome (*Instructor*, *Lesson Complete*, *Sign in…*) and headings such as
*Why in News?* followed by bullets or paragraphs. The same lesson may arrive as Markdown,
with CRLF line ends, a byte-order mark or typographic quotes; or as plain prose with no
headings at all, in which case every sentence becomes an item of one ``body`` section.
Every item keeps the line it came from, so every card can point back at it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from recall.author.clean import clean_lines
from recall.author.sentences import split_sentences
from recall.errors import RecallError
from recall.fsio import read_bounded
from recall.text import clean, fold, slugify, strip_symbols

MAX_LESSON_BYTES = 2 * 1024 * 1024

#: Canonical section kinds and the headings that name them (folded, without ``?``/``:``).
SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "why-in-news": ("why in news", "why in the news", "in news", "context", "news"),
    "concept": (
        "what is the concept / issue",
        "what is the concept issue",
        "what is the concept",
        "what is the issue",
        "concept",
        "background",
        "about",
        "overview",
    ),
    "importance": (
        "why is this issue important",
        "why is it important",
        "significance",
        "importance",
    ),
    "dimensions": (
        "key sectors / dimensions involved",
        "key sectors dimensions involved",
        "key dimensions",
        "dimensions",
        "key sectors",
    ),
    "challenges": ("what are the challenges", "challenges", "key challenges", "concerns"),
    "upsc-relevance": ("upsc relevance", "relevance for upsc"),
    "prelims": ("prelims focus", "prelims", "for prelims", "prelims pointers"),
    "mains": ("mains angle", "mains", "for mains", "gs paper"),
    "how-asked": (
        "how upsc may ask this topic",
        "how upsc may ask",
        "how upsc may ask this",
        "probable questions",
        "practice question",
    ),
    "way-forward": ("what is the way forward", "way forward", "the way forward", "way ahead"),
}

_HEADING_LOOKUP = {
    re.sub(r"\s+", " ", name.replace("/", " ")).strip(): kind
    for kind, names in SECTION_HEADINGS.items()
    for name in names
}

_CHROME = re.compile(
    r"^(instructor|lesson complete|class discussion|sign in\b.*|share|bookmark|"
    r"mark as complete|next lesson|previous lesson|ai news desk)$"
)
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|(?:\s*:?-{3,}:?\s*\|)+\s*$")
_BULLET = re.compile(r"^(\s*)(?:[•*·▪●◦‣∙-]|–|\d{1,2}[.)])\s+(.*)$")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_DIRECT = re.compile(r"^(?:direct answer|in short|tl;?dr|summary)\s*:\s*(.*)$", re.IGNORECASE)
_META = re.compile(r"^(category|date|published|posted on|updated)\s*:\s*(.*)$", re.IGNORECASE)
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%B %Y")


@dataclass(frozen=True)
class Item:
    """One piece of a section: a bullet or a sentence, with the line it starts on."""

    line: int
    text: str
    bullet: bool = False


@dataclass(frozen=True)
class Section:
    """A headed part of the lesson. ``kind`` is canonical; ``heading`` is as written."""

    kind: str
    heading: str
    line: int
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Lesson:
    """A parsed lesson. ``path`` is how the user named the file (``-`` for stdin)."""

    path: str
    title: str
    title_line: int
    slug: str
    category: str | None = None
    date: str | None = None
    sections: tuple[Section, ...] = field(default_factory=tuple)
    structured: bool = True

    def section(self, kind: str) -> Section | None:
        """The first section of ``kind``, if the lesson has one."""
        return next((s for s in self.sections if s.kind == kind), None)

    @property
    def short_title(self) -> str:
        """The title up to its first ``&``, ``:`` or ``—``: what a question can quote."""
        short = re.split(r"\s+(?:&|and)\s+|:\s|\s[—–-]\s", self.title, maxsplit=1)[0].strip()
        return short if len(short) >= 8 else self.title

    def to_dict(self) -> dict[str, Any]:
        """A plain-data view, for ``--json`` and tests."""
        return {
            "path": self.path,
            "title": self.title,
            "slug": self.slug,
            "category": self.category,
            "date": self.date,
            "sections": [
                {"kind": s.kind, "heading": s.heading, "line": s.line, "items": len(s.items)}
                for s in self.sections
            ],
        }


def decode(data: bytes, path: str) -> str:
    """Bytes → text, refusing what is not a text lesson with a precise one-line error."""
    if len(data) > MAX_LESSON_BYTES:
        raise RecallError(
            f"lesson is too large ({len(data) / 1_048_576:.1f} MB; the limit is "
            f"{MAX_LESSON_BYTES // 1_048_576} MB) — split it into one file per lesson",
            path,
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RecallError(f"not valid UTF-16 text ({exc.reason})", path) from None
    nul = data.find(b"\x00")
    if nul != -1:
        line = data[:nul].count(b"\n") + 1
        raise RecallError("binary file, not a text lesson (NUL byte)", path, line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RecallError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the lesson as UTF-8",
            path,
            line,
        ) from None
    controls = len(_CONTROL.findall(text, 0, 4096))
    if controls > 8:
        raise RecallError("binary file, not a text lesson (control characters)", path)
    if not text.strip():
        raise RecallError("empty lesson: no text to make cards from", path, 1)
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def read_lesson(path: Path, display: str | None = None) -> Lesson:
    """Read and parse a lesson file."""
    name = display or str(path)
    data = read_bounded(path, MAX_LESSON_BYTES, name, "lesson", "split it into one file per lesson")
    return parse(decode(data, name), name, fallback_title=path.stem)


def parse(text: str, path: str = "-", fallback_title: str | None = None) -> Lesson:
    """Parse lesson text into sections of items. Never raises on odd text, only on no text."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # Markdown tables: the header row and the |---| rule are layout; each data row is one
    # point, told by its first cell (the others are usually dates, marks and links).
    table_skip = {
        n for i, ln in enumerate(lines, start=1) if _TABLE_RULE.match(ln)
        for n in (i, i - 1) if n >= 1 and _TABLE_ROW.match(lines[n - 1])
    }  # fmt: skip
    cleaned = clean_lines(lines, _is_heading)
    lines = cleaned.lines
    parser = _Parser()
    for no, raw in enumerate(lines, start=1):
        if no in cleaned.joined:
            continue
        if _TABLE_ROW.match(raw):
            if no in table_skip:
                continue
            raw = _table_point(raw)
        parser.line(no, raw)
    return parser.lesson(path, fallback_title)


@dataclass
class _Parser:
    """The state of a parse, one line at a time: metadata, sections, and text before them."""

    title: str | None = None
    title_line: int = 1
    category: str | None = None
    date: str | None = None
    sections: list[_Builder] = field(default_factory=list)
    current: _Builder | None = None
    loose: list[tuple[int, str]] = field(default_factory=list)  # before any heading

    def line(self, no: int, raw: str) -> None:
        if not raw.strip():
            if self.current is not None:
                self.current.para_break()
            else:
                self.loose.append((no, ""))
            return
        md = _MD_HEADING.match(raw)
        line = clean(_unmark(md.group(2) if md else raw))
        bare = strip_symbols(line)
        if self._metadata(no, raw, bare, md) or self._heading(no, bare, md):
            return
        direct = _DIRECT.match(bare)
        if direct and self.current is None:
            self.current = _Builder("direct-answer", "Direct answer", no)
            self.sections.append(self.current)
            self.current.add(no, direct.group(1), bullet=False, depth=0)
            self.current.para_break()
            return
        if self.current is None:
            self.loose.append((no, line))
            return
        bullet = _BULLET.match(raw)
        if bullet and bare:
            depth = len(bullet.group(1))
            self.current.add(no, clean(_unmark(bullet.group(2))), bullet=True, depth=depth)
        else:
            self.current.add(no, line, bullet=False, depth=0)

    def _metadata(self, no: int, raw: str, bare: str, md: re.Match[str] | None) -> bool:
        """Chrome to skip, the category and date lines, and the title: True if consumed."""
        if not bare or _CHROME.match(fold(bare)) or raw.lstrip().startswith(("✍", "👤")):
            return True
        if raw.lstrip().startswith("📂") or (
            (m := _META.match(bare)) and m.group(1).lower() == "category"
        ):
            self.category = _META.sub(r"\2", bare) or self.category
            return True
        if raw.lstrip().startswith(("📅", "🗓")) or _META.match(bare):
            self.date = _parse_date(_META.sub(r"\2", bare)) or self.date
            return True
        if md and len(md.group(1)) == 1 and self.title is None:
            self.title, self.title_line = bare, no
            return True
        return False

    def _heading(self, no: int, bare: str, md: re.Match[str] | None) -> bool:
        kind, rest = _heading_kind(bare)
        if kind is None and md:
            kind, rest = "other", ""
        if kind is None:
            return False
        self.current = _Builder(kind, bare.rstrip(":").strip() if not rest else bare, no)
        self.sections.append(self.current)
        if rest:
            self.current.add(no, rest, bullet=False, depth=0)
        return True

    def lesson(self, path: str, fallback_title: str | None) -> Lesson:
        """The lesson: text before the first heading becomes the title (a short first line)
        and an introduction, or the whole body when the lesson has no structure."""
        title, title_line, loose = self.title, self.title_line, self.loose
        prose = [(no, t) for no, t in loose if t]
        if title is None and prose and _looks_like_title(prose[0][1]):
            title_line, title = prose[0][0], strip_symbols(prose[0][1])
            loose = [(no, t) for no, t in loose if no != title_line]
        built = [s.build() for s in self.sections]
        structured = any(s.kind not in {"other", "direct-answer"} for s in built)
        if not structured:
            built.append(_loose_section("body", "Body", loose))
        elif any(t for _, t in loose):
            built.insert(0, _loose_section("intro", "Introduction", loose))
        built = [s for s in built if s.items or s.kind in {"upsc-relevance"}]
        if title is None:
            fallback = (fallback_title or "lesson").replace("_", " ").replace("-", " ").strip()
            title, title_line = fallback or "lesson", 1
        slug = slugify(title) or slugify(fallback_title or "") or "lesson"
        return Lesson(
            path=path,
            title=title,
            title_line=title_line,
            slug=slug,
            category=self.category,
            date=self.date,
            sections=tuple(built),
            structured=structured,
        )


def _loose_section(kind: str, heading: str, loose: list[tuple[int, str]]) -> Section:
    """Text outside any heading, as one section; blank lines end paragraphs."""
    first = next((no for no, t in loose if t), 1)
    builder = _Builder(kind, heading, first)
    for no, t in loose:
        if not t:
            builder.para_break()
            continue
        bullet = _BULLET.match(t)
        if bullet:
            builder.add(no, clean(bullet.group(2)), bullet=True, depth=len(bullet.group(1)))
        else:
            builder.add(no, t, bullet=False, depth=0)
    return builder.build()


class _Builder:
    """Collects a section's lines; joins wrapped paragraphs and splits them into sentences."""

    def __init__(self, kind: str, heading: str, line: int) -> None:
        self.kind, self.heading, self.line = kind, heading, line
        self.items: list[Item] = []
        self._para: list[tuple[int, str]] = []

    def add(self, no: int, text: str, *, bullet: bool, depth: int) -> None:
        if bullet:
            self.para_break()
            if text:
                self.items.append(Item(no, text, bullet=True))
        elif text:
            self._para.append((no, text))

    def para_break(self) -> None:
        if not self._para:
            return
        starts, parts, pos = [], [], 0
        for no, t in self._para:
            starts.append((pos, no))
            parts.append(t)
            pos += len(t) + 1
        joined = " ".join(parts)
        offsets = [s for s, _ in starts]
        for start, sentence in split_sentences(joined):
            idx = bisect.bisect_right(offsets, start) - 1
            self.items.append(Item(starts[max(idx, 0)][1], sentence))
        self._para = []

    def build(self) -> Section:
        self.para_break()
        return Section(self.kind, self.heading, self.line, tuple(self.items))


def _unmark(text: str) -> str:
    """Strip Markdown emphasis that wraps headings and labels (``**Prelims Focus:**``)."""
    if "*" not in text and "_" not in text:
        return text.replace("`", "")
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?![\s*])(.+?)(?<![\s*])\*(?![\w*])", r"\1", text)
    return text.replace("`", "")


def _table_point(row: str) -> str:
    """A data row as one point: ``Name: description`` when the first cells are a serial
    number and a name, else its first cell. A row of bold cells is a header: nothing."""
    cells = [c.strip() for c in row.strip().strip("|").split("|")]
    if all(c.startswith("**") or not c for c in cells):
        return ""
    cells = [clean(_unmark(re.sub(r"(?:<br\s*/?>)+", " ", c))) for c in cells]
    serial = bool(cells) and bool(re.fullmatch(r"(?:\d{1,3}|[IVXivx]{1,4})[.)]?", cells[0]))
    while cells and re.fullmatch(r"(?:\d{1,3}|[IVXivx]{1,4})?[.)]?", cells[0]):
        cells = cells[1:]
    if serial and len(cells) >= 2 and cells[1] and len(cells[0].split()) <= 10:
        return f"- {cells[0]}: {cells[1]}"
    return f"- {cells[0]}" if cells else ""


def _is_heading(raw: str) -> bool:
    md = _MD_HEADING.match(raw)
    return _heading_kind(strip_symbols(clean(_unmark(md.group(2) if md else raw))))[0] is not None


def _heading_kind(line: str) -> tuple[str | None, str]:
    """The section kind this line opens, and any text after ``Heading:`` on the same line."""
    head, sep, rest = line.partition(":")
    if len(head if sep else line) > 80:
        return None, ""
    key = re.sub(r"\s+", " ", fold(head.replace("/", " ")).rstrip("?")).strip()
    kind = _HEADING_LOOKUP.get(key)
    if kind is None and not sep and line.endswith("?") and len(line.split()) <= 10:
        # "What is Gaganyaan?": a question as a heading; as a sentence it would make a card
        # that asks "What is What?".
        return ("concept" if re.match(r"(?i)what (?:is|are|was|were)\b", line) else "other"), ""
    if kind is None:
        return None, ""
    rest = rest.strip()
    if not sep and line.rstrip().endswith("."):
        return None, ""  # "Challenges." as a sentence is not a heading
    return kind, rest


def _looks_like_title(line: str) -> bool:
    stripped = strip_symbols(line)
    return (
        3 <= len(stripped) <= 120
        and not stripped.endswith((".", ",", ";"))
        and (len(stripped.split()) <= 16)
    )


def _parse_date(text: str) -> str | None:
    """``February 2, 2026 at 7:56 AM`` → ``2026-02-02``; unknown shapes → ``None``."""
    text = re.split(r"\s+at\s+|\s*,?\s+\d{1,2}:\d{2}", text.strip(), maxsplit=1)[0].strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None
