"""Sentences of a paragraph, with their offsets: fast for plain prose, pysbd where an
abbreviation may hide a sentence break.

A lesson's paragraphs are split here before facts are extracted from each sentence; the
offsets let a card point back at the exact words it comes from.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_CANDIDATE_BREAK = re.compile(r"[.!?][\"')\]]?\s+[\"'(\[]?[A-Z0-9]")
# A token that may end in an abbreviation's period: "U.S.", "e.g.", "Dr.", "No.", "A.", "Rs."
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b[A-Z][a-z]{0,2}\.|\b[a-z]{1,3}\.|\b(?:etc|approx|viz|vs|ca|cf)\.)$"
)


def split_sentences(text: str) -> list[tuple[int, str]]:
    """Sentences of ``text`` with their start offsets.

    pysbd knows abbreviations (``U.S.``, ``Dr.``, ``e.g.``) that a regex gets wrong, but it
    costs about a millisecond a paragraph. So a paragraph is split here when every possible
    break follows an ordinary word (``… defense. The …``), and handed to pysbd only when a
    break follows something that may be an abbreviation.
    """
    breaks = list(_CANDIDATE_BREAK.finditer(text))
    if not breaks:
        return [(0, text.strip())] if text.strip() else []
    if not any(_ABBREVIATION.search(text, 0, b.start() + 1) for b in breaks):
        out, start = [], 0
        for b in breaks:
            end = b.start() + 1
            while end < len(text) and text[end] in "\"')]":
                end += 1
            piece = text[start:end].strip()
            if piece:
                out.append((start + len(text[start:end]) - len(text[start:end].lstrip()), piece))
            start = end
        tail = text[start:].strip()
        if tail:
            out.append((start + len(text[start:]) - len(text[start:].lstrip()), tail))
        return out
    out = []
    for span in _segmenter().segment(text):
        sentence = span.sent.strip()
        if sentence:
            out.append((span.start, sentence))
    return out


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd  # imported lazily: it costs ~100 ms and only prose needs it

    return pysbd.Segmenter(language="en", clean=False, char_span=True)
