"""A thin adapter over ``fsrs.Scheduler``: the learner's day, the stability clamp, previews.

py-fsrs does the FSRS maths and the fuzz. Two things it does differently from Anki are
handled here, and only here:

* **Elapsed days.** py-fsrs counts the gap between reviews in whole 24-hour blocks; Anki and
  its engine count the learner's *days* (day starts crossed). A card reviewed at 09:00 and
  again at 08:00 the next morning is one day for Anki and zero for py-fsrs, which would then
  take its same-day formula. So before each call we hand py-fsrs a ``last_review`` exactly
  *learner-days* before the real review instant: its arithmetic then sees Anki's day count,
  while learning steps keep their real minutes.
* **The stability ceiling.** Anki's engine clamps stability at 36,500 days; py-fsrs has no
  upper clamp, so long Easy streaks drift apart without it.

A learner's day starts at a configurable local hour (4 a.m. by default) in their time zone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from recall.memory import Memory, Rating, State
from recall.settings import Settings

if TYPE_CHECKING:
    import fsrs

STABILITY_MAX = 36500.0


class Scheduler:
    """Answers cards with py-fsrs on the learner's calendar."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tz = settings.tz
        self._days: dict[int, date] = {}
        self._offsets: dict[int, tuple[int, int]] = {}

    @cached_property
    def _fuzzed(self) -> fsrs.Scheduler:
        """py-fsrs with the learner's settings (fuzz as set); built on first use."""
        return self._engine(fuzz=self.settings.fuzz)

    @cached_property
    def _exact(self) -> fsrs.Scheduler:
        return self._engine(fuzz=False)

    def _engine(self, *, fuzz: bool) -> fsrs.Scheduler:
        import fsrs

        s = self.settings
        return fsrs.Scheduler(
            parameters=s.parameters,
            desired_retention=s.desired_retention,
            learning_steps=tuple(timedelta(seconds=x) for x in s.learning_steps),
            relearning_steps=tuple(timedelta(seconds=x) for x in s.relearning_steps),
            maximum_interval=s.maximum_interval,
            enable_fuzzing=fuzz,
        )

    # -- the learner's calendar -------------------------------------------------------------

    def day(self, instant: datetime) -> date:
        """The learner's day that ``instant`` falls in (days start at ``day_start_hour``).

        Memoised per quarter hour: every UTC offset in use is a whole number of quarter
        hours, so all instants in one quarter hour fall on the same learner day. Exporting a
        lifetime's review log asks this hundreds of thousands of times.
        """
        key = int(instant.timestamp()) // 900
        day = self._days.get(key)
        if day is None:
            local = instant.astimezone(self.tz) - timedelta(hours=self.settings.day_start_hour)
            day = self._days[key] = local.date()
        return day

    def day_ordinal(self, epoch_seconds: float) -> int:
        """:meth:`day` of a UNIX time, as a proleptic ordinal, for bulk work on the log.

        The zone's UTC offset is looked up once per UTC day; on the rare day whose offset
        changes (a DST switch) each instant takes the exact path.
        """
        block = int(epoch_seconds // 86400)
        offsets = self._offsets.get(block)
        if offsets is None:
            first = datetime.fromtimestamp(block * 86400, UTC).astimezone(self.tz)
            last = datetime.fromtimestamp(block * 86400 + 86399, UTC).astimezone(self.tz)
            offsets = self._offsets[block] = (_offset(first), _offset(last))
        if offsets[0] != offsets[1]:
            return self.day(datetime.fromtimestamp(epoch_seconds, UTC)).toordinal()
        shifted = epoch_seconds + offsets[0] - self.settings.day_start_hour * 3600
        return int(shifted // 86400) + _UNIX_ORDINAL

    def day_ordinals(self, epoch_seconds: list[float]) -> list[int]:
        """:meth:`day_ordinal` of many UNIX times: one call per card's log rather than one
        per review, which on a lifetime's log (millions of reviews) is most of the cost."""
        offsets_of, start, out = self._offsets, self.settings.day_start_hour * 3600, []
        for at in epoch_seconds:
            offsets = offsets_of.get(int(at // 86400))
            if offsets is None or offsets[0] != offsets[1]:
                out.append(self.day_ordinal(at))  # fills the cache, or a DST day
            else:
                out.append(int((at + offsets[0] - start) // 86400) + _UNIX_ORDINAL)
        return out

    def day_start(self, day: date) -> datetime:
        """The UTC instant at which learner-day ``day`` begins (DST-aware)."""
        # A start hour inside a spring-forward gap does not exist; zoneinfo's fold=0 reading
        # puts it just after the gap, which round-trips through day() correctly.
        naive = datetime.combine(day, time(self.settings.day_start_hour))
        return naive.replace(tzinfo=self.tz).astimezone(UTC)

    def next_day_start(self, instant: datetime) -> datetime:
        """When the learner's next day begins: what "due today" counts against."""
        return self.day_start(self.day(instant) + timedelta(days=1))

    def days_between(self, earlier: datetime, later: datetime) -> int:
        """Day starts crossed between two instants: Anki's elapsed days."""
        return (self.day(later) - self.day(earlier)).days

    # -- answering --------------------------------------------------------------------------

    def answer(self, memory: Memory, rating: Rating, now: datetime, *, fuzz: bool = True) -> Memory:
        """The card's memory after answering ``rating`` at ``now`` (a UTC instant)."""
        import fsrs

        now = now.astimezone(UTC)
        engine = self._fuzzed if fuzz else self._exact
        card, _ = engine.review_card(self._to_fsrs(memory, now), fsrs.Rating(int(rating)), now)
        stability = min(card.stability, STABILITY_MAX) if card.stability is not None else None
        state = State(int(card.state))
        lapses = memory.lapses + (
            1 if memory.state == State.Review and rating == Rating.Again else 0
        )
        return Memory(
            state=state,
            step=card.step,
            stability=stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=now,
            reps=memory.reps + 1,
            lapses=lapses,
        )

    def preview(self, memory: Memory, now: datetime) -> dict[Rating, timedelta]:
        """The interval each rating would give now, without fuzz (what the screen shows)."""
        out = {}
        for rating in Rating:
            after = self.answer(memory, rating, now, fuzz=False)
            assert after.due is not None
            out[rating] = after.due - now.astimezone(UTC)
        return out

    def retrievability(self, memory: Memory, now: datetime) -> float | None:
        """Predicted recall probability now, counting the learner's days."""
        if memory.stability is None or memory.last_review is None:
            return None
        r = self._exact.get_card_retrievability(self._to_fsrs(memory, now), now.astimezone(UTC))
        return float(r)

    def replay(self, ratings: list[tuple[Rating, datetime]]) -> Memory:
        """Rebuild a card's memory from its log: the log is the source of truth."""
        memory = Memory()
        for rating, when in ratings:
            memory = self.answer(memory, rating, when, fuzz=False)
        return memory

    def _to_fsrs(self, memory: Memory, now: datetime) -> fsrs.Card:
        import fsrs

        last = memory.last_review
        if last is not None:
            # The heart of the adapter: py-fsrs sees exactly the learner's day gap.
            last = now - timedelta(days=max(0, self.days_between(last, now)))
        state = fsrs.State.Learning if memory.state == State.New else fsrs.State(int(memory.state))
        step = 0 if memory.state == State.New else memory.step
        return fsrs.Card(
            card_id=1,
            state=state,
            step=step,
            stability=memory.stability,
            difficulty=memory.difficulty,
            due=memory.due or now,
            last_review=last,
        )


_UNIX_ORDINAL = date(1970, 1, 1).toordinal()


def _offset(local: datetime) -> int:
    offset = local.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def with_due(memory: Memory, due: datetime) -> Memory:
    """The same memory with a recorded due instant (a fuzzed due comes from the log)."""
    return replace(memory, due=due)


def format_interval(delta: timedelta) -> str:
    """``0:10:00`` → ``10m``; ``3 days`` → ``3d``; long ones in months and years."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
