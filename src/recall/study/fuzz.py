"""Anki's interval rules on top of FSRS: fuzz ranges, Hard <= Good <= Easy, learning steps.

py-fsrs gives the memory state and the unrounded interval; how that interval becomes a
number of days is Anki's, ported from its Rust scheduler so that recall schedules as Anki
does, day for day:

* ``rslib/src/scheduler/states/fuzz.rs``: the fuzz range (``fuzz_delta``, ``fuzz_bounds``,
  ``constrained_fuzz_bounds``), picking a day in it (``with_review_fuzz``: the factor times
  the range's width, truncated, where py-fsrs rounds), and ``minimum_review_fuzz_interval``
  (fuzz never takes an interval below the previous one when it was growing).
* ``rslib/src/scheduler/states/review.rs``: ``passing_fsrs_review_intervals`` (Hard at least
  1, Good at least Hard + 1, Easy at least Good + 1, all within the maximum interval).
* ``rslib/src/scheduler/states/learning.rs`` and ``relearning.rs``: Easy out of (re)learning
  is at least the fuzzed Good + 1; other graduations are fuzzed and at least 1 day.
* ``rslib/src/scheduler/states/steps.rs``: learning-step delays (Hard on the first step is
  the mean of the first two steps, or 1.5 times a single step but at most a day more; delays
  over a day are whole days), and ``answering/learning.rs``'s learning fuzz (up to 25%, at
  most five minutes more).

All arithmetic is in ``f32`` where Anki's is, so the boundaries round the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from recall.study import rng

_DAY = 86400
#: (start, end, factor): each day of the interval inside a range widens the fuzz by factor.
_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))

#: Chooses a day in ``[lower, upper]`` for an unrounded interval: the load balancer when it
#: is on (``states/load_balancer.rs``), else ``None`` and plain fuzz decides.
Balancer = Callable[[float, int, int], int | None]


def _round(x: float) -> int:
    """Rust's ``f32::round``: halves away from zero (Python's ``round`` goes to even)."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def round_places(value: float, places: int) -> float:
    """Anki's ``round_to_places`` on an ``f32``: scaled, rounded half away from zero."""
    factor = 10.0**places
    return _round(rng.f32(rng.f32(value) * factor)) / factor


def fuzz_delta(interval: float) -> float:
    """How many days fuzz may move ``interval`` either way (none below 2.5 days)."""
    if interval < 2.5:
        return 0.0
    delta = 1.0
    for start, end, factor in _FUZZ_RANGES:
        delta = rng.f32(delta + rng.f32(factor * max(0.0, min(interval, end) - start)))
    return delta


def fuzz_bounds(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    """The fuzz range of ``interval``, kept within ``[minimum, maximum]`` and, when there is
    room, at least two days wide (``constrained_fuzz_bounds``)."""
    minimum = min(minimum, maximum)
    interval = rng.f32(min(max(interval, minimum), maximum))
    delta = fuzz_delta(interval)
    lower = min(max(_round(rng.f32(interval - delta)), minimum), maximum)
    upper = min(max(_round(rng.f32(interval + delta)), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def with_fuzz(
    interval: float,
    minimum: int,
    maximum: int,
    factor: float | None,
    balance: Balancer | None = None,
) -> int:
    """A day count for ``interval`` (Anki's ``with_review_fuzz``): the load balancer's pick,
    or the fuzz factor's place in the range, or without fuzz the rounded interval."""
    if balance is not None:
        chosen = balance(interval, minimum, maximum)
        if chosen is not None:
            return chosen
    if factor is None:
        return min(max(_round(interval), minimum), maximum)
    lower, upper = fuzz_bounds(interval, minimum, maximum)
    # In f32 a factor just below 1 can round the sum up to upper + 1 on long intervals
    # (the spacing of f32 near 36,500 is 1/256): Anki keeps that day, and so does recall,
    # except past the maximum interval, which Anki would then exceed and recall does not.
    return min(math.floor(rng.f32(lower + rng.f32(factor * (1 + upper - lower)))), maximum)


def minimum_fuzz_interval(interval: float, previous: int, maximum: int) -> int:
    """The least interval fuzz may give: above the previous one when the interval grew,
    the previous one when it grew too little to leave the fuzz range, else no floor."""
    _, upper = fuzz_bounds(interval, 1, maximum)
    if _round(interval) > previous:
        return previous + 1
    if previous <= upper:
        return previous
    return 0


def review_intervals(
    hard: float,
    good: float,
    easy: float,
    previous: int,
    maximum: int,
    factor: float | None,
    balance: Balancer | None = None,
) -> tuple[int, int, int]:
    """Days for Hard, Good and Easy on a review card, each above the one before
    (``passing_fsrs_review_intervals``)."""
    maximum = max(1, maximum)

    def constrain(interval: float, floor: int) -> int:
        floor = min(max(floor, 1), maximum)
        return with_fuzz(interval, floor, maximum, factor, balance)

    h = constrain(hard, max(1, minimum_fuzz_interval(hard, previous, maximum)))
    g = constrain(good, max(h + 1, minimum_fuzz_interval(good, previous, maximum)))
    e = constrain(easy, max(g + 1, minimum_fuzz_interval(easy, previous, maximum)))
    return h, g, e


def graduating_interval(
    interval: float, maximum: int, factor: float | None, balance: Balancer | None = None
) -> int:
    """Days for a card leaving (re)learning on Again, Hard or Good: at least one."""
    maximum = max(1, maximum)
    return with_fuzz(max(1.0, float(_round(interval))), 1, maximum, factor, balance)


def graduating_easy(
    good: float,
    easy: float,
    maximum: int,
    factor: float | None,
    balance: Balancer | None = None,
) -> int:
    """Days for Easy out of (re)learning: at least a day more than Good's fuzzed interval."""
    maximum = max(1, maximum)
    good_days = with_fuzz(good, 1, maximum, factor, balance)
    floor = min(good_days + 1, maximum)
    return with_fuzz(max(1.0, float(_round(easy))), floor, maximum, factor, balance)


# -- learning steps (steps.rs) ----------------------------------------------------------------


def _round_in_days(secs: int) -> int:
    return _round(secs / _DAY) * _DAY if secs > _DAY else secs


def hard_delay(steps: Sequence[int], index: int) -> int:
    """Seconds until a card answered Hard on step ``index`` comes back."""
    index = min(max(index, 0), len(steps) - 1)
    current = steps[index]
    if index > 0:
        return current
    if len(steps) > 1:
        return _round_in_days((current + steps[1]) // 2)
    return _round_in_days(min(current * 3 // 2, current + _DAY))


def learning_fuzz(secs: int, seed: int | None) -> int:
    """Anki's fuzz on a learning step: up to 25% (at most five minutes) more."""
    if seed is None:
        return secs
    upper = secs + math.floor(min(rng.f32(secs * 0.25), 300.0))
    return rng.u32_below(seed, secs, upper) if upper > secs else secs
