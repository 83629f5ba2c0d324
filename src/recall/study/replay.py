"""Rebuild every card's state from the review log, and compare it with what is stored.

The log is the source of truth. Replaying a card's ratings at their instants through the
scheduler must give the stored stability, difficulty, state, step, reps and lapses; the due
instant and scheduled days — which fuzz, load balancing, desired retention and the maximum
interval decide — must equal those its last log row recorded; and each row's "before" must
be the previous row's "after". Each row is replayed on the calendar and steps it recorded
(zone, day-start hour, learning and relearning steps) and with the preset version it
recorded (its deck's preset's values then, FSRS parameters included), so changing those
settings, a preset, or a deck's preset later leaves the past as it was.

When ``recall optimize --apply`` (or ``--revert``) put other parameters in force, it wrote a
reschedule row for each card it changed. The card's memory then restarts from that row's
"after", and only the answers since are replayed with the parameters now in force; answers
before it were scheduled under earlier parameters and are checked as a chain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import Any

from recall.memory import Memory, Rating, State
from recall.settings import with_preset
from recall.store import Collection, memory_from, parse_ts
from recall.store.params import Reschedule
from recall.store.rows import STAMP_NAMES
from recall.study.schedule import Scheduler, from_stamp


@dataclass
class Verification:
    checked: int = 0
    mismatches: list[tuple[str, str]] = field(default_factory=list)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def compare(stored: Memory, replayed: Memory) -> str | None:
    """What differs between a stored and a replayed memory, or None."""
    for name in ("state", "step", "reps", "lapses"):
        if getattr(stored, name) != getattr(replayed, name):
            return f"{name} is {getattr(stored, name)!r}, the log gives {getattr(replayed, name)!r}"
    for name in ("stability", "difficulty"):
        if not _same(getattr(stored, name), getattr(replayed, name)):
            return f"{name} is {getattr(stored, name)!r}, the log gives {getattr(replayed, name)!r}"
    if stored.last_review != replayed.last_review:
        return f"last review is {stored.last_review}, the log gives {replayed.last_review}"
    if stored.due != replayed.due:
        return f"due is {stored.due}, the log gives {replayed.due}"
    if stored.interval != replayed.interval:
        return f"interval is {stored.interval}, the log gives {replayed.interval}"
    return None


class Schedulers:
    """One scheduler per calendar, steps and preset version recorded in the log (few: one
    per change). ``versions`` are the preset versions (m006) by id: a row that records one
    is replayed with that version's values, parameters included."""

    def __init__(self, sched: Scheduler, versions: dict[int, dict[str, Any]] | None = None):
        self.default = sched
        self.versions = versions or {}
        self._made: dict[tuple[Any, ...], Scheduler] = {}

    def for_row(self, row: dict[str, Any]) -> Scheduler:
        key = (*(row.get(k) for k in STAMP_NAMES[1:]), row.get("preset"))
        if key[0] is None and key[-1] is None:
            return self.default
        found = self._made.get(key)
        if found is None:
            settings = from_stamp(self.default.settings, row)
            version = self.versions.get(row["preset"]) if row.get("preset") else None
            if version is not None:
                # The row's own steps stay: they are what the answer was on.
                values = {k: v for k, v in version.items() if not k.endswith("steps")}
                settings = with_preset(settings, values)
            found = self._made[key] = Scheduler(settings)
        return found


def replay_log(
    sched: Scheduler | Schedulers,
    rows: list[dict[str, Any]],
    reschedules: Sequence[Reschedule] = (),
) -> tuple[Memory, str | None]:
    """The memory a card's log rows (and reschedules) give, and the first break if any."""
    schedulers = sched if isinstance(sched, Schedulers) else Schedulers(sched)
    memory = Memory()
    pending = list(reschedules)
    last = pending[-1].at if pending else None
    for i, row in enumerate(rows):
        # At one instant, an answer counts as given before a reschedule.
        while pending and pending[0].at < row["reviewed_at"]:
            memory, broken = _rescheduled(memory, pending.pop(0), bool(i))
            if broken:
                return memory, broken
        before = memory_from(row, "_before")
        if i and compare(before, memory) is not None:
            return memory, f"log row {row['id']} does not start where the previous row ended"
        if last is not None and row["reviewed_at"] <= last:
            memory = memory_from(row, "_after")  # scheduled under earlier parameters
            continue
        when = parse_ts(row["reviewed_at"])
        assert when is not None
        memory = schedulers.for_row(row).answer(memory, Rating(row["rating"]), when)
        recorded_due = parse_ts(row["due_after"])
        if recorded_due is not None:
            memory = replace(memory, due=recorded_due, interval=row.get("interval_after"))
    for change in pending:
        memory, broken = _rescheduled(memory, change, bool(rows))
        if broken:
            return memory, broken
    return memory, None


def _rescheduled(memory: Memory, change: Reschedule, answered: bool) -> tuple[Memory, str | None]:
    """The memory after a reschedule, or why the reschedule does not follow from the log.

    It must start from the memory the answers before it gave, and a change of parameters
    must keep what the parameters do not decide (state, step, counts, last review): one
    that does not was computed before an answer and written after it, overwriting it."""
    problem = f"the reschedule at {change.at} "
    if answered and compare(change.before, memory) is not None:
        return memory, problem + "does not start where the log had got to"
    if change.kind != "forget":
        for name in ("state", "step", "reps", "lapses", "last_review"):
            if getattr(change.before, name) != getattr(change.after, name):
                return memory, problem + f"changed {name}, which parameters do not decide"
    return change.after, None


def verify(col: Collection) -> Verification:
    """Check every card against its log."""
    sched = Schedulers(Scheduler(col.settings()), col.preset_versions())
    result = Verification()
    logged: set[str] = set()
    reschedules = col.all_reschedules()
    for uid, group in groupby(col.all_logs(), key=lambda r: r["card"]):
        rows = list(group)
        logged.add(uid)
        replayed, broken = replay_log(sched, rows, reschedules.get(uid, []))
        stored = col.card(uid).memory
        result.checked += 1
        problem = broken or compare(stored, replayed)
        if problem:
            result.mismatches.append((uid, problem))
    for row in col.all_cards():
        if row.uid in logged:
            continue
        result.checked += 1
        if row.memory.state != State.New or row.memory.reps:
            result.mismatches.append((row.uid, "has a schedule but no review log"))
    return result
