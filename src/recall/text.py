"""Small text helpers shared by the pipeline stages.

Lessons arrive with curly quotes, en dashes, emoji and Windows line ends; the parser, the
fact extractor and the quality checks must all agree on what "the same words" means, so the
folding rules live here and nowhere else.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import timedelta
from functools import lru_cache

# Function words: a cloze never deletes only these, and an answer made only of them is empty.
STOPWORDS = frozenset(
    """
    a an the and or but nor so yet for of in on at to by from with without into onto upon
    about above across after against along among around as before behind below beneath
    beside between beyond during except inside near off out outside over past since through
    throughout till toward towards under underneath until up via within is are was were be
    been being am do does did done has have had having can could may might must shall should
    will would it its it's this that these those there their them they he she his her him we
    us our you your i me my mine not no yes if then than too very also just only such which
    who whom whose what when where why how all any both each few more most other some own
    same per vs etc e.g i.e
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_QUOTE_PAIRS = (("‘", "'"), ("’", "'"), ("‚", "'"), ("‛", "'"), ("“", '"'), ("”", '"'), ("„", '"'))
_DASH_PAIRS = (("‐", "-"), ("‑", "-"), ("‒", "-"), ("–", "-"), ("—", "-"), ("―", "-"), ("−", "-"))


def _straighten(text: str, dashes: bool = True) -> str:
    """Typographic quotes (and dashes) to ASCII; chained replaces beat str.translate here."""
    if text.isascii():
        return text
    for a, b in _QUOTE_PAIRS + (_DASH_PAIRS if dashes else ()):
        if a in text:
            text = text.replace(a, b)
    return text


_PUNCT = re.compile(r"[^\w\s-]")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[0-9A-Za-z\u00C0-\u024F]+(?:['.&][0-9A-Za-z\u00C0-\u024F]+)*")


def clean(text: str) -> str:
    """Normalise a lesson's text for display: NFC, straight quotes, single spaces.

    Dashes are kept as written ("5–10 years" reads better than "5-10 years").
    """
    if not text.isascii():
        text = _straighten(unicodedata.normalize("NFC", text), dashes=False)
        text = text.replace("\u00a0", " ").replace("\u200b", "")
    return re.sub(r"[ \t]+", " ", text).strip()


def _lower(text: str) -> str:
    if not text.isascii():
        text = _straighten(unicodedata.normalize("NFKC", text))
    return text.lower()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold text for comparison: lower case, straight quotes, ASCII hyphens, no punctuation."""
    text = _PUNCT.sub(" ", _lower(text))
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """The words of ``text``, folded (``U.S.`` stays one word, ``5–10`` becomes two)."""
    return tuple(w.strip(".") for w in _WORD.findall(_lower(text)) if w.strip("."))


@lru_cache(maxsize=65536)
def content_words(text: str) -> tuple[str, ...]:
    """Words that carry meaning: not function words, not a lone letter."""
    return tuple(w for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit()))


def strip_symbols(text: str) -> str:
    """Drop leading emoji and pictographs (``📂 International Relations``)."""
    i = 0
    while i < len(text):
        ch = text[i]
        cat = unicodedata.category(ch)
        if cat in {"So", "Sk", "Cf", "Mn", "Zs"} or ch in "\ufe0f\u200d":
            i += 1
            continue
        break
    return text[i:].strip()


@lru_cache(maxsize=4096)
def slugify(text: str, max_len: int = 60) -> str:
    """A filesystem- and URL-safe slug: ASCII letters, digits and single hyphens."""
    text = _straighten(unicodedata.normalize("NFKD", text))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("&", " ").replace("'", "").replace(".", "")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def stable_hash(*parts: str, length: int = 16) -> str:
    """A short hex digest of ``parts`` that never changes across releases or machines."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


def human_join(items: list[str], conj: str = "and") -> str:
    """``["a", "b", "c"]`` → ``"a, b and c"``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


@lru_cache(maxsize=65536)
def contains_phrase(haystack: str, needle: str) -> bool:
    """True when ``needle`` occurs in ``haystack`` as whole words, after folding."""
    n = fold(needle)
    if not n:
        return False
    return re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", fold(haystack)) is not None


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def format_date(iso: str) -> str:
    """``2023-06`` → ``June 2023``; ``2026-02-04`` → ``4 February 2026``; a year stays a year."""
    parts = iso.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{int(parts[2])} {month} {parts[0]}"


# Characters that change what a terminal does or shows rather than being shown: C0 and C1
# controls (ESC starts every escape sequence; 0x9b is a one-byte CSI on some terminals),
# DEL, the bidirectional overrides, embeddings, isolates and marks (which reorder what
# follows them), and the invisible zero-width characters. Zero-width (non-)joiners are kept
# between two non-ASCII characters, where Indic scripts and emoji need them.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ufff9-\ufffb]"
    "|(?<![^\x00-\x7f])[\u200c\u200d]|[\u200c\u200d](?![^\x00-\x7f])"
)
_ONE_LINE_UNSAFE = re.compile(_UNSAFE.pattern + "|[\t\n]")


def terminal_safe(text: str, *, one_line: bool = False) -> str:
    """``text`` as a terminal may print it: every character that could move the cursor,
    retitle the window, write the clipboard, reorder or hide text shown as U+FFFD.

    Tab and newline stay, unless ``one_line`` (an error message is exactly one line).
    """
    pattern = _ONE_LINE_UNSAFE if one_line else _UNSAFE
    return pattern.sub("\ufffd", text)


def json_safe(text: str) -> str:
    """JSON text with the same characters written as ``\\uXXXX`` escapes: the data stays
    exact for a program reading it, and a terminal showing it stays untouched. (JSON already
    escapes the C0 controls; the others may appear only inside strings, where an escape
    means the same character.)"""
    return _UNSAFE.sub(lambda m: "".join(f"\\u{ord(c):04x}" for c in m.group()), text)


def format_interval(delta: timedelta) -> str:
    """``0:10:00`` → ``10m``; ``3 days`` → ``3d``; long ones in months and years."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
