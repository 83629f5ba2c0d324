"""Exam mode: `recall exam` (the exams with their forecast), `exam set`, `exam clear`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from recall.cli.common import cli, db_option, echo, open_collection, utc_now
from recall.errors import RecallError


def exam_notice(col: Any, sched: Any, now: Any, deck: str | None) -> str | None:
    """The line `recall due`, `review` and `stats` print while an exam shapes the queue."""
    today = sched.day(now).isoformat()
    shaping = [
        e
        for e in col.exams_in_force(now)
        if e["date"] > today and (deck is None or not e["decks"] or deck in e["decks"])
    ]
    if not shaping:
        return None
    parts = [
        f"{e['date']} (target {e['target']:.0%}, {', '.join(e['decks']) or 'all decks'})"
        for e in shaping
    ]
    return "exam mode shapes today's queue: exam on " + "; ".join(parts)


@cli.group(invoke_without_command=True)
@db_option
@click.pass_context
def exam(ctx: click.Context, db_path: Path | None) -> None:
    """Exams you study for, with a forecast of exam day.

    Before an exam, a card whose FSRS interval would carry it past the exam below the target
    retrievability is brought forward to one review inside the days that lift it to the
    target on exam day, spread under the daily cap. Without a subcommand: each exam in force,
    the simulated share of cards at target on exam morning, reviews per day until then, and
    how many cards the cap leaves short.
    """
    ctx.ensure_object(dict)
    ctx.obj["db_path"] = db_path
    if ctx.invoked_subcommand is None:
        _show(db_path)


@exam.command("set")
@click.argument("day", metavar="DATE")
@click.option("--deck", "decks", multiple=True, help="A deck the exam covers (repeatable).")
@click.option("--target", type=float, default=0.95, show_default=True,
              help="Retrievability wanted on exam day, in (0.7, 0.99].")  # fmt: skip
@click.option("--max-reviews", type=int, help="Daily review cap (default: reviews_per_day).")
@db_option
@click.pass_context
def set_exam(
    ctx: click.Context,
    day: str,
    decks: tuple[str, ...],
    target: float,
    max_reviews: int | None,
    db_path: Path | None,
) -> None:
    """Set an exam on DATE (YYYY-MM-DD); several exams may be in force at once."""
    from recall.study.exam import check_exam
    from recall.study.schedule import Scheduler

    col = open_collection(db_path or ctx.obj.get("db_path"))
    ctx.call_on_close(col.close)
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise RecallError(f"exam date {day!r} is not a date like 2027-05-24") from None
    now = utc_now()
    check_exam(when, Scheduler(col.settings()).day(now), target, max_reviews)
    slugs = [col.find_deck(d) for d in decks]
    record = col.add_exam(when.isoformat(), slugs, target, max_reviews, now)
    covers = ", ".join(record["decks"]) or "all decks"
    echo(f"exam {record['id']} on {record['date']}: {covers}, target {target:.0%}")


@exam.command("clear")
@click.option("--id", "ids", type=int, multiple=True, help="Clear only this exam (repeatable).")
@db_option
@click.pass_context
def clear_exam(ctx: click.Context, ids: tuple[int, ...], db_path: Path | None) -> None:
    """Clear the exams in force; cards keep their dues, later answers schedule normally."""
    col = open_collection(db_path or ctx.obj.get("db_path"))
    ctx.call_on_close(col.close)
    cleared = col.clear_exams(utc_now(), list(ids) or None)
    if ids and len(cleared) != len(set(ids)):
        known = sorted({e["id"] for e in cleared})
        missing = sorted(set(ids) - set(known))
        raise RecallError(f"no exam in force with id {', '.join(map(str, missing))}")
    echo(f"cleared {len(cleared)} exam{'s' if len(cleared) != 1 else ''}")


def _show(db_path: Path | None) -> None:
    from recall.study.exam import planner, shortfall
    from recall.study.examsim import simulate
    from recall.study.schedule import Scheduler

    col = open_collection(db_path)
    try:
        sched, now = Scheduler(col.settings()), utc_now()
        plan, today = planner(col, sched, now), sched.day(now)
        if not plan.exams:
            echo("no exam set; `recall exam set DATE` sets one")
            return
        rows = [(r.deck, r.memory) for r in col.live_cards() if not r.suspended]
        short = {s.exam.id: s for s in shortfall(plan, rows, today)}
        for e in plan.exams:
            _print_exam(e, short.get(e.id), simulate(sched, rows, today, e), plan.cap(e), today)
    finally:
        col.close()


def _print_exam(exam: Any, short: Any, forecast: Any, cap: int, today: date) -> None:
    from datetime import timedelta

    covers = ", ".join(sorted(exam.decks)) or "all decks"
    left = (exam.day - today).days
    echo(
        f"exam {exam.id} on {exam.day.isoformat()} (in {left} days): {covers}, "
        f"target {exam.target:.0%}, cap {cap} reviews a day"
    )
    echo(
        f"  forecast: {forecast.at_target:.1%} of cards at or above target on exam morning, "
        f"expected recall {forecast.exam_recall:.1%}, {forecast.total} reviews until then"
    )
    if short is not None and short.below:
        echo(
            f"  short: {short.below} of {short.cards} review cards are due after the exam below "
            f"target (due set before the exam, or the cap was full); one more review each "
            f"needs a cap of about {short.needed_cap} a day"
        )
    # Reviews per day (per week when the exam is more than 30 days away).
    step = 7 if left > 30 else 1
    buckets = []
    for start in range(0, left, step):
        first = today + timedelta(days=start)
        n = sum(forecast.reviews[first + timedelta(days=k)] for k in range(step))
        buckets.append((first, n))
    top = max((n for _, n in buckets), default=0)
    label = "week of" if step == 7 else "day"
    echo(f"  reviews per {'week' if step == 7 else 'day'} ({label}):")
    for first, n in buckets:
        bar = "█" * (round(40 * n / top) if top else 0)
        echo(f"  {first.isoformat()[5:]:>6} {bar} {n}")
