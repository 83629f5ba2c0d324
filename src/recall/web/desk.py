"""The review sessions the app drives, and a card as a page shows it.

There is one :class:`~recall.study.session.Session` per deck (and one for all decks), the
same model ``recall review`` drives: queue, limits, learning steps, siblings and undo are
its, never re-done here. Two tabs on one deck share it. A session is started afresh when the
learner's day turns, as ``recall review`` would be started again the next morning.

Two tabs, or a tab and a terminal, may show the same card. Each page carries the card's
*version* (its repetitions and last review as they were when shown); an answer whose card
has changed since is refused rather than applied blindly, so the review log holds exactly
the answers the learner saw acknowledged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from markupsafe import Markup, escape

from recall.cards import CLOZE, LETTERS
from recall.memory import Rating
from recall.store import Collection, Row, ts
from recall.study.schedule import Scheduler
from recall.study.session import Session
from recall.text import format_interval

RATING_NAMES = {r: r.name for r in Rating}


def version(row: Row) -> str:
    """What changes whenever the card is answered (or an answer undone)."""
    m = row.memory
    return f"{m.reps}:{ts(m.last_review) if m.last_review else '-'}:{int(m.state)}"


@dataclass(frozen=True)
class Option:
    letter: str
    text: str
    right: bool


@dataclass(frozen=True)
class CardView:
    """A card ready for the review template: every piece of text is escaped here or by
    Jinja's autoescape; only the cloze gap and its answer are recall's own markup."""

    uid: str
    kind: str
    deck_title: str
    version: str
    question: Markup
    answer: Markup
    extra: str
    options: tuple[Option, ...]
    right_letter: str
    buttons: tuple[tuple[int, str, str], ...]  # (rating, name, interval)


def cloze_question(front: str) -> Markup:
    gap = Markup('<span class="gap">[{}]</span>')
    return _cloze(front, lambda m: gap.format(m.group(3) or "…"))


def cloze_answer(front: str) -> Markup:
    filled = Markup('<strong class="filled">{}</strong>')
    return _cloze(front, lambda m: filled.format(m.group(2)))


def _cloze(front: str, mark: Callable[[re.Match[str]], Markup]) -> Markup:
    out, last = [], 0
    for m in CLOZE.finditer(front):
        out.append(escape(front[last : m.start()]))
        out.append(mark(m))
        last = m.end()
    out.append(escape(front[last:]))
    return Markup("").join(out)


def card_view(session: Session, row: Row, deck_title: str) -> CardView:
    preview = session.preview(row)
    buttons = tuple((int(r), RATING_NAMES[r], format_interval(preview[r])) for r in Rating)
    options = tuple(
        Option(letter, text, letter == row.answer)
        for letter, text in zip(LETTERS, row.options, strict=False)
    )
    if row.kind == "cloze":
        question, answer, extra = cloze_question(row.front), cloze_answer(row.front), row.back
    elif row.kind == "mcq":
        question, answer, extra = escape(row.front), Markup(""), row.back
    else:
        question, answer, extra = escape(row.front), escape(row.back), ""
    return CardView(
        row.uid, row.kind, deck_title, version(row), question, answer, extra, options,
        row.answer, buttons,
    )  # fmt: skip


class Desk:
    """The open sessions, one per deck (``None``: every deck), renewed each learner day."""

    def __init__(self, col: Collection, clock: Callable[[], datetime]) -> None:
        self.col, self.clock = col, clock
        self._sessions: dict[str | None, tuple[date, Session]] = {}

    def session(self, deck: str | None) -> Session:
        held = self._sessions.get(deck)
        if held is not None and held[1].sched.day(self.clock()) == held[0]:
            return held[1]
        sched = Scheduler(self.col.settings())
        session = Session(self.col, sched, deck=deck, clock=self.clock)
        self._sessions[deck] = (sched.day(self.clock()), session)
        return session

    def restart(self, deck: str | None) -> None:
        """Forget the deck's session (the settings changed, or the learner starts over)."""
        self._sessions.pop(deck, None)

    def restart_all(self) -> None:
        """Forget every session: the settings they were built on changed."""
        self._sessions.clear()
