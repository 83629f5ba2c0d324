"""What a recall card looks like in Anki: the three note types, and each card's fields.

The note types' ids are fixed forever (Anki matches note types by id). Every field is inert
HTML: tags, entities and template braces from a lesson become text, and only the
generator's own cloze markers stay live.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import genanki

from recall.cards import CLOZE, Card

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
        "qfmt": '{{Question}}<ol class="options" type="a"><li>{{A}}</li><li>{{B}}</li>'
                "<li>{{C}}</li><li>{{D}}</li></ol>",
        "afmt": '{{FrontSide}}<hr id="answer"><div class="answer">({{Answer}}) {{AnswerText}}'
                "</div>{{Explanation}}" + _META,
    }],
    css=CSS,
)  # fmt: skip


_SPECIAL = re.compile(r"[&<>\"'{}\r\n\x1f]")


def escape(text: str) -> str:
    """Plain text as inert HTML: tags, entities and template braces all become text."""
    if not _SPECIAL.search(text):
        return text  # most text has nothing to escape
    out = html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")
    # U+001F separates a note's fields in Anki's file: one inside a field adds a field.
    return out.replace("\r\n", "\n").replace("\n", "<br>").replace("\x1f", "\ufffd")


def cloze_html(text: str) -> str:
    """A cloze front: the generator's ``{{cN::…}}`` markers stay live, all else is escaped."""
    out, last = [], 0
    for m in CLOZE.finditer(text):
        out.append(escape(text[last : m.start()]))
        hint = f"::{escape(m.group(3))}" if m.group(3) else ""
        out.append(f"{{{{c{m.group(1)}::{escape(m.group(2))}{hint}}}}}")
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


@lru_cache(maxsize=4096)
def anki_tags(slug: str, tags: tuple[str, ...]) -> tuple[str, ...]:
    """Hierarchical Anki tags: ``recall::<lesson>``, ``UPSC::Prelims`` / ``UPSC::Mains``."""
    out = [f"recall::{slug}"]
    for tag in tags:
        if tag == slug:
            continue
        if tag in ("prelims", "mains"):
            out.append(f"UPSC::{tag.capitalize()}")
        else:
            out.append(f"recall::{tag}")
    return tuple(re.sub(r"\s+", "_", t) for t in dict.fromkeys(out))


@lru_cache(maxsize=4096)
def _source(source: str, url: str) -> str:
    """The Source field: where the card comes from, with a link only to an http(s) URL."""
    text = escape(source)
    if re.match(r"https?://[^\s\"'<>]+$", url):
        link = html.escape(url, quote=True)
        return f'{text} · <a href="{link}">{link}</a>' if text else f'<a href="{link}">{link}</a>'
    return f"{text} · {escape(url)}" if url else text


def fields_of(card: Card) -> tuple[genanki.Model, list[str]]:
    meta = [_source(card.source, card.url), escape(card.as_of)]
    if card.kind == "cloze":
        return CLOZE_MODEL, [cloze_html(card.front), escape(card.back), *meta]
    if card.kind == "mcq":
        options = [escape(o) for o in card.options]
        return MCQ, [escape(card.front), *options, card.answer, escape(card.correct_option),
                     escape(card.back), *meta]  # fmt: skip
    return BASIC, [escape(card.front), escape(card.back), *meta]
