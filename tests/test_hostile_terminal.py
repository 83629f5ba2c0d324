"""Nothing live reaches the terminal (issue 14, case 7): a deck title, a lesson's Prelims
line, a slug, a category, a file name or an error line holding an escape sequence, a
bidirectional override or a zero-width character is shown inert, in every command.

Each command runs in a real pseudo-terminal, and the bytes the terminal received are read.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from recall.cards import Card
from recall.deckfile import Deck, write_deck

OSC_TITLE = "\x1b]0;pwned\x07"
OSC_CLIPBOARD = "\x1b]52;c;ZWNobyBoaQ==\x07"
CSI_CLEAR = "\x1b[2J"
BIDI = "\u202e"
ZERO_WIDTH = "\u200b"
HOSTILE = OSC_TITLE + OSC_CLIPBOARD + CSI_CLEAR + BIDI + ZERO_WIDTH
FORBIDDEN = ["\x1b", "\x07", "\u202e", "\u200b", "\x9b"]


def on_a_terminal(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run recall with stdout and stderr on a pty; everything the terminal received."""
    main, sub = pty.openpty()
    p = subprocess.Popen(
        [sys.executable, "-m", "recall", *args],
        stdin=subprocess.DEVNULL, stdout=sub, stderr=sub, env={**os.environ, **(env or {})},
    )  # fmt: skip
    os.close(sub)
    seen = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the pty closes when the process ends
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    return p.wait(timeout=60), seen.decode("utf-8", "replace")


def assert_inert(screen: str) -> None:
    for bad in FORBIDDEN:
        assert bad not in screen, (bad, screen)


def hostile_deck(path: Path) -> None:
    card = Card(id="c1", kind="basic", fact="f", front=f"Q{HOSTILE}?", back="A").stamped()
    deck = Deck(f"slug{ZERO_WIDTH}", f"Title {HOSTILE}", [card], category=f"Cat{BIDI}gory")
    write_deck(deck, path)


def test_deck_titles_slugs_and_categories_are_inert_in_decks_and_add(tmp_path: Path) -> None:
    deck = tmp_path / "hostile.toml"
    hostile_deck(deck)
    db = str(tmp_path / "collection.db")
    code, screen = on_a_terminal("add", "--db", db, str(deck))
    assert code == 0 and "1 added" in screen
    assert_inert(screen)
    code, screen = on_a_terminal("decks", "--db", db)
    assert code == 0 and "Title" in screen and "\ufffd]0;pwned" in screen
    assert_inert(screen)
    code, screen = on_a_terminal("due", "--db", db)
    assert code == 0
    assert_inert(screen)


def test_a_lessons_prelims_line_is_inert_in_the_generate_summary(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.txt"
    lesson.write_text(
        f"Minerals {BIDI}lesson\n\nWhy in News?\n- India joined the Minerals Security "
        f"Partnership.\n\nUPSC Relevance\nPrelims Focus:\n- Lithium{OSC_TITLE} uses "
        f"{OSC_CLIPBOARD}{ZERO_WIDTH}\n",
        encoding="utf-8",
    )
    out = tmp_path / "decks"
    code, screen = on_a_terminal("generate", str(lesson), "-o", str(out))
    assert code == 0 and "wrote" in screen and "Lithium\ufffd]0;pwned" in screen
    assert_inert(screen.replace("\x1b[1m", "").replace("\x1b[0m", "").replace("\x1b[33m", ""))
    code, screen = on_a_terminal("generate", str(lesson), "-o", str(out), "--json", "--dry-run")
    assert code == 0
    assert_inert(screen)
    payload = json.loads(screen.replace("\r\n", "\n"))
    assert BIDI in payload["decks"][0]["title"]  # the JSON escape keeps the data exact


def test_a_file_name_in_an_error_line_is_inert_and_stays_one_line(tmp_path: Path) -> None:
    name = tmp_path / f"deck{OSC_TITLE}\nrecall: all good{BIDI}.toml"
    name.write_text("not toml [", encoding="utf-8")
    code, screen = on_a_terminal("add", "--db", str(tmp_path / "c.db"), str(name))
    assert code == 2
    assert_inert(screen)
    assert screen.count("\n") == 1 and screen.startswith("recall: error: ")


def test_the_sanitiser_keeps_joiners_inside_indic_words_and_emoji() -> None:
    from recall.text import terminal_safe

    assert terminal_safe("क्\u200dष") == "क्\u200dष"
    assert terminal_safe("👩\u200d💻") == "👩\u200d💻"
    assert terminal_safe("a\u200db") == "a\ufffdb"
    assert terminal_safe("tab\tand\nline") == "tab\tand\nline"
    assert terminal_safe("tab\tand\nline", one_line=True) == "tab\ufffdand\ufffdline"
