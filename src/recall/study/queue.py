"""Today's queue: which learning, review and new cards a session may show, under Anki's
limits and sibling rule, counted per learner day across sessions (so a second session the
same day continues where the first stopped).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from recall.memory import State
from recall.store import Collection, Entry, Row
from recall.study.presets import Presets
from recall.study.schedule import Scheduler

#: Studying ahead takes every review card due in the window (the learner asked for them).
AHEAD_MAX = 100_000


@dataclass
class Queue:
    """The cards a session may show today, by kind."""

    learning: list[Row] = field(default_factory=list)
    review: list[Entry] = field(default_factory=list)
    new: list[Entry] = field(default_factory=list)


def build_queue(
    col: Collection, sched: Scheduler, now: datetime, deck: str | None = None, ahead: int = 0
) -> Queue:
    """Today's queue at ``now``; with ``ahead``, review cards due in that many more learner
    days too (no new cards, no daily review limit: the learner asked for exactly these)."""
    s = sched.settings
    presets = Presets.of(col, sched)
    today = sched.day(now)
    start, end = sched.day_start(today), sched.next_day_start(now)
    done = col.answered_between(start, end, deck)
    # Limits as Anki's v3 scheduler counts them: the deck studied (or, for the whole
    # collection, the default preset) caps the total, and each deck's preset caps that deck.
    top = presets.settings(deck)
    new_done = Counter(r["deck"] for r in done if r["state_before"] == State.New)
    review_done = Counter(r["deck"] for r in done if r["state_before"] == State.Review)
    new_left = max(0, top.new_per_day - sum(new_done.values()))
    review_left = max(0, top.reviews_per_day - sum(review_done.values()))
    answered_siblings = (
        {f"{r['deck']}\x1f{r['fact']}" for r in done if r["fact"]} if s.bury_siblings else set()
    )
    queue = Queue()
    day = today.isoformat()
    queue.learning = col.learning_cards(day, end, deck)
    taken = set(answered_siblings) | {r.sibling_key for r in queue.learning}

    def pick(
        fetch: Callable[[int], list[Entry]], want: int, deck_left: Callable[[str], int]
    ) -> list[Entry]:
        return _pick(fetch, want, deck_left, taken, s.bury_siblings)

    if ahead:
        review_end = sched.day_start(today + timedelta(days=1 + ahead))
        reviews = pick(lambda n: col.due_reviews(day, review_end, deck, n), AHEAD_MAX, _all)
        queue.review = reviews
        return queue

    def reviews_left(d: str) -> int:
        return presets.settings(d).reviews_per_day - review_done[d]

    def new_left_in(d: str) -> int:
        return presets.settings(d).new_per_day - new_done[d]

    queue.review = pick(lambda n: col.due_reviews(day, end, deck, n), review_left, reviews_left)
    queue.new = pick(lambda n: col.new_cards(day, deck, n), new_left, new_left_in)
    return queue


def _all(deck: str) -> int:
    """No limit of a deck's own (studying ahead)."""
    return AHEAD_MAX


def _pick(
    fetch: Callable[[int], list[Entry]],
    want: int,
    deck_left: Callable[[str], int],
    taken: set[str],
    bury_siblings: bool,
) -> list[Entry]:
    """Up to ``want`` cards from ``fetch``, skipping siblings already ``taken`` and decks
    whose own limit is reached; ``taken`` grows with what is picked."""
    out: list[Entry] = []
    taken_in: Counter[str] = Counter()
    # Fetch a little more than wanted (siblings are skipped); widen only if that ran out.
    limit = want + want // 2 + 10
    rows = fetch(limit) if want else []
    while rows:
        for row in rows:
            if len(out) >= want:
                return out
            if bury_siblings and row.sibling_key in taken:
                continue
            if taken_in[row.deck] >= deck_left(row.deck):
                continue  # that deck's preset allows no more today
            taken.add(row.sibling_key)
            taken_in[row.deck] += 1
            out.append(row)
        if len(rows) < limit:
            break
        limit *= 4
        seen = {r.uid for r in rows}
        rows = [r for r in fetch(limit) if r.uid not in seen]
    return out
