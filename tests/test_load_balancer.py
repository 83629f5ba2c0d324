"""Anki's load balancer and easy days: the same day as real Anki, and what the balancer is for.

The comparison answers the same cards at the same (faked) instants in a real Anki collection
(load balancer on, easy days set, siblings buried) and through recall's own session on a
real recall collection, so the load comes from recall's store exactly as a learner's would.
Anki seeds with card id + reps; recall's session is given the same seeds.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from recall.memory import Memory, Rating, State
from recall.store import Collection
from recall.study import balance, session
from recall.study.schedule import Scheduler
from tests.anki_clock import AnkiClock
from tests.test_collection import small_deck
from tests.test_like_anki import _HORIZON, Run, _compare, _next_time, _rating, _starts

#: Wednesday reduced, Sunday minimum (Monday first, as Anki's deck options list them).
EASY_DAYS = (100, 100, 50, 100, 100, 100, 0)


def _at(now: datetime) -> datetime:
    return now


def _collection(path: Path, zone: str, cards: int) -> Collection:
    col = Collection(path)
    for key, value in (
        ("timezone", zone), ("fuzz", True), ("load_balancer", True),
        ("easy_days", list(EASY_DAYS)), ("bury_siblings", True),
    ):  # fmt: skip
        col.set_setting(key, value)
    col.add_deck(small_deck(cards), "lb.toml", datetime(2025, 1, 1).astimezone())
    return col


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata"])
def test_with_the_load_balancer_on_every_answer_lands_on_ankis_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    rng = random.Random(f"balance {zone}")
    days = [date(2026, 3, d) for d in (2, 3, 4, 5, 6)] + [date(2026, 10, 27), date(2026, 10, 28)]
    starts = _starts(zone, rng, days, 40, fuzz=True)
    run = Run(zone, True, starts, answers_per_card=12)
    col = _collection(tmp_path / "c.db", zone, len(starts))
    uids = [row.uid for row in sorted(col.all_cards(), key=lambda r: r.position)]
    sched = Scheduler(col.settings())
    anki = AnkiClock(zone, fuzz=True)
    balanced = moved = 0
    try:
        ids = anki.call(
            cmd="setup", created=int((min(starts) - timedelta(days=2)).timestamp()),
            cards=len(starts), parameters=list(sched.settings.parameters),
            desired_retention=sched.settings.desired_retention,
            learning_steps=list(sched.settings.learning_steps),
            relearning_steps=list(sched.settings.relearning_steps),
            maximum_interval=sched.settings.maximum_interval,
            day_start_hour=sched.settings.day_start_hour, load_balancer=True,
            easy_days=list(EASY_DAYS), bury_reviews=True,
        )["ids"]  # fmt: skip
        anki_id = dict(zip(uids, ids, strict=True))
        monkeypatch.setattr(session, "fuzz_seed", lambda uid, reps: anki_id[uid] + reps)
        todo = [(start, i, 0) for i, start in enumerate(starts)]
        heapq.heapify(todo)
        while todo:
            now, i, n = heapq.heappop(todo)
            rating = _rating(rng)
            theirs = anki.call(cmd="answer", at=int(now.timestamp()), card=ids[i], rating=rating)
            before = col.card(uids[i])
            assert theirs["reps_before"] == before.memory.reps
            s = session.Session(col, sched, clock=partial(_at, now))
            shown = s.preview(before)
            s.answer(before, rating)
            ours = col.card(uids[i]).memory
            assert ours.due is not None
            assert shown[rating] == ours.due - now  # the screen showed the balanced day
            _compare(run, sched, now, ours, theirs)
            run.answered += 1
            plain = sched.answer(before.memory, rating, now, seed=ids[i] + before.memory.reps)
            if ours.state == State.Review and ours.interval and ours.interval <= 90:
                balanced += 1
                moved += plain.interval != ours.interval
            later = _next_time(rng, sched, ours, now, fuzz=True)
            if n + 1 < run.answers_per_card and later < _HORIZON:
                heapq.heappush(todo, (later, i, n + 1))
    finally:
        anki.close()
    assert not run.mismatches, "\n".join(run.mismatches[:20])
    assert run.answered > 300
    # The balancer really chose: a good share of days differ from plain fuzz's day.
    assert balanced > 150 and moved > balanced // 10, (balanced, moved)


def _load(
    today: date, counts: list[int], easy: tuple[int, ...] = (100,) * 7
) -> balance.LoadBalancer:
    days = [
        (today + timedelta(days=i), f"k{i}-{j}") for i, c in enumerate(counts) for j in range(c)
    ]
    return balance.from_dues(today, days, easy, siblings=True)


MONDAY = date(2026, 6, 1)


def test_the_balancer_prefers_the_emptier_day_of_the_fuzz_range() -> None:
    # An interval of 10 days may land on days 8 to 12 (fuzz of 1.975 days either way);
    # only day 11 is empty.
    counts = [0] * 8 + [30, 30, 30, 0, 30] + [5] * 20
    picks = [_load(MONDAY, counts).find_interval(10.0, 1, 36500, seed) for seed in range(300)]
    assert set(picks) <= {8, 9, 10, 11, 12}
    assert picks.count(11) > 250  # the empty day weighs 1, the crowded ones almost nothing


def test_the_balancer_stands_aside_without_seed_without_load_or_far_out() -> None:
    load = _load(MONDAY, [3] * 99)
    assert load.find_interval(10.0, 1, 36500, None) is None  # fuzz off: nothing to balance
    assert _load(MONDAY, [0] * 99).find_interval(10.0, 1, 36500, 7) is None  # no load
    assert load.find_interval(91.0, 1, 36500, 7) is None  # beyond 90 days
    assert load.find_interval(40.0, 91, 36500, 7) is None  # a minimum beyond 90 days
    assert load.find_interval(90.9, 1, 36500, 7) is not None  # Anki truncates 90.9 to 90


def test_a_minimum_easy_day_is_almost_never_chosen() -> None:
    # From Monday, days 5 and 6 out are Saturday and Sunday; Sunday is set to minimum.
    easy = (100, 100, 100, 100, 100, 100, 0)
    counts = [4] * 99
    picks = [_load(MONDAY, counts, easy).find_interval(6.0, 1, 36500, s) for s in range(400)]
    sundays = [p for p in picks if p is not None and (MONDAY + timedelta(days=p)).weekday() == 6]
    assert len(picks) == 400 and not sundays


def test_a_reduced_day_closes_once_it_carries_more_than_half_the_others_load() -> None:
    reduced, normal = 0.5, 1.0
    # Three normal days with 10 each: a reduced day with 5 stays open (5/0.5 = 10 <= 30/2.5 = 12).
    assert balance.easy_day_modifiers([normal, normal, normal, reduced], [10, 10, 10, 5])[3] == 1.0
    # With 7 it closes (14 > 12): its weight falls to Anki's minimum level.
    closed = balance.easy_day_modifiers([normal, normal, normal, reduced], [10, 10, 10, 7])[3]
    assert closed == pytest.approx(0.0001)


def test_siblings_push_the_card_away_from_their_days() -> None:
    today = MONDAY
    days = [(today + timedelta(days=i), f"other{i}") for i in range(1, 40)]
    days.append((today + timedelta(days=10), "fact"))
    load = balance.from_dues(today, days, (100,) * 7, siblings=True)
    with_sibling = [load.find_interval(10.0, 1, 36500, s, "fact") for s in range(1000)]
    apart = balance.from_dues(today, days, (100,) * 7, siblings=False)
    ignored = [apart.find_interval(10.0, 1, 36500, s, "fact") for s in range(1000)]
    assert with_sibling.count(10) == 0 and ignored.count(10) > 20  # the sibling's own day
    # Its neighbours (0.2 of their weight) lose to the days two away (0.4).
    near = with_sibling.count(9) + with_sibling.count(11)
    assert near < ignored.count(9) + ignored.count(11)
    assert with_sibling.count(8) > ignored.count(8)


def _simulate(balanced: bool, easy: tuple[int, ...], cards: int, days: int) -> list[int]:
    """Reviews per day over ``days`` days of ``cards`` cards introduced 20 a day, every due
    card answered Good (Again one time in ten) at noon; returns each day's review count."""
    from recall.settings import Settings

    sched = Scheduler(Settings(timezone="UTC", fuzz=True))
    rng = random.Random(5)
    memories: list[Memory] = []
    due_on: dict[int, list[int]] = {}
    start = datetime(2026, 1, 5, 12).astimezone(sched.tz)  # a Monday
    counts = []
    for d in range(days):
        now = start + timedelta(days=d)
        today = sched.day(now)
        for _ in range(min(20, cards - len(memories))):
            memories.append(Memory())
            due_on.setdefault(d, []).append(len(memories) - 1)
        todo = due_on.pop(d, [])
        counts.append(sum(1 for i in todo if memories[i].state == State.Review))
        for i in todo:
            memory, at = memories[i], now
            while True:
                rating = Rating.Again if rng.random() < 0.1 else Rating.Good
                seed = i * 1000 + memory.reps
                lb = None
                if balanced:
                    near = [
                        (today + timedelta(days=k - d), "")
                        for k in range(d, d + balance.LOAD_BALANCE_DAYS)
                        for _ in due_on.get(k, [])
                    ]
                    lb = balance.from_dues(today, near, easy, True).balancer(seed)
                memory = sched.answer(memory, rating, at, seed=seed, balance=lb)
                if memory.state == State.Review:
                    break
                assert memory.due is not None
                at = memory.due  # the next learning step, answered when due
            memories[i] = memory
            assert memory.interval is not None
            due_on.setdefault(d + memory.interval, []).append(i)
    return counts


def _spikiness(counts: list[int]) -> float:
    """The standard deviation of each day's count from its week's mean (centred)."""
    import statistics

    return statistics.pstdev(
        counts[k] - statistics.mean(counts[k - 3 : k + 4]) for k in range(3, len(counts) - 3)
    )


def test_balancing_flattens_the_daily_load_and_easy_days_carry_their_share() -> None:
    import statistics

    plain = _simulate(False, (100,) * 7, 600, 150)[60:]
    flat = _simulate(True, (100,) * 7, 600, 150)[60:]
    # The load still grows as cards mature; what balancing removes is the day-to-day spikes.
    assert _spikiness(flat) < 0.8 * _spikiness(plain), (_spikiness(flat), _spikiness(plain))
    assert abs(sum(flat) - sum(plain)) < 0.1 * sum(plain)  # the same work, spread evenly
    sunday_off = _simulate(True, (100, 100, 100, 100, 100, 100, 0), 600, 150)[60:]
    start = date(2026, 1, 5) + timedelta(days=60)
    sundays = [c for k, c in enumerate(sunday_off) if (start + timedelta(days=k)).weekday() == 6]
    others = [c for k, c in enumerate(sunday_off) if (start + timedelta(days=k)).weekday() != 6]
    assert statistics.mean(sundays) < 0.5 * statistics.mean(others)


def test_easy_days_setting_takes_anki_levels_and_refuses_others() -> None:
    from recall.errors import RecallError
    from recall.settings import Settings
    from recall.study.config import parse_setting

    current = Settings()
    assert parse_setting("easy_days", "100 100 100 100 100 50% minimum", current) == [
        100, 100, 100, 100, 100, 50, 0,
    ]  # fmt: skip
    for bad in ("100 100", "100 100 100 100 100 100 70", "", "a b c d e f g"):
        with pytest.raises(RecallError, match=r"easy_days: .* each 100, 50 or 0 .*\(now 100"):
            parse_setting("easy_days", bad, current)
    assert parse_setting("load_balancer", "off", replace(current)) is False


def test_balanced_days_keep_hard_below_good_below_easy_and_stay_in_fuzz_range() -> None:
    from recall.study import fuzz

    rng = random.Random(3)
    for trial in range(400):
        counts = [rng.randrange(0, 40) for _ in range(balance.LOAD_BALANCE_DAYS)]
        easy = tuple(rng.choice((100, 50, 0)) for _ in range(7))
        load = _load(MONDAY + timedelta(days=trial % 7), counts, easy)
        good = rng.uniform(1.0, 95.0)
        hard, easy_ivl = good * rng.uniform(0.4, 1.0), good * rng.uniform(1.0, 2.5)
        previous, maximum = rng.randrange(0, 60), rng.choice((36500, 60, 30))
        lb = load.balancer(rng.randrange(1 << 40))
        h, g, e = fuzz.review_intervals(hard, good, easy_ivl, previous, maximum, 0.5, lb)
        assert 1 <= h < g < e <= maximum or (e == maximum and h <= g <= e), (h, g, e, maximum)
        floor = min(max(h + 1, fuzz.minimum_fuzz_interval(good, previous, maximum)), maximum)
        low, high = fuzz.fuzz_bounds(good, floor, maximum)
        assert low <= g <= high  # the balancer only chooses among the days fuzz allows
