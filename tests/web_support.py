"""What the web tests share: a small deck written for them, a loaded collection, and reading
forms back out of a page (the way a browser would submit them)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import run

TOKEN = "test-token-0123456789"

#: A deck written for these tests: three plain questions on three facts, a cloze and two
#: multiple-choice questions, in this order (new cards are shown in deck order).
STUDY_DECK = """\
[deck]
slug = "web-study"
title = "Web study deck"

[[card]]
id = "b1"
kind = "basic"
fact = "f1"
front = "Which river flows through the city of Guwahati?"
back = "The Brahmaputra."

[[card]]
id = "b2"
kind = "basic"
fact = "f2"
front = "Which body appoints the Chief Election Commissioner of India?"
back = "The President of India."

[[card]]
id = "b3"
kind = "basic"
fact = "f3"
front = "In which year did India adopt its Constitution?"
back = "1949 (it came into force in 1950)."

[[card]]
id = "c1"
kind = "cloze"
fact = "f4"
front = "The Lok Sabha is the {{c1::lower}} house of India's Parliament."
back = "The Lok Sabha is the lower house of India's Parliament."

[[card]]
id = "m1"
kind = "mcq"
fact = "f5"
front = "Which of the following is a landlocked Indian state?"
options = ["Kerala", "Madhya Pradesh", "Odisha", "Gujarat"]
answer = "B"
back = "Madhya Pradesh has no coastline."

[[card]]
id = "m2"
kind = "mcq"
fact = "f6"
front = "Which planet is closest to the Sun?"
options = ["Venus", "Mars", "Mercury", "Earth"]
answer = "C"
back = "Mercury orbits nearest the Sun."
"""

#: Card text that tries to run script or break out of attributes, in every field a page shows.
HOSTILE_DECK = """\
[deck]
slug = "hostile"
title = "<script>alert('title')</script> Hostile & co"

[[card]]
id = "h1"
kind = "basic"
fact = "h1"
front = "<script>alert('front')</script> Which \\" onmouseover=\\"alert(1) is it?"
back = "<img src=x onerror=alert('back')> answer"

[[card]]
id = "h2"
kind = "cloze"
fact = "h2"
front = "A gap: {{c1::<b onclick=alert(2)>bold</b>::<i>hint</i>}} </textarea><svg onload=alert(3)>"
back = "<iframe src=javascript:alert(4)></iframe>"

[[card]]
id = "h3"
kind = "mcq"
fact = "h3"
front = "Pick one </button><script>alert(5)</script>"
options = ["<a href=javascript:alert(6)>A</a>", "B'\\"><script>alert(7)</script>", "C", "D"]
answer = "A"
back = "{{Front}} <style>body{display:none}</style>"
"""

#: Each fragment that would be live markup if card text were not escaped.
HOSTILE_MARKUP = (
    "<script>alert(", "<img src=x", "<b onclick", "<i>hint", "<svg onload", "<iframe",
    "<a href=javascript", "<style>", "</textarea>", "</button><script>",
)  # fmt: skip


def load_deck(home: Path, text: str, name: str) -> Path:
    """A collection in ``home`` with the deck ``text`` added; returns the collection file."""
    assert run("config", "timezone", "Asia/Kolkata").exit_code == 0
    assert run("config", "fuzz", "off").exit_code == 0
    home.mkdir(parents=True, exist_ok=True)
    deck = home.parent / f"{name}.toml"
    deck.write_text(text, encoding="utf-8")
    result = run("add", str(deck))
    assert result.exit_code == 0, result.output
    return home / "collection.db"


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = a.get("id") or a.get("action", "")
            self.forms[self._current] = {"_action": a.get("action", "")}
        elif tag == "input" and self._current is not None and a.get("type") == "hidden":
            self.forms[self._current][a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms(html: str) -> dict[str, dict[str, str]]:
    """Every form of a page by id (or action): its action and hidden fields."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms
