"""Numbers about a collection: what is due, how reviews went, and the 30-day forecast.

Every "day" here is the learner's day (it starts at the configured hour, local time), the
same day the daily limits count against.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from recall.memory import State
from recall.store import Collection
from recall.study.queue import Queue, build_queue
from recall.study.schedule import Scheduler

STATE_NAMES = {
    State.New: "new",
    State.Learning: "learning",
    State.Review: "review",
    State.Relearning: "relearning",
}


def due(
    col: Collection, sched: Scheduler, now: datetime, deck: str | None = None
) -> dict[str, Any]:
    """Per deck: new / learning / review cards due today (what `recall review` would show),
    and how many more wait because a sibling (another card of the same fact) is due or was
    answered today. Anki buries only cards of one note, and every recall card is its own note
    in Anki, so Anki's count for the same collection is the shown count plus the waiting one."""
    queue = build_queue(col, sched, now, deck)
    per = _count(queue)
    waiting: dict[str, dict[str, int]] = {}
    if sched.settings.bury_siblings:
        unburied = Scheduler(replace(sched.settings, bury_siblings=False))
        every = _count(build_queue(col, unburied, now, deck))
        waiting = {
            slug: {k: n - per.get(slug, {}).get(k, 0) for k, n in kinds.items()}
            for slug, kinds in every.items()
        }
    titles = col.deck_titles()
    empty = {"new": 0, "learning": 0, "review": 0}
    decks: list[dict[str, Any]] = [
        {
            "deck": slug,
            "title": titles.get(slug, slug),
            **per.get(slug, empty),
            "waiting_for_sibling": waiting.get(slug, empty),
        }
        for slug in sorted(titles)
        if deck is None or slug == deck
    ]
    next_due = min(
        (r.memory.due for r in queue.learning if r.memory.due and r.memory.due > now), default=None
    )
    if next_due is None:
        next_due = col.next_due(sched.next_day_start(now), deck)
    return {
        "day": sched.day(now).isoformat(),
        "decks": decks,
        "total": {k: sum(d[k] for d in decks) for k in ("new", "learning", "review")},
        "waiting_for_sibling": {
            k: sum(d["waiting_for_sibling"][k] for d in decks)
            for k in ("new", "learning", "review")
        },
        "next_due": next_due.isoformat() if next_due else None,
    }


def _count(queue: Queue) -> dict[str, dict[str, int]]:
    per: dict[str, dict[str, int]] = defaultdict(lambda: {"new": 0, "learning": 0, "review": 0})
    for kind, rows in (("new", queue.new), ("learning", queue.learning), ("review", queue.review)):
        for row in rows:
            per[row.deck][kind] += 1
    return per


def stats(
    col: Collection, sched: Scheduler, now: datetime, deck: str | None = None
) -> dict[str, Any]:
    """Cards by state, reviews, retention, retrievability, streak and the due forecast.

    Counted in SQLite by the store's grouping queries (one pass over the cards, one over
    the last 30 days of the log): a lifetime collection is never read card by card."""
    today = sched.day(now)
    start = sched.day_start(today - timedelta(days=29))
    answers = answer_days(col, sched, start, sched.next_day_start(now), deck)
    reviews = review_numbers(answers, today)
    return {
        "deck": deck,
        "cards": card_numbers(col.card_counts(deck)),
        "reviews": reviews["reviews"],
        "true_retention_30_days": reviews["true_retention_30_days"],
        "review_cards_judged": reviews["review_cards_judged"],
        "average_retrievability": average_retrievability(col, sched, now, deck),
        "streak_days": reviews["streak_days"],
        "forecast": forecast(col, sched, now, deck),
    }


def card_numbers(counts: list[tuple[int, bool, int]]) -> dict[str, int]:
    """Unsuspended live cards by state, the suspended ones, and all live ones."""
    by_state: Counter[str] = Counter()
    for state, suspended, n in counts:
        if not suspended:
            by_state[STATE_NAMES[State(state)]] += n
    return {
        **{name: by_state.get(name, 0) for name in STATE_NAMES.values()},
        "suspended": sum(n for _, suspended, n in counts if suspended),
        "total": sum(n for _, _, n in counts),
    }


def day_spans(
    sched: Scheduler, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, date]]:
    """``[start, end)`` cut into runs of UTC quarter hours that fall on one learner day, as
    (start, end, day); ``start`` and ``end`` are day starts. Walking the quarter hours makes
    each run agree with :meth:`Scheduler.day` even on the night a clock goes back."""
    spans: list[tuple[datetime, datetime, date]] = []
    quarter = timedelta(minutes=15)
    at = start
    while at < end:
        day = sched.day(at)
        if spans and spans[-1][2] == day and spans[-1][1] == at:
            spans[-1] = (spans[-1][0], at + quarter, day)
        else:
            spans.append((at, at + quarter, day))
        at += quarter
    return spans


def answer_days(
    col: Collection, sched: Scheduler, start: datetime, end: datetime, deck: str | None
) -> list[tuple[date, int, bool, int, int]]:
    """The log's answers in ``[start, end)`` (day starts) grouped by learner day, as (day,
    rating, whether the card was in review before, how many, milliseconds spent)."""
    spans = day_spans(sched, start, end)
    groups = col.answers_in_spans([(lo, hi) for lo, hi, _ in spans], deck)
    return [(spans[i][2], rating, in_review, n, ms) for i, rating, in_review, n, ms in groups]


def review_numbers(answers: list[tuple[date, int, bool, int, int]], today: date) -> dict[str, Any]:
    """Reviews today, in 7 and 30 days, true retention, and the streak of days studied."""
    days: Counter[date] = Counter()
    judged = passed = 0
    for day, rating, in_review, n, _ in answers:
        days[day] += n
        if in_review:
            judged += n
            passed += n if rating > 1 else 0
    streak, day = 0, today if days[today] else today - timedelta(days=1)
    while days[day]:
        streak += 1
        day -= timedelta(days=1)
    return {
        "reviews": {
            "today": days[today],
            "7_days": sum(n for d, n in days.items() if (today - d).days < 7),
            "30_days": sum(days.values()),
        },
        "true_retention_30_days": round(passed / judged, 4) if judged else None,
        "review_cards_judged": judged,
        "streak_days": streak,
    }


def average_retrievability(
    col: Collection, sched: Scheduler, now: datetime, deck: str | None
) -> float | None:
    """The mean predicted recall of live review cards, one py-fsrs call per group of cards
    with the same stability and elapsed days."""
    groups = col.review_memory_groups(sched.anki_next_day_at(now), deck)
    mean = sched.mean_retrievability(groups, now)
    return None if mean is None else round(mean, 4)


def forecast(
    col: Collection, sched: Scheduler, now: datetime, deck: str | None
) -> list[dict[str, Any]]:
    """Studied, unsuspended cards due on each of the next 30 days (overdue ones today)."""
    today = sched.day(now)
    dues: Counter[int] = Counter()
    # A day's margin either side: the store's bounds need not match day() to the second.
    overdue = sched.day_start(today - timedelta(days=1))
    for quarter, n in col.due_quarters(overdue, sched.day_start(today + timedelta(days=31)), deck):
        offset = 0
        if quarter is not None:
            offset = max(0, (sched.day(datetime.fromtimestamp(quarter * 900, UTC)) - today).days)
        dues[offset] += n
    return [
        {"day": (today + timedelta(days=offset)).isoformat(), "due": dues.get(offset, 0)}
        for offset in range(30)
    ]


def bar_chart(forecast: list[dict[str, Any]], width: int = 40) -> list[str]:
    """The forecast as text bars, one line a day."""
    top = max((f["due"] for f in forecast), default=0)
    lines = []
    for i, f in enumerate(forecast):
        label = "today" if i == 0 else f["day"][5:]
        bar = "█" * (round(width * f["due"] / top) if top else 0)
        lines.append(f"{label:>6} {bar} {f['due']}")
    return lines
