"""What a recall card looks like in Anki: the three note types, and each card's fields.

The note types' ids are fixed forever (Anki matches note types by id). Every field is inert
HTML: tags, entities, template braces and Anki's bracketed media and LaTeX syntax
(``[sound:…]``, ``[latex]…[/latex]``, ``[$]…[/$]``) from a lesson become text, and only the
generator's own cloze deletion stays live.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import genanki

from recall.cards import CLOZE, Card, provenance

# Fixed forever: Anki matches note types by id, so changing one duplicates every note type.
BASIC_MODEL_ID = 1764011001
CLOZE_MODEL_ID = 1764011002
MCQ_MODEL_ID = 1764011003

CSS = """\
.card { font-family: system-ui, sans-serif; font-size: 20px; line-height: 1.45;
        text-align: left; color: #1d1d1f; background: #fff; max-width: 42em; margin: auto; }
.options { margin: .6em 0 0 0; padding-left: 1.6em; }
.options li { margin: .25em 0; }
.answer { font-weight: 600; margin-top: .4em; }
.cloze { font-weight: 600; color: #0a58ca; }
.meta { margin-top: 1.2em; font-size: 13px; color: #6e6e73; }
.nightMode .card, .card.nightMode { color: #f5f5f7; background: #1c1c1e; }
"""
_META = '<div class="meta">{{Source}}{{#AsOf}} · as of {{AsOf}}{{/AsOf}}</div>'

BASIC = genanki.Model(
    BASIC_MODEL_ID,
    "recall Basic",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Source"}, {"name": "AsOf"}],
    templates=[{
        "name": "Card 1",
        "qfmt": "{{Front}}",
        "afmt": '{{FrontSide}}<hr id="answer">{{Back}}' + _META,
    }],
    css=CSS,
)  # fmt: skip
CLOZE_MODEL = genanki.Model(
    CLOZE_MODEL_ID,
    "recall Cloze",
    fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Source"}, {"name": "AsOf"}],
    templates=[{
        "name": "Cloze",
        "qfmt": "{{cloze:Text}}",
        "afmt": "{{cloze:Text}}<br>{{Back Extra}}" + _META,
    }],
    css=CSS,
    model_type=genanki.Model.CLOZE,
)  # fmt: skip
MCQ = genanki.Model(
    MCQ_MODEL_ID,
    "recall Multiple choice",
    fields=[{"name": n} for n in
            ("Question", "A", "B", "C", "D", "Answer", "AnswerText", "Explanation", "Source",
             "AsOf")],
    templates=[{
        "name": "Card 1",
        "qfmt": '{{Question}}<ol class="options" type="A"><li>{{A}}</li><li>{{B}}</li>'
                "<li>{{C}}</li><li>{{D}}</li></ol>",
        "afmt": '{{FrontSide}}<hr id="answer"><div class="answer">({{Answer}}) {{AnswerText}}'
                "</div>{{Explanation}}" + _META,
    }],
    css=CSS,
)  # fmt: skip


_SPECIAL = re.compile(r"[&<>\"'{}\[\]\r\n\x1f]")
RETIRED_TAG = "recall::retired"


def escape(text: str) -> str:
    """Plain text as inert HTML: tags, entities, template braces and the square brackets of
    Anki's ``[sound:…]`` and ``[latex]`` syntax all become text (entities are what Anki's
    renderer does not look inside)."""
    if not _SPECIAL.search(text):
        return text  # most text has nothing to escape
    out = html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")
    out = out.replace("[", "&#91;").replace("]", "&#93;")
    # U+001F separates a note's fields in Anki's file: one inside a field adds a field.
    return out.replace("\r\n", "\n").replace("\n", "<br>").replace("\x1f", "\ufffd")


def live_deletions(card: Card) -> list[re.Match[str]]:
    """The cloze deletions of ``card`` that are the generator's (or the teacher's) own.

    A marker that also stands, character for character, in the card's back is text the
    lesson itself contained — the generator's back is the sentence with its own deletion
    unwrapped — so it stays inert, and a lesson quoting ``{{c2::…}}`` makes no extra card.
    """
    found = list(CLOZE.finditer(card.front))
    live = [m for m in found if m.group(0) not in card.back]
    return live or found[:1]  # a card must keep one deletion, or Anki makes it no card


def cloze_html(card: Card) -> str:
    """A cloze front: the live deletions stay ``{{cN::…}}``, all else is escaped."""
    text = card.front
    out, last = [], 0
    for m in live_deletions(card):
        out.append(escape(text[last : m.start()]))
        hint = f"::{escape(m.group(3))}" if m.group(3) else ""
        out.append(f"{{{{c{m.group(1)}::{escape(m.group(2))}{hint}}}}}")
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def back_extra(card: Card) -> str:
    """What a cloze's back adds to its front: only the parts of the sentence the front cut
    off (the front is a window on it, with ``…`` where it was cut, at either end or in the
    middle), or the whole back when it is something else. Never the sentence the card has
    just shown: each shown part becomes one ``…``."""
    shown = CLOZE.sub(lambda m: m.group(2), card.front)
    parts = [p.strip() for p in shown.split("…") if p.strip()]
    back = card.back.strip()
    out: list[str] = []
    pos = 0
    for part in parts:
        at = back.find(part, pos)
        if at < 0:
            return back
        out.extend([back[pos:at].strip(), "…"])
        pos = at + len(part)
    out.append(back[pos:].strip())
    if not parts or not any(p and p != "…" for p in out):
        return "" if parts else back
    kept = [p for p in out if p]
    return " ".join(p for i, p in enumerate(kept) if not (p == "…" and i and kept[i - 1] == "…"))


@lru_cache(maxsize=4096)
def anki_tags(slug: str, tags: tuple[str, ...], retired: bool = False) -> tuple[str, ...]:
    """Hierarchical Anki tags: ``recall::<lesson>``, ``UPSC::Prelims`` / ``UPSC::Mains``, and
    ``recall::retired`` on a card the teacher retired (so a learner can find and suspend it)."""
    out = [f"recall::{slug}", *([RETIRED_TAG] if retired else [])]
    for tag in tags:
        if tag == slug:
            continue
        if tag in ("prelims", "mains"):
            out.append(f"UPSC::{tag.capitalize()}")
        else:
            out.append(f"recall::{tag}")
    return tuple(re.sub(r"\s+", "_", t) for t in dict.fromkeys(out))


_LINK = re.compile(r"https?://[^\s\"'<>{}\[\]]+")


@lru_cache(maxsize=4096)
def _source(where: str, url: str) -> str:
    """The Source field: where the card comes from, then its URLs; each plain http(s) URL is
    a link, anything else (braces or brackets included) is shown as inert text."""
    links = [
        f'<a href="{html.escape(u, quote=True)}">{html.escape(u, quote=True)}</a>'
        if _LINK.fullmatch(u) else escape(u)
        for u in url.split()
    ]  # fmt: skip
    return " · ".join(part for part in (escape(where), " ".join(links)) if part)


def fields_of(card: Card) -> tuple[genanki.Model, list[str]]:
    meta = [_source(provenance(card.source, card.tags), card.url), escape(card.as_of)]
    if card.kind == "cloze":
        return CLOZE_MODEL, [cloze_html(card), escape(back_extra(card)), *meta]
    if card.kind == "mcq":
        options = [escape(o) for o in card.options]
        return MCQ, [escape(card.front), *options, escape(card.answer),
                     escape(card.correct_option), escape(card.back), *meta]  # fmt: skip
    return BASIC, [escape(card.front), escape(card.back), *meta]
