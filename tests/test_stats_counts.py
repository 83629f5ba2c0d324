"""The stats and the Stats page's charts, counted by grouping queries in SQLite, give exactly
the figures of the earlier card-by-card, row-by-row count (kept here as the reference), on
random collections in zones with half- and quarter-hour offsets and daylight saving time,
with instants placed on the day boundaries and a microsecond either side of them."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from recall.memory import State
from recall.store import Collection, parse_ts, ts
from recall.study.schedule import Scheduler
from recall.study.stats import STATE_NAMES, stats
from recall.web import charts as web

NOW = datetime(2026, 11, 3, 7, 40, 12, 345678, tzinfo=UTC)
DECKS = ("polity", "economy", "history")


def _old_stats(col: Collection, sched: Scheduler, now: datetime, deck: str | None) -> Any:
    """recall's stats as counted before the grouping queries: every card, every log row."""
    rows = col.live_cards(deck)
    by_state = Counter(STATE_NAMES[r.memory.state] for r in rows if not r.suspended)
    today = sched.day(now)
    log = col.answered_between(
        sched.day_start(today - timedelta(days=29)), sched.next_day_start(now), deck
    )
    days = Counter(sched.day(parse_ts(r["reviewed_at"])) for r in log)  # type: ignore[arg-type]
    in_review = [r for r in log if r["state_before"] == State.Review]
    passed = sum(1 for r in in_review if r["rating"] > 1)
    rs = [sched.retrievability(r.memory, now) for r in rows if r.memory.state == State.Review]
    known = [r for r in rs if r is not None]
    streak, day = 0, today if today in days else today - timedelta(days=1)
    while day in days:
        streak, day = streak + 1, day - timedelta(days=1)
    scheduled = [r for r in rows if r.memory.state != State.New and not r.suspended]
    dues = Counter(
        max(0, (sched.day(r.memory.due) - today).days) for r in scheduled if r.memory.due
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
        "forecast": [
            {"day": (today + timedelta(days=i)).isoformat(), "due": dues.get(i, 0)}
            for i in range(30)
        ],
    }


def _old_bins(values: list[float], bins: tuple[tuple[str, float, float], ...]) -> list[int]:
    counts = [0] * len(bins)
    for v in values:
        for i, (_, low, high) in enumerate(bins):
            if low <= v < high or (i == len(bins) - 1 and v >= low):
                counts[i] += 1
                break
    return counts


def _old_charts(col: Collection, sched: Scheduler, now: datetime, deck: str | None) -> Any:
    """The Stats page's charts from the log rows and cards counted one by one in Python."""
    today = sched.day(now)
    first = date.fromisoformat(web._months(today, 12)[0] + "-01")
    log = col.answered_between(sched.day_start(first), sched.next_day_start(now), deck)
    month_ago = sched.day_start(today - timedelta(days=29))
    groups = [
        (sched.day(parse_ts(r["reviewed_at"])), r["rating"],  # type: ignore[arg-type]
         r["state_before"] == State.Review, 1, int(r["duration_ms"]),
         parse_ts(r["reviewed_at"]) >= month_ago)  # type: ignore[operator]
        for r in log
    ]  # fmt: skip
    recent = [g[:5] for g in groups if g[5]]
    studied = [
        r.memory for r in col.live_cards(deck)
        if r.memory.stability is not None and not r.suspended
    ]  # fmt: skip
    stab = [float(m.stability) for m in studied if m.stability is not None]
    diff = [float(m.difficulty) for m in studied if m.difficulty is not None]
    numbers = _old_stats(col, sched, now, deck)
    return {
        "numbers": numbers,
        "forecast": web.forecast_chart(numbers["forecast"]),
        "reviews": web.reviews_chart(recent, today),
        "retention": web.retention_chart(
            [g[:5] for g in groups], today, sched.settings.desired_retention
        ),
        "stability": web.histogram("Stability of studied cards (days)",
                                   _old_bins(stab, web.STABILITY_BINS), web.STABILITY_BINS,
                                   "stability"),
        "difficulty": web.histogram("Difficulty of studied cards (1 easy – 10 hard)",
                                    _old_bins(diff, web.DIFFICULTY_BINS), web.DIFFICULTY_BINS,
                                    "difficulty"),
        "time": web.time_chart(recent, today),
        "minutes_30_days": round(sum(g[4] for g in recent) / 60000, 1),
    }  # fmt: skip


def _instant(rng: random.Random, sched: Scheduler, lo_days: int, hi_days: int) -> datetime:
    """A random instant, often exactly on a learner day's start or a microsecond off it."""
    if rng.random() < 0.3:
        start = sched.day_start(sched.day(NOW) + timedelta(days=rng.randint(lo_days, hi_days)))
        return start + timedelta(microseconds=rng.choice((-1, 0, 1)))
    if rng.random() < 0.2:  # whole 24-hour blocks before Anki's rollover (elapsed days)
        return sched.anki_next_day_at(NOW) - timedelta(days=rng.randint(0, 60))
    return NOW + timedelta(seconds=rng.uniform(lo_days * 86400, hi_days * 86400))


def _fill(path: Path, seed: int, zone: str, hour: int) -> None:
    col = Collection(path)
    col.set_setting("timezone", zone)
    col.set_setting("day_start_hour", hour)
    sched = Scheduler(col.settings())
    col.close()
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    con.executemany("insert into decks (slug, title) values (?, ?)", [(d, d) for d in DECKS])
    cards = []
    for i in range(300):
        state = rng.choice((0, 1, 2, 2, 2, 3))
        studied = state != 0
        cards.append((
            f"{DECKS[i % 3]}:c{i}", DECKS[i % 3], f"c{i}", i, f"fact{i // 2}",
            int(rng.random() < 0.1), int(rng.random() < 0.15), state,
            rng.choice((0.5, 1.0, 3.0, 7.0, 365.0, rng.uniform(0.1, 900))) if studied else None,
            rng.choice((1.0, 10.0, rng.uniform(1, 10))) if studied else None,
            ts(_instant(rng, sched, -90, 45)) if studied else None,
            ts(_instant(rng, sched, -120, 0)) if studied and rng.random() < 0.95 else None,
        ))  # fmt: skip
    con.executemany(
        """insert into cards (uid, deck, id, position, kind, fact, front, back, options,
           retired, suspended, state, stability, difficulty, due, last_review, reps, lapses)
           values (?, ?, ?, ?, 'basic', ?, 'Q', 'A', '[]', ?, ?, ?, ?, ?, ?, ?, 1, 0)""",
        cards,
    )
    con.executemany(
        """insert into reviews (card, rating, reviewed_at, duration_ms, state_before)
           values (?, ?, ?, ?, ?)""",
        [
            (rng.choice(cards)[0], rng.randint(1, 4), ts(_instant(rng, sched, -400, 0)),
             rng.randint(500, 90000), rng.choice((0, 1, 2, 2, 3)))
            for _ in range(3000)
        ],
    )  # fmt: skip
    con.commit()
    con.close()


@pytest.mark.parametrize(
    ("seed", "zone", "hour"),
    [
        (1, "Asia/Kolkata", 4),
        (2, "Asia/Kathmandu", 0),
        (3, "America/New_York", 2),
        (4, "Australia/Lord_Howe", 2),
        (5, "America/Havana", 0),
        (6, "UTC", 23),
    ],
)
def test_grouped_counts_match_the_card_by_card_count(
    tmp_path: Path, seed: int, zone: str, hour: int
) -> None:
    db = tmp_path / "c.db"
    _fill(db, seed, zone, hour)
    col = Collection(db)
    sched = Scheduler(col.settings())
    for deck in (None, "economy"):
        for now in (NOW, NOW + timedelta(days=40, hours=13)):
            new, old = web.charts(col, sched, now, deck), _old_charts(col, sched, now, deck)
            assert new["numbers"] == old["numbers"]
            assert new == old
            assert new["numbers"] == stats(col, sched, now, deck)
    counted = _old_stats(col, sched, NOW, None)
    assert counted["reviews"]["30_days"] > 0 and counted["average_retrievability"] is not None
    col.close()
