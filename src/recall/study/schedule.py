"""The scheduler: py-fsrs's memory model on the learner's calendar, with Anki's interval rules.

py-fsrs does the FSRS maths (stability, difficulty, the learning-state machine). What Anki
does differently is done here, so that recall schedules as Anki does, day for day:

* **Elapsed days.** py-fsrs counts the gap between reviews in whole 24-hour blocks; Anki
  counts from the last review to its next day rollover (``answering/mod.rs``), which is the
  learner's days crossed. A card reviewed at 09:00 and again at 08:00 the next morning is one
  day for Anki and zero for py-fsrs, which would take its same-day formula. So each call hands
  py-fsrs a ``last_review`` exactly Anki's day count before the real instant.
* **The stability ceiling, before the interval.** fsrs-rs clamps stability at 36,500 days and
  Anki computes the interval from the clamped value; py-fsrs does neither.
* **Due days are learner days.** A review card is due at the start of learner day ``today +
  interval`` (Anki's ``due = days_elapsed + interval``, ``answering/review.rs``), so a DST
  switch can never bring it back within the same learner day. Only learning steps are
  instants, and a step past the next rollover becomes whole days, as in Anki.
* **Intervals** follow Anki's fuzz, Hard <= Good <= Easy and learning-step rules
  (:mod:`recall.study.fuzz`), drawn with Anki's own generator (:mod:`recall.study.rng`).

A learner's day starts at a configurable local hour (4 a.m. by default) in their time zone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from recall.memory import Memory, Rating, State
from recall.settings import Settings, steps_text
from recall.study import fuzz, rng

if TYPE_CHECKING:
    import fsrs

STABILITY_MAX = 36500.0
#: Exam mode's say in a review card's days until due (:mod:`recall.study.exam`).
ExamRule = Callable[[Memory, date, int], int]


class Scheduler:
    """Answers cards with py-fsrs on the learner's calendar."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tz = settings.tz
        self._days: dict[int, date] = {}
        self._offsets: dict[int, tuple[int, int]] = {}

    @cached_property
    def _exact(self) -> fsrs.Scheduler:
        """py-fsrs with the learner's parameters and steps, its own fuzz off (Anki's fuzz is
        applied here instead); built on first use."""
        import fsrs

        s = self.settings
        return fsrs.Scheduler(
            parameters=s.parameters,
            desired_retention=s.desired_retention,
            learning_steps=tuple(timedelta(seconds=x) for x in s.learning_steps),
            relearning_steps=tuple(timedelta(seconds=x) for x in s.relearning_steps),
            maximum_interval=s.maximum_interval,
            enable_fuzzing=False,
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
        """Day starts crossed between two instants: the learner's days."""
        return (self.day(later) - self.day(earlier)).days

    def anki_next_day_at(self, now: datetime) -> datetime:
        """When Anki's day rolls over next, as Anki computes it: the start hour on the local
        date of ``now`` *in now's UTC offset*, plus 24 hours once passed
        (``rslib/src/scheduler/timing.rs``, ``sched_timing_today_v2_new``). On the night
        of a DST switch this is an hour off :meth:`next_day_start`; only FSRS's elapsed days
        and the learning-step rollover use it, as in Anki."""
        local = now.astimezone(self.tz)
        offset = local.utcoffset() or timedelta(0)
        naive = datetime.combine(local.date(), time(self.settings.day_start_hour)) - offset
        at = naive.replace(tzinfo=UTC)
        return at + timedelta(days=1) if at <= now.astimezone(UTC) else at

    def elapsed_days(self, last_review: datetime, now: datetime) -> int:
        """FSRS's elapsed days as Anki counts them: whole 24-hour blocks from the last review
        to the next rollover (``timing.next_day_at.elapsed_days_since(last_review_time)`` in
        ``answering/mod.rs``). The same as the learner days crossed, except across a DST
        switch within an hour of the rollover, where Anki's count is the one used."""
        gap = (self.anki_next_day_at(now) - last_review.astimezone(UTC)).total_seconds()
        return max(0, int(gap // 86400))

    # -- answering --------------------------------------------------------------------------

    def answer(
        self,
        memory: Memory,
        rating: Rating,
        now: datetime,
        *,
        seed: int | None = None,
        balance: fuzz.Balancer | None = None,
        exam: ExamRule | None = None,
    ) -> Memory:
        """The card's memory after answering ``rating`` at ``now`` (a UTC instant).

        ``seed`` (:func:`fuzz_seed`) turns on Anki's fuzz, exactly as Anki draws it; without
        it intervals are unfuzzed. ``balance`` is the load balancer, when it is on.
        """
        return self._outcomes(memory, now, (rating,), seed, balance, exam)[rating]

    def outcomes(
        self,
        memory: Memory,
        now: datetime,
        *,
        seed: int | None = None,
        balance: fuzz.Balancer | None = None,
        exam: ExamRule | None = None,
    ) -> dict[Rating, Memory]:
        """What each rating would give now: Anki's ``next_states``."""
        return self._outcomes(memory, now, tuple(Rating), seed, balance, exam)

    def preview(
        self,
        memory: Memory,
        now: datetime,
        *,
        seed: int | None = None,
        balance: fuzz.Balancer | None = None,
        exam: ExamRule | None = None,
    ) -> dict[Rating, timedelta]:
        """The wait each rating would give now: with the same seed and balancer as the answer,
        exactly what answering then schedules."""
        now = now.astimezone(UTC)
        out = {}
        outcomes = self.outcomes(memory, now, seed=seed, balance=balance, exam=exam)
        for rating, after in outcomes.items():
            assert after.due is not None
            out[rating] = after.due - now
        return out

    def _outcomes(
        self,
        memory: Memory,
        now: datetime,
        ratings: tuple[Rating, ...],
        seed: int | None,
        balance: fuzz.Balancer | None,
        exam: ExamRule | None = None,
    ) -> dict[Rating, Memory]:
        now = now.astimezone(UTC)
        wanted = set(ratings)
        if memory.state == State.Review and wanted & {Rating.Hard, Rating.Good, Rating.Easy}:
            wanted |= {Rating.Hard, Rating.Good, Rating.Easy}  # each bounds the next
        if Rating.Easy in wanted:
            wanted.add(Rating.Good)  # Easy out of learning is above the fuzzed Good
        states = {r: self._memory_after(memory, r, now) for r in sorted(wanted)}
        factor = rng.fuzz_factor(seed) if seed is not None else None
        days = self._review_days(memory, states, factor, balance)
        out = {}
        for rating in ratings:
            after = _as_stored(states[rating])
            if after.state == State.Review:
                d = days[rating]
                if exam is not None:  # an exam may bring the due day forward
                    d = exam(after, self.day(now), d)
                due = self.day_start(self.day(now) + timedelta(days=d))
                out[rating] = replace(after, due=due, interval=d)
            else:
                out[rating] = replace(after, due=self._step_due(memory, after, rating, now, seed))
        return out

    def memory_after(
        self, memory: Memory, rating: Rating, now: datetime, *, due: datetime, interval: int
    ) -> Memory:
        """The memory after ``rating`` (rounded as Anki stores it) with a ``due`` and, on a
        review card, ``interval`` known already: for replaying a log that recorded them
        (``recall import`` takes them from Anki's revlog). One py-fsrs call, where
        :meth:`answer` on a review card needs three (Hard, Good and Easy bound each other)."""
        m = self._memory_after(memory, rating, now.astimezone(UTC))
        s, d = m.stability, m.difficulty
        return Memory(
            m.state, m.step, None if s is None else fuzz.round_places(s, 4),
            None if d is None else fuzz.round_places(d, 3), due, m.last_review, m.reps,
            m.lapses, interval if m.state == State.Review and interval > 0 else None,
        )  # fmt: skip

    def _memory_after(self, memory: Memory, rating: Rating, now: datetime) -> Memory:
        """py-fsrs's state, step, stability and difficulty after ``rating`` (due unset)."""
        import fsrs

        card, _ = self._exact.review_card(self._to_fsrs(memory, now), fsrs.Rating(int(rating)), now)
        stability = min(card.stability, STABILITY_MAX) if card.stability is not None else None
        lapses = memory.lapses + (
            1 if memory.state == State.Review and rating == Rating.Again else 0
        )
        return Memory(
            state=State(int(card.state)),
            step=card.step,
            stability=stability,
            difficulty=card.difficulty,
            due=None,
            last_review=now,
            reps=memory.reps + 1,
            lapses=lapses,
        )

    def next_interval(self, stability: float) -> float:
        """FSRS's unrounded interval for a stability already capped at the ceiling (fsrs-rs's
        ``next_interval``, which Anki feeds with the clamped memory state)."""
        engine = self._exact
        retention = self.settings.desired_retention
        return float(stability / engine._FACTOR * (retention ** (1 / engine._DECAY) - 1))

    def _review_days(
        self,
        before: Memory,
        states: dict[Rating, Memory],
        factor: float | None,
        balance: fuzz.Balancer | None,
    ) -> dict[Rating, int]:
        """Days until due for each outcome that is a review card, by Anki's rules."""
        maximum = self.settings.maximum_interval
        ivl = {r: self.next_interval(m.stability or 0.0) for r, m in states.items()}
        days: dict[Rating, int] = {}
        if before.state == State.Review and Rating.Good in ivl:
            h, g, e = fuzz.review_intervals(
                ivl[Rating.Hard], ivl[Rating.Good], ivl[Rating.Easy],
                self.previous_interval(before), maximum, factor, balance,
            )  # fmt: skip
            days.update({Rating.Hard: h, Rating.Good: g, Rating.Easy: e})
        for rating, after in states.items():
            if after.state != State.Review or rating in days:
                continue
            if before.state == State.Review:  # Again with no relearning steps: not fuzzed
                days[rating] = min(max(1, fuzz._round(ivl[rating])), max(1, maximum))
            elif rating == Rating.Easy:
                days[rating] = fuzz.graduating_easy(
                    ivl[Rating.Good], ivl[Rating.Easy], maximum, factor, balance
                )
            else:
                days[rating] = fuzz.graduating_interval(ivl[rating], maximum, factor, balance)
        return days

    def previous_interval(self, memory: Memory) -> int:
        """A review card's scheduled days (Anki's ``ivl``): stored since m005, otherwise
        the learner days from its last review to its due day."""
        if memory.interval is not None:
            return memory.interval
        if memory.due is None or memory.last_review is None:
            return 0
        return max(0, (self.day(memory.due) - self.day(memory.last_review)).days)

    def _step_due(
        self, before: Memory, after: Memory, rating: Rating, now: datetime, seed: int | None
    ) -> datetime:
        """When a (re)learning card comes back: Anki's step delay; a delay past the next
        rollover becomes whole learner days (``IntervalKind::maybe_as_days``)."""
        s = self.settings
        steps = s.relearning_steps if after.state == State.Relearning else s.learning_steps
        index = after.step or 0
        if rating == Rating.Hard:
            secs = fuzz.hard_delay(steps, index)
        else:
            secs = steps[min(index, len(steps) - 1)]
        until_rollover = int((self.anki_next_day_at(now) - now).total_seconds())
        if secs >= until_rollover:
            days = (secs - until_rollover) // 86400 + 1
            return self.day_start(self.day(now) + timedelta(days=days))
        return now + timedelta(seconds=fuzz.learning_fuzz(secs, seed))

    def retrievability(self, memory: Memory, now: datetime) -> float | None:
        """Predicted recall probability now, counting days as Anki does."""
        if memory.stability is None or memory.last_review is None:
            return None
        r = self._exact.get_card_retrievability(self._to_fsrs(memory, now), now.astimezone(UTC))
        return float(r)

    def mean_retrievability(
        self, groups: Iterable[tuple[int, float, int]], now: datetime
    ) -> float | None:
        """The mean :meth:`retrievability` at ``now`` of groups of cards given as (elapsed
        days as :meth:`elapsed_days` counts them, stability, how many cards): one py-fsrs
        call per group, not per card. None when there are no cards."""
        import fsrs

        card = fsrs.Card(card_id=1, state=fsrs.State.Review)
        at = now.astimezone(UTC)
        total, count = 0.0, 0
        for elapsed, stability, n in groups:
            card.stability, card.last_review = stability, now - timedelta(days=elapsed)
            total += n * float(self._exact.get_card_retrievability(card, at))
            count += n
        return total / count if count else None

    def replay(self, ratings: list[tuple[Rating, datetime]]) -> Memory:
        """Rebuild a card's memory from ratings alone (unfuzzed)."""
        memory = Memory()
        for rating, when in ratings:
            memory = self.answer(memory, rating, when)
        return memory

    def _to_fsrs(self, memory: Memory, now: datetime) -> fsrs.Card:
        import fsrs

        last = memory.last_review
        if last is not None:
            # The heart of the adapter: py-fsrs sees exactly Anki's day gap.
            last = now - timedelta(days=self.elapsed_days(last, now))
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


def _as_stored(memory: Memory) -> Memory:
    """The memory state as Anki keeps it between answers: stability to 4 decimal places,
    difficulty to 3 (``rslib/src/storage/card/data.rs``, ``convert_to_json``). The next
    answer starts from these, so recall rounds them too; this answer's intervals are already
    computed from the unrounded values, as in Anki."""
    s, d = memory.stability, memory.difficulty
    return replace(
        memory,
        stability=None if s is None else fuzz.round_places(s, 4),
        difficulty=None if d is None else fuzz.round_places(d, 3),
    )


def log_stamp(sched: Scheduler, now: datetime) -> tuple[str, str, int, str, str]:
    """What a review row records of how it was scheduled: its learner day, the zone and
    day-start hour that day was counted in, and the learning and relearning steps (seconds).
    Replay reads them back (:func:`from_stamp`), so later changes of these settings apply
    forward only."""
    s = sched.settings
    return (
        sched.day(now).isoformat(),
        s.timezone,
        s.day_start_hour,
        steps_text(s.learning_steps),
        steps_text(s.relearning_steps),
    )


def from_stamp(settings: Settings, row: dict[str, object]) -> Settings:
    """``settings`` with the calendar and steps a review row recorded (unchanged for rows
    with no record)."""
    if row.get("zone") is None:
        return settings
    return replace(
        settings,
        timezone=str(row["zone"]),
        day_start_hour=int(row["day_start_hour"]),  # type: ignore[call-overload]
        learning_steps=tuple(int(x) for x in str(row["learning_steps"]).split()),
        relearning_steps=tuple(int(x) for x in str(row["relearning_steps"]).split()),
    )


def fuzz_seed(uid: str, reps: int) -> int:
    """A card's fuzz seed before its answer number ``reps + 1``: a stable number for the card
    plus its reps, as Anki seeds with ``card id + reps``. Fixed per card and answer, so the
    same answer always draws the same fuzz."""
    digest = hashlib.blake2b(uid.encode(), digest_size=6).digest()
    return int.from_bytes(digest, "big") + reps


_UNIX_ORDINAL = date(1970, 1, 1).toordinal()


def _offset(local: datetime) -> int:
    offset = local.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def with_due(memory: Memory, due: datetime) -> Memory:
    """The same memory with a recorded due instant (a fuzzed due comes from the log)."""
    return replace(memory, due=due)
