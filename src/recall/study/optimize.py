"""Personal FSRS parameters fitted to the learner's own review log, by Anki's engine.

``fsrs-rs-python`` is the Rust engine inside Anki: it fits a year of reviews in seconds and
needs no torch (py-fsrs's optimizer does). Training items are built the way that engine
expects, from the append-only log: one item per review, holding the card's history up to and
including it, each gap counted in the learner's days (same-day reviews have a gap of 0, as in
Anki). Only items whose last review is a long-term one (a gap of a day or more) can be
predicted and scored, as in Anki.

Honesty rules: the fit is scored on the most recent fifth of the log, which it never saw,
beside the default parameters on the same reviews; too little data is refused with the
numbers (the engine would silently hand back the defaults); parameters that predict the
held-out reviews worse than the defaults are not applied.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Set
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from recall.errors import RecallError
from recall.memory import Memory, State
from recall.settings import DEFAULT_PARAMETERS
from recall.study.schedule import Scheduler

if TYPE_CHECKING:
    import fsrs_rs_python

    from recall.store import Collection

MIN_REVIEWS = 400  # long-term reviews; Anki asks for several hundred before it will optimize
HOLD_OUT = 0.2


@dataclass(frozen=True)
class Fit:
    """What the optimizer found, with the evidence."""

    parameters: tuple[float, ...]
    reviews: int  # review-log rows used
    cards: int
    train_items: int
    test_items: int
    default_log_loss: float
    default_rmse: float
    fitted_log_loss: float
    fitted_rmse: float

    @property
    def better(self) -> bool:
        return self.fitted_log_loss < self.default_log_loss

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "parameters": list(self.parameters), "better": self.better}


def training_items(
    col: Collection,
    sched: Scheduler,
    deck: str | None = None,
    history: dict[str, list[tuple[float, int, int | None]]] | None = None,
) -> tuple[list[tuple[int, fsrs_rs_python.FSRSItem]], int, int]:
    """(when the last review was, item) for every scoreable review, with the number of log
    rows and cards they came from. ``history`` is :meth:`Collection.review_history` when
    the caller has read it already (a lifetime's log takes seconds to read)."""
    import fsrs_rs_python as engine

    items: list[tuple[int, engine.FSRSItem]] = []
    rows = cards = 0
    for log in (col.review_history(deck) if history is None else history).values():
        cards += 1
        rows += len(log)
        reviews, gaps = _reviews(log, sched)
        for i in range(1, len(reviews)):
            if gaps[i] > 0:
                items.append((int(log[i][0]), engine.FSRSItem(reviews[: i + 1])))
    return items, rows, cards


def _reviews(
    log: list[tuple[float, int, int | None]], sched: Scheduler
) -> tuple[list[fsrs_rs_python.FSRSReview], list[int]]:
    """A card's answers as the engine's reviews, with their gaps in the learner's days (0 for
    the first answer and between answers on one day, as in Anki). The days are the ones the
    log recorded, so today's day start and zone do not move past reviews; only a row that
    recorded no day is counted with today's settings."""
    import fsrs_rs_python as engine

    recorded = [day for _, _, day in log]
    if None in recorded:
        counted = sched.day_ordinals([at for at, _, _ in log])
        days = [c if d is None else d for d, c in zip(recorded, counted, strict=True)]
    else:
        days = [d for d in recorded if d is not None]
    gaps = [0, *(b - a for a, b in itertools.pairwise(days))]
    return [engine.FSRSReview(r, g) for (_, r, _), g in zip(log, gaps, strict=True)], gaps


def fit(
    col: Collection,
    sched: Scheduler,
    deck: str | None = None,
    history: dict[str, list[tuple[float, int, int | None]]] | None = None,
) -> Fit:
    """Fit parameters on the older four fifths of the log and score both sets on the rest."""
    import fsrs_rs_python as engine

    items, rows, cards = training_items(col, sched, deck, history)
    if len(items) < MIN_REVIEWS:
        where = f" in deck {deck!r}" if deck else ""
        raise RecallError(
            f"not enough review history to optimize{where}: {len(items)} long-term reviews "
            f"(of {rows} in the log), at least {MIN_REVIEWS} are needed; keep reviewing and "
            "try again in a few weeks"
        )
    items.sort(key=lambda pair: pair[0])
    cut = int(len(items) * (1 - HOLD_OUT))
    train = [item for _, item in items[:cut]]
    test = [item for _, item in items[cut:]]
    fitted = engine.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(train)
    default_score = engine.FSRS(list(DEFAULT_PARAMETERS)).evaluate(test)
    fitted_score = engine.FSRS(fitted).evaluate(test)
    return Fit(
        parameters=tuple(round(p, 4) for p in fitted),
        reviews=rows,
        cards=cards,
        train_items=len(train),
        test_items=len(test),
        default_log_loss=default_score.log_loss,
        default_rmse=default_score.rmse_bins,
        fitted_log_loss=fitted_score.log_loss,
        fitted_rmse=fitted_score.rmse_bins,
    )


def rescheduled(
    col: Collection,
    sched: Scheduler,
    parameters: tuple[float, ...],
    history: dict[str, list[tuple[float, int, int | None]]] | None = None,
    current: dict[str, Memory] | None = None,
) -> dict[str, Memory]:
    """Every studied card's memory recomputed from its log with ``parameters``.

    ``current`` is the cards' memories read with ``history`` (in one
    :meth:`Collection.snapshot`), when the caller has them: they must be the memories that
    log gives, or a card answered in between would be rescheduled from half its log.

    Stability and difficulty come from replaying the card's whole history through Anki's
    engine (``memory_state_batch``, in Rust: a lifetime's log in seconds); state, step, reps,
    lapses and the last review are the log's and do not depend on the parameters. A review
    card's due day becomes its last review's recorded day plus the interval the new
    stability gives at the learner's desired retention (no fuzz), capped at the maximum
    interval; a card in learning keeps its step's due time.
    """
    import fsrs_rs_python as engine

    settings = sched.settings
    if history is None or current is None:
        with col.snapshot():
            history = col.review_history() if history is None else history
            current = col.studied_memories() if current is None else current
    uids = [uid for uid in current if uid in history]
    items = [engine.FSRSItem(_reviews(history[uid], sched)[0]) for uid in uids]
    model = engine.FSRS(list(parameters))
    states = model.memory_state_batch(items) if items else []
    out: dict[str, Memory] = {}
    for uid, state in zip(uids, states, strict=True):
        old = current[uid]
        stability = min(float(state.stability), 36500.0)
        memory = Memory(
            state=old.state, step=old.step, stability=stability,
            difficulty=float(state.difficulty), due=old.due, last_review=old.last_review,
            reps=old.reps, lapses=old.lapses,
        )  # fmt: skip
        if old.state == State.Review and old.last_review is not None:
            days = model.next_interval(stability, settings.desired_retention, 3)
            days = max(1, min(settings.maximum_interval, round(days)))
            # Due on a learner day, as every review card is: the day the last answer
            # recorded plus the interval (py-fsrs would add days to the instant, which a
            # DST switch in between moves by an hour, sometimes into another day).
            last_day = history[uid][-1][2]
            base = sched.day(old.last_review) if last_day is None else date.fromordinal(last_day)
            due = sched.day_start(base + timedelta(days=days))
            memory = replace(memory, due=due, interval=days)
        out[uid] = memory
    return out


def recomputer(
    col: Collection, sched: Scheduler, parameters: tuple[float, ...]
) -> Callable[[Set[str]], dict[str, Memory]]:
    """What :meth:`Collection.change_parameters` calls, under the write lock, for the cards
    answered or undone since their reschedule was computed: those cards recomputed from
    their logs as they stand now (one pass over the log for all of them)."""

    def recompute(uids: Set[str]) -> dict[str, Memory]:
        history = col.review_history(cards=uids)
        current = {uid: col.card(uid).memory for uid in uids}
        return rescheduled(col, sched, parameters, history, current)

    return recompute
