"""Numbers about a collection: what is due, how reviews went, and the 30-day forecast.

Every "day" here is the learner's day (it starts at the configured hour, local time), the
same day the daily limits count against.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from recall.memory import State
from recall.store import Collection, parse_ts
from recall.study.schedule import Scheduler
from recall.study.session import Queue, build_queue

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
    """Cards by state, reviews, retention, retrievability, streak and the due forecast."""
    rows = col.live_cards(deck)
    by_state = Counter(STATE_NAMES[r.memory.state] for r in rows if not r.suspended)
    today = sched.day(now)
    start_30 = sched.day_start(today - timedelta(days=29))
    log = col.answered_between(start_30, sched.next_day_start(now), deck)
    days = Counter(sched.day(parse_ts(r["reviewed_at"])) for r in log)  # type: ignore[arg-type]
    reviewed_days = set(days)
    in_review = [r for r in log if r["state_before"] == State.Review]
    passed = sum(1 for r in in_review if r["rating"] > 1)
    rs = [sched.retrievability(r.memory, now) for r in rows if r.memory.state == State.Review]
    known = [r for r in rs if r is not None]
    streak, day = 0, today if today in reviewed_days else today - timedelta(days=1)
    while day in reviewed_days:
        streak += 1
        day -= timedelta(days=1)
    forecast = []
    scheduled = [
        r for r in rows if r.memory.state != State.New and not r.suspended and r.memory.due
    ]
    dues = Counter(max(0, (sched.day(r.memory.due) - today).days) for r in scheduled)  # type: ignore[arg-type]
    for offset in range(30):
        forecast.append(
            {"day": (today + timedelta(days=offset)).isoformat(), "due": dues.get(offset, 0)}
        )
    return {
        "deck": deck,
        "cards": {
            **{name: by_state.get(name, 0) for name in STATE_NAMES.values()},
            "suspended": sum(1 for r in rows if r.suspended),
            "total": len(rows),
        },
        "reviews": {
            "today": days.get(today, 0),
            "7_days": sum(n for d, n in days.items() if (today - d).days < 7),
            "30_days": len(log),
        },
        "true_retention_30_days": round(passed / len(in_review), 4) if in_review else None,
        "review_cards_judged": len(in_review),
        "average_retrievability": round(sum(known) / len(known), 4) if known else None,
        "streak_days": streak,
        "forecast": forecast,
    }


def bar_chart(forecast: list[dict[str, Any]], width: int = 40) -> list[str]:
    """The forecast as text bars, one line a day."""
    top = max((f["due"] for f in forecast), default=0)
    lines = []
    for i, f in enumerate(forecast):
        label = "today" if i == 0 else f["day"][5:]
        bar = "█" * (round(width * f["due"] / top) if top else 0)
        lines.append(f"{label:>6} {bar} {f['due']}")
    return lines
