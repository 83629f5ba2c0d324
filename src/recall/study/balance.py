"""Anki's load balancer and easy days: among the days fuzz allows, prefer the least loaded.

Ported from ``rslib/src/scheduler/states/load_balancer.rs`` (Anki 24.11+), so that with the
balancer on recall picks the day Anki picks for the same seed and the same due cards:

* The load is every review card due in the next ``LOAD_BALANCE_DAYS`` (99) learner days,
  suspended and buried ones included, as Anki's ``get_all_cards_due_in_range`` counts any
  card whose ``due`` lies in the range; that also takes in Anki's interday learning cards
  (a step that became whole days), and recall counts those too. With no such card at all
  the balancer stands aside and plain fuzz decides (Anki's per-preset map has no entry).
* Intervals (or minimums) over 90 days are not balanced: far out the need is low.
* Each day in the fuzz range weighs ``(1/count)^2.15 * (1/days)^3`` times the sibling and
  easy-day modifiers; an empty day weighs 1 and no modifier applies to it (Anki's rule).
* Siblings (cards of the same fact) are nudged apart when siblings are buried, as Anki does
  when ``bury_reviews`` is on: a day holding a sibling weighs almost nothing, the days
  around it 0.2 to 0.8. The card being answered still sits on its current due day, as it
  does in Anki's list, so it counts as its own neighbour.
* Easy days (Monday first) are Anki's three levels: 100% normal, 50% reduced (the day is
  only open while its load stays below half the other days' average), 0% minimum.
* The choice is ``WeightedIndex`` drawn with the answer's fuzz seed
  (:func:`recall.study.rng.weighted_index`); without fuzz nothing is balanced.

Arithmetic is in ``f32`` as Anki's is. The module only needs per-day lists of sibling keys;
the store's named query gives the due cards (``CardStore.due_load``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from recall.study import fuzz, rng
from recall.study.rng import f32

MAX_BALANCED_INTERVAL = 90
LOAD_BALANCE_DAYS = int(MAX_BALANCED_INTERVAL * 1.1)  # 99, as Anki casts it
_SIBLING_STEPS = (-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5)
_SIBLING_RANGE = (1.0, 0.8, 0.6, 0.4, 0.2, 0.000001, 0.2, 0.4, 0.6, 0.8, 1.0)
_MINIMUM, _REDUCED, _NORMAL = 0.0001, 0.5, 1.0
_POW_COUNT = f32(2.15)


def easy_day_level(percent: float) -> float:
    """Anki's ``EasyDay::from``: 100% normal, 0% minimum, anything else reduced."""
    if percent == 100:
        return _NORMAL
    if percent == 0:
        return _MINIMUM
    return _REDUCED


def easy_day_modifiers(levels: Sequence[float], counts: Sequence[int]) -> list[float]:
    """``calculate_easy_days_modifiers``: each day's weight factor (``levels`` are the days'
    easy-day levels, ``counts`` their loads). A reduced day stays open only while its load,
    doubled, is at most the other days' load per unit of their levels."""
    total = sum(counts)
    total_percents = 0.0
    for level in levels:
        total_percents = f32(total_percents + f32(level))
    out = []
    for level, count in zip(levels, counts, strict=True):
        if level == _REDUCED:
            other_total = f32(total - count)
            threshold = _divide(other_total, f32(total_percents - _REDUCED))
            level = _MINIMUM if f32(count / _REDUCED) > threshold else _NORMAL
        out.append(f32(level))
    return out


def _divide(a: float, b: float) -> float:
    """IEEE division as Rust's ``f32`` does it: by zero gives infinity, 0/0 NaN (a lone
    reduced day in the range then compares as open)."""
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a)
    return f32(a / b)


def _weight(days: int, count: int, sibling: float, easy: float) -> float:
    """``select_weighted_interval``'s weight for one day."""
    if count == 0:
        return 1.0
    count_weight = f32(math.pow(f32(1.0 / count), _POW_COUNT))
    t = f32(1.0 / days)
    interval_weight = f32(t * f32(t * t))  # powi(3): two f32 multiplications
    return f32(f32(f32(count_weight * interval_weight) * f32(sibling)) * f32(easy))


@dataclass(frozen=True)
class LoadBalancer:
    """The due load of the coming days, from learner day ``today`` on.

    ``days[i]`` holds one sibling key per review card due on ``today + i`` (``""`` for a
    card without siblings); ``easy_days`` are seven percentages, Monday first."""

    today: date
    days: tuple[tuple[str, ...], ...]
    easy_days: tuple[int, ...] = (100,) * 7
    siblings: bool = True

    def find_interval(
        self, interval: float, minimum: int, maximum: int, seed: int | None, note: str = ""
    ) -> int | None:
        """The day count Anki's ``find_interval`` picks, or None to let plain fuzz decide."""
        if seed is None or not any(self.days):
            return None
        if math.floor(interval) > MAX_BALANCED_INTERVAL or minimum > MAX_BALANCED_INTERVAL:
            return None
        lower, upper = fuzz.fuzz_bounds(interval, minimum, maximum)
        span = range(lower, upper + 1)
        counts = [len(self.days[i]) if i < len(self.days) else 0 for i in span]
        levels = [
            easy_day_level(self.easy_days[(self.today + timedelta(days=i)).weekday()]) for i in span
        ]
        easy = easy_day_modifiers(levels, counts)
        sibling = self._sibling_modifiers(lower, upper, note if self.siblings else "")
        weights = [
            _weight(days, count, s, e)
            for days, count, s, e in zip(span, counts, sibling, easy, strict=True)
        ]
        return lower + rng.weighted_index(seed, weights)

    def _sibling_modifiers(self, lower: int, upper: int, note: str) -> list[float]:
        """``calculate_sibling_modifiers``: days near a sibling's due day weigh less."""
        modifiers = [1.0] * (upper - lower + 1)
        if not note:
            return modifiers
        for day, keys in enumerate(self.days):
            if note not in keys:
                continue
            for step, value in zip(_SIBLING_STEPS, _SIBLING_RANGE, strict=True):
                target = day + step - lower
                if 0 <= target < len(modifiers):
                    modifiers[target] = f32(modifiers[target] * f32(value))
        return modifiers

    def with_card(self, days_out: int, note: str) -> LoadBalancer:
        """The same load with one more card due ``days_out`` days from today."""
        if not 0 <= days_out < len(self.days):
            return self
        days = list(self.days)
        days[days_out] = (*days[days_out], note)
        return LoadBalancer(self.today, tuple(days), self.easy_days, self.siblings)

    def balancer(self, seed: int | None, note: str = "") -> fuzz.Balancer:
        """The hook :func:`recall.study.fuzz.with_fuzz` calls, bound to one answer."""

        def balance(interval: float, minimum: int, maximum: int) -> int | None:
            return self.find_interval(interval, minimum, maximum, seed, note)

        return balance


def from_dues(
    today: date, due_days: Sequence[tuple[date, str]], easy_days: Sequence[int], siblings: bool
) -> LoadBalancer:
    """A balancer from (due day, sibling key) pairs of the review cards due soon."""
    days: list[list[str]] = [[] for _ in range(LOAD_BALANCE_DAYS)]
    for day, key in due_days:
        i = (day - today).days
        if 0 <= i < LOAD_BALANCE_DAYS:
            days[i].append(key)
    return LoadBalancer(today, tuple(tuple(d) for d in days), tuple(easy_days), siblings)
