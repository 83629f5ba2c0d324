"""Finding and looking at cards, and a learner's changes to them: search, the one-card
view, forget, and editing a card's text (no I/O: ``recall cards``/``card``/``edit`` print).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from recall.cards import CLOZE, KINDS, LETTERS, Card
from recall.errors import RecallError, load_toml
from recall.memory import Rating, State
from recall.store import CardText, Collection, Row
from recall.study.query import bind, parse
from recall.study.schedule import Scheduler

STATE_NAMES = {
    State.New: "new",
    State.Learning: "learning",
    State.Review: "review",
    State.Relearning: "relearning",
}


def search(
    col: Collection, sched: Scheduler, text: str, now: datetime, limit: int | None = None
) -> list[Row]:
    """The cards a query finds, in deck order; none found is an error (nothing to act on)."""
    today = sched.day(now)
    query = bind(
        parse(text),
        today=today.isoformat(),
        day_start=lambda n: _ts(sched.day_start(today.fromordinal(today.toordinal() + n))),
    )
    rows = col.search_cards(query, limit)
    if not rows:
        raise RecallError(f"no cards match: {text}")
    return rows


def _ts(instant: datetime) -> str:
    from recall.store import ts

    return ts(instant)


def status(row: Row, today: str) -> str:
    """What the learner would call the card's state: a flag if one hides it, else its state."""
    if row.retired:
        return "retired"
    if row.suspended:
        return "suspended"
    if row.buried_until is not None and row.buried_until > today:
        return "buried"
    return STATE_NAMES[row.memory.state]


def due_text(row: Row, sched: Scheduler) -> str:
    """A learner day for reviews, a local time for learning steps, the place for new cards."""
    m = row.memory
    if m.state == State.New or m.due is None:
        return f"new #{row.position + 1}"
    if m.state in (State.Learning, State.Relearning):
        return m.due.astimezone(sched.tz).strftime("%Y-%m-%d %H:%M")
    return sched.day(m.due).isoformat()


def listing(row: Row, sched: Scheduler, today: str) -> dict[str, Any]:
    """A card as one line of ``recall cards`` (and its JSON)."""
    return {
        "id": row.id, "uid": row.uid, "deck": row.deck, "kind": row.kind,
        "state": STATE_NAMES[row.memory.state], "status": status(row, today),
        "due": due_text(row, sched), "front": row.front,
    }  # fmt: skip


def details(col: Collection, sched: Scheduler, row: Row, now: datetime) -> dict[str, Any]:
    """Everything about one card: text, provenance, memory, retrievability, history."""
    extra = col.card_details(row.uid)
    m = row.memory
    r = sched.retrievability(m, now)
    return {
        **listing(row, sched, sched.day(now).isoformat()),
        "deck_title": col.deck_titles().get(row.deck, row.deck),
        "fact": row.fact, "back": row.back, "options": list(row.options), "answer": row.answer,
        "tags": json.loads(extra["tags"] or "[]"), "source": extra["source"] or "",
        "url": extra["url"] or "", "as_of": extra["as_of"] or "",
        "added_at": extra["added_at"], "changed_at": extra["changed_at"],
        "edited": col.edit_base(row.uid) is not None,
        "stability": m.stability, "difficulty": m.difficulty,
        "retrievability": r, "due_at": m.due.isoformat() if m.due else None,
        "last_review": m.last_review.isoformat() if m.last_review else None,
        "reps": m.reps, "lapses": m.lapses, "buried_until": row.buried_until,
        "history": [_history_row(h, sched) for h in col.log(row.uid)],
    }  # fmt: skip


def _history_row(h: dict[str, Any], sched: Scheduler) -> dict[str, Any]:
    at = datetime.fromisoformat(h["reviewed_at"])
    due = datetime.fromisoformat(h["due_after"]) if h["due_after"] else None
    return {
        "at": at.isoformat(), "day": sched.day(at).isoformat(),
        "rating": Rating(h["rating"]).name, "state_before": STATE_NAMES[State(h["state_before"])],
        "state_after": STATE_NAMES[State(h["state_after"])], "elapsed_days": h["elapsed_days"],
        "interval_days": round((due - at).total_seconds() / 86400, 2) if due else None,
        "stability": h["stability_after"], "duration_ms": h["duration_ms"],
    }  # fmt: skip


def forget(col: Collection, rows: list[Row], now: datetime) -> int:
    """Reset cards to new (their history stays in the log); returns how many changed."""
    studied = {r.uid: r.memory for r in rows if r.memory != type(r.memory)()}
    if studied:
        col.forget(studied, now)
    return len(studied)


# -- editing a card's text -------------------------------------------------------------------

_EDIT_HEADER = """\
# recall edit: card {id} ({kind}) in deck {deck}.
# Change the text below, save and close. Lines starting with # are ignored.
# Leave the file unchanged to cancel.

"""


def digest(row: Row) -> str:
    """The content digest of a card's text as a deck file would give it (:class:`Card`)."""
    return Card(
        row.id, row.kind, row.fact, row.front, row.back, row.options, row.answer
    ).content_hash()


def edit_text(row: Row) -> str:
    """A card's editable text as TOML, for ``$EDITOR``."""
    import tomli_w

    data: dict[str, Any] = {"front": row.front}
    if row.kind == "mcq":
        data["options"], data["answer"] = list(row.options), row.answer
    data["back"] = row.back
    body = tomli_w.dumps(data, multiline_strings=True)
    return _EDIT_HEADER.format(id=row.id, kind=row.kind, deck=row.deck) + body


def parse_edit(text: str, row: Row, name: str) -> CardText:
    """The learner's edited text, checked as a deck file's card would be."""
    data = load_toml(text, name)
    allowed = {"front", "back", "options", "answer"} if row.kind == "mcq" else {"front", "back"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RecallError(f"unknown field {unknown[0]!r} (a {row.kind} card has "
                          f"{', '.join(sorted(allowed))})", name)  # fmt: skip
    return checked(
        row.kind,
        front=data.get("front", row.front),
        back=data.get("back", row.back),
        options=data.get("options", list(row.options)),
        answer=data.get("answer", row.answer),
        name=name,
    )


def checked(kind: str, *, front: Any, back: Any, options: Any, answer: Any, name: str) -> CardText:
    """A card's new text, or the first rule it breaks (the deck file's rules)."""
    assert kind in KINDS
    for label, value in (("front", front), ("back", back), ("answer", answer)):
        if not isinstance(value, str):
            raise RecallError(f"{label} must be text", name)
    if not front.strip():
        raise RecallError("front is empty", name)
    if kind == "cloze" and not CLOZE.search(front):
        raise RecallError("a cloze front needs a deletion like {{c1::…}}", name)
    if kind != "mcq":
        return CardText(front, back)
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise RecallError("options must be a list of text", name)
    if len(options) != 4 or len({o.strip().casefold() for o in options}) != 4:
        raise RecallError("multiple choice needs 4 distinct options", name)
    if answer not in LETTERS:
        raise RecallError("answer must be one of A, B, C, D", name)
    return CardText(front, back, tuple(options), answer)
