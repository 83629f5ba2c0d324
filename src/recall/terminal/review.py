"""The review screen: one key per action, in a real terminal or driven line by line.

Keys: space or Enter shows the answer; 1–4 rate it (Again, Hard, Good, Easy), with the
interval each would give shown first; a multiple-choice card is answered by its letter and
graded (right → Good, wrong → Again; Enter accepts, 1–4 override); u undoes the last answer,
s suspends, b (or -) buries until tomorrow, q quits; on a multiple-choice question a–d are
the options, so there "-" buries. When standard input is not a terminal the same
commands are read one per line, so a session can be scripted and tested end to end.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TextIO

import click

from recall.cards import CLOZE, LETTERS
from recall.errors import RecallError
from recall.memory import Rating, State
from recall.store import Row
from recall.study.session import AnsweredElsewhere, Session
from recall.text import format_interval

RATING_NAMES = {
    Rating.Again: "Again",
    Rating.Hard: "Hard",
    Rating.Good: "Good",
    Rating.Easy: "Easy",
}
_WORDS = {"again": "1", "hard": "2", "good": "3", "easy": "4", "show": " ", "undo": "u",
          "suspend": "s", "bury": "b", "quit": "q"}  # fmt: skip


class Terminal:
    """Input and output for the screen: keys from a TTY, or lines from a script."""

    def __init__(self, stdin: TextIO | None = None, interactive: bool | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.interactive = self.stdin.isatty() if interactive is None else interactive

    def key(self) -> str:
        if self.interactive:
            ch = click.getchar()
            if ch in ("\x03", "\x04"):
                raise KeyboardInterrupt
            return " " if ch in ("\r", "\n") else ch.lower()
        line = self.stdin.readline()
        if not line:
            return "q"  # end of input: quit, nothing lost
        word = line.strip().lower()
        return _WORDS.get(word, word[:1] if word else " ")

    def clear(self) -> None:
        if self.interactive:
            click.clear()

    def say(self, text: str = "", **style: object) -> None:
        if self.interactive:
            # Wrap at word boundaries to the terminal's width; the terminal would cut words.
            width = max(40, shutil.get_terminal_size().columns - 2)
            text = "\n".join(
                textwrap.fill(line, width) if line else "" for line in text.split("\n")
            )
            if style:
                text = click.style(text, **style)  # type: ignore[arg-type]
        click.echo(text)


def run(
    session: Session, term: Terminal, deck_title: Callable[[str], str] = lambda s: s
) -> dict[str, object]:
    """Drive a session until it is done or the learner quits; returns the summary."""
    message = ""
    try:
        while True:
            row = session.next_card()
            if row is None:
                break
            shown = printable(row)
            pending, message = message, ""  # shown above this card, then done with
            try:
                outcome = _card(session, term, shown, _safe(deck_title(row.deck)), pending)
            except AnsweredElsewhere:
                outcome = "elsewhere"
            if outcome == "quit":
                break
            message = _message(session, outcome, shown)
    except KeyboardInterrupt:
        term.say()
    if message:  # what the last key did, when no card followed to show it above
        term.say(message, fg="yellow")
    summary = session.summary()
    _print_summary(term, summary)
    return summary


_DONE = {
    "suspend": "Suspended “{front}”: it will not show until `recall unsuspend`. u undoes.",
    "bury": "Buried “{front}” until tomorrow. u undoes.",
    "elsewhere": "“{front}” was answered in another review session since it was shown, so "
    "this answer was not recorded; moving on.",
}
_UNDONE = {
    "answer": "Undid the last answer.",
    "suspend": "Unsuspended “{front}”: here it is again.",
    "bury": "Unburied “{front}”: here it is again.",
}


def _message(session: Session, outcome: str, row: Row) -> str:
    """The line shown above the next card: what the last key did."""
    if outcome in _DONE:
        return _DONE[outcome].format(front=_short(row.front))
    if outcome != "undo":
        return ""
    what = session.last_action()
    try:
        undone = session.undo()
    except RecallError as exc:  # answered again, or rescheduled by recall optimize, since
        said = str(exc)
        return f"{said[:1].upper()}{said[1:]}."
    if undone is None or what is None:
        return "Nothing to undo."
    return _UNDONE[what].format(front=_short(printable(undone).front))


def _short(text: str, width: int = 50) -> str:
    flat = " ".join(_front_text(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _front_text(text: str) -> str:
    return CLOZE.sub(lambda m: f"[{m.group(3) or '…'}]", text)


def session_counts(session: Session, row: Row) -> tuple[int, int, int]:
    """(new, learning, review) cards this session will still show, the one on screen
    included: today's counts, or with ``--limit`` only as many as the limit leaves — the
    card on screen, then learning cards, then new cards spread among the reviews, the order
    the session takes them in."""
    counts = list(session.counts())
    if session.limit is None:
        return counts[0], counts[1], counts[2]
    left = max(0, session.limit - len(session.answered))
    shown = [0, 0, 0]
    on_screen = _KIND_OF_STATE.get(row.memory.state, 1)
    if left and counts[on_screen]:
        shown[on_screen] += 1
        left -= 1
    learning = min(counts[1] - shown[1], left)
    shown[1] += learning
    left -= learning
    for i in range(left):
        n, r = counts[0] - shown[0], counts[2] - shown[2]
        if not n and not r:
            break
        if n and (not r or (len(session.answered) + i) % max(1, (n + r) // n) == 0):
            shown[0] += 1
        else:
            shown[2] += 1
    return shown[0], shown[1], shown[2]


_KIND_OF_STATE = {State.New: 0, State.Learning: 1, State.Relearning: 1, State.Review: 2}


def _header(session: Session, term: Terminal, row: Row, deck: str, message: str = "") -> None:
    new, learning, review = session_counts(session, row)
    term.clear()
    if message:
        term.say(message, fg="yellow")
    counts = f"new {new} · learning {learning} · review {review}"
    room = max(10, shutil.get_terminal_size().columns - len(counts) - 5)
    title = deck if len(deck) <= room or not term.interactive else deck[: room - 1] + "…"
    term.say(f"{title}   {counts}", dim=True)
    term.say()
    term.say(_front(row))


def _card(session: Session, term: Terminal, row: Row, deck: str, message: str) -> str:
    _header(session, term, row, deck, message)
    if row.kind == "mcq":
        for letter, option in zip(LETTERS, row.options, strict=False):
            term.say(f"  {letter}) {option}")
        term.say()
        term.say("a–d answer · space show · u undo · s suspend · - bury · q quit", dim=True)
    else:
        term.say()
        term.say("space show answer · u undo · s suspend · b bury · q quit", dim=True)
    session.idle()  # the card is on screen: housekeeping costs the learner nothing now
    chosen: str | None = None
    while True:
        k = term.key()
        # On a multiple-choice question a–d are the options: there "b" is B, and "-" buries.
        if row.kind == "mcq" and k in {"a", "b", "c", "d"}:
            if LETTERS.index(k.upper()) < len(row.options):
                chosen = k.upper()
                break
            continue
        if k in {"q", "u"}:
            return "quit" if k == "q" else "undo"
        if k in {"s", "b", "-"}:
            (session.suspend if k == "s" else session.bury)(row)
            return "suspend" if k == "s" else "bury"
        if k == " ":
            break
    if term.interactive:
        _header(session, term, row, deck)  # redraw: the answer replaces the key hints
    return _answer(session, term, row, chosen)


def _answer(session: Session, term: Terminal, row: Row, chosen: str | None) -> str:
    term.say()
    graded: Rating | None = None
    if row.kind == "mcq":
        right = row.answer
        for letter, option in zip(LETTERS, row.options, strict=False):
            mark = "✓" if letter == right else ("✗" if letter == chosen else " ")
            term.say(
                f"{mark} {letter}) {option}",
                fg="green" if letter == right else ("red" if letter == chosen else None),
            )
        if chosen is not None:
            graded = Rating.Good if chosen == right else Rating.Again
            term.say(
                "Correct." if graded == Rating.Good else f"Not quite: the answer is {right}.",
                bold=True,
            )
    elif row.kind == "cloze":
        term.say(
            CLOZE.sub(
                lambda m: (
                    click.style(m.group(2), bold=True, underline=True)
                    if term.interactive
                    else f"[{m.group(2)}]"
                ),
                row.front,
            )
        )
    if row.kind == "cloze" and row.back.strip():
        term.say(row.back, dim=True)  # the whole sentence the cloze was cut from
    elif row.back.strip():
        term.say(row.back, bold=row.kind in {"basic", "reverse"})
    preview = session.preview(row)
    choices = "   ".join(
        f"{int(r)} {RATING_NAMES[r]} {format_interval(preview[r])}" for r in Rating
    )
    term.say()
    term.say(choices)
    if graded is not None:
        term.say(f"Enter accepts {RATING_NAMES[graded]} · 1–4 override · u undo · q quit", dim=True)
    else:
        term.say("1–4 rate · u undo · s suspend · b bury · q quit", dim=True)
    while True:
        k = term.key()
        if k in {"q", "u"}:
            return "quit" if k == "q" else "undo"
        if k in {"s", "b", "-"}:
            (session.suspend if k == "s" else session.bury)(row)
            return "suspend" if k == "s" else "bury"
        if k in {"1", "2", "3", "4"}:
            session.answer(
                row, Rating(int(k)), correct=None if graded is None else graded == Rating.Good
            )
            return "answered"
        if k == " " and graded is not None:
            session.answer(row, graded, correct=graded == Rating.Good)
            return "answered"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _safe(text: str) -> str:
    """Text with every control character (ESC included) shown as U+FFFD: a card's text can
    never move the cursor, clear the screen or retitle the terminal."""
    return _CONTROL.sub("\ufffd", text)


def printable(row: Row) -> Row:
    """The card as the screen shows it: its text made safe for the terminal."""
    return replace(
        row, front=_safe(row.front), back=_safe(row.back),
        options=tuple(_safe(o) for o in row.options),
    )  # fmt: skip


def _front(row: Row) -> str:
    if row.kind == "cloze":
        return CLOZE.sub(lambda m: f"[{m.group(3) or '…'}]", row.front)
    return row.front


def _print_summary(term: Terminal, s: dict[str, object]) -> None:
    term.say()
    cards = int(s["cards"])  # type: ignore[call-overload]
    if cards == 0:
        term.say("No cards answered.")
    else:
        minutes, seconds = divmod(int(s["seconds"]), 60)  # type: ignore[call-overload]
        noun = "card" if cards == 1 else "cards"
        took = f"{minutes}m {seconds:02d}s"
        term.say(f"Session done: {cards} {noun}, {s['correct_pct']}% correct, {took}.", bold=True)
    next_due = s.get("next_due")
    if isinstance(next_due, str):
        when = datetime.fromisoformat(next_due)
        delta = when - datetime.now(UTC)
        when_text = "now" if delta.total_seconds() <= 0 else "in " + format_interval(delta)
        term.say(f"Next card due {when_text}.")
    else:
        term.say("No cards are scheduled yet.")


def strip_markup(text: str) -> str:
    """Plain text of a screen line (for tests)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
