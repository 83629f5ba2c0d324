"""Exam mode: `recall exam` (the exams with their forecast), `exam set`, `exam clear`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from recall.cli.common import backup_now, cli, db_option, echo, open_collection, utc_now
from recall.errors import RecallError


def _shaping(col: Any, sched: Any, now: Any, deck: str | None) -> list[dict[str, Any]]:
    today = sched.day(now).isoformat()
    return [
        e
        for e in col.exams_in_force(now)
        if e["date"] > today and (deck is None or not e["decks"] or deck in e["decks"])
    ]


def exams_json(col: Any, sched: Any, now: Any, deck: str | None) -> list[dict[str, Any]]:
    """The exams shaping today's queue, for `recall due --json` and `stats --json`: the
    stored settings, the days left and the cards `exam set` brought forward that no answer
    has rescheduled since."""
    today = sched.day(now)
    out = []
    for e in _shaping(col, sched, now, deck):
        item = {k: e[k] for k in ("id", "date", "decks", "target", "max_reviews")}
        for k in ("max_minutes", "seconds_per_review"):
            item[k] = e.get(k)
        item["cap"] = e["max_reviews"] or sched.settings.reviews_per_day
        item["days_left"] = (date.fromisoformat(e["date"]) - today).days
        item["brought_forward"] = col.exam_moves_left(e["change"]) if "change" in e else 0
        out.append(item)
    return out


def exam_notice(col: Any, sched: Any, now: Any, deck: str | None) -> str | None:
    """The line `recall due`, `review` and `stats` print while an exam shapes the queue."""
    shaping = _shaping(col, sched, now, deck)
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
@click.option("--max-minutes", type=int, help="Daily cap in minutes (at your pace per review).")
@db_option
@click.pass_context
def set_exam(
    ctx: click.Context,
    day: str,
    decks: tuple[str, ...],
    target: float,
    max_reviews: int | None,
    max_minutes: int | None,
    db_path: Path | None,
) -> None:
    """Set an exam on DATE (YYYY-MM-DD); several exams may be in force at once.

    Review cards already due after the exam whose exam-day retrievability would be below the
    target are brought forward at once, spread under the cap as answers are (a backup is
    made first, and `recall check` replays the move). --max-minutes is converted to reviews
    with your average seconds per review-card answer in the log.
    """
    from recall.store.rows import ts
    from recall.study.exam import check_exam
    from recall.study.schedule import Scheduler

    col = open_collection(db_path or ctx.obj.get("db_path"))
    ctx.call_on_close(col.close)
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise RecallError(f"exam date {day!r} is not a date like 2027-05-24") from None
    now = utc_now()
    sched = Scheduler(col.settings())
    check_exam(when, sched.day(now), target, max_reviews)
    slugs = [col.find_deck(d) for d in decks]
    record: dict[str, Any] = {
        "id": col.next_exam_id(), "date": when.isoformat(), "decks": sorted(slugs),
        "target": target, "max_reviews": max_reviews, "set_at": ts(now), "cleared_at": None,
    }  # fmt: skip
    if max_minutes is not None:
        record.update(_minutes_cap(col, max_reviews, max_minutes))
    _set_and_move(col, sched, now, record)


def _minutes_cap(col: Any, max_reviews: int | None, minutes: int) -> dict[str, Any]:
    """The daily review cap ``minutes`` buys at the learner's own pace, said on screen."""
    if max_reviews is not None:
        raise RecallError("give --max-reviews or --max-minutes, not both")
    if minutes < 1:
        raise RecallError(f"--max-minutes {minutes}: the cap must be at least 1")
    pace = col.review_seconds()
    if pace is None:
        raise RecallError(
            "--max-minutes needs timed review answers in the log to convert minutes to "
            "reviews; there are none yet, so give --max-reviews"
        )
    seconds, answers = pace
    cap = max(1, int(minutes * 60 // seconds))
    echo(
        f"cap: {minutes} min a day ≈ {cap} reviews, assuming {seconds:.1f} s per review "
        f"(your mean over {answers} timed review answers in the log)"
    )
    return {"max_reviews": cap, "max_minutes": minutes, "seconds_per_review": round(seconds, 2)}


def _set_and_move(col: Any, sched: Any, now: Any, record: dict[str, Any]) -> None:
    """Bring the cards the new exam leaves below target forward, store both, and say so."""
    from recall.study.exam import Exam, Planner, bring_forward, shortfall

    exam, today = Exam.from_record(record), sched.day(now)  # type: ignore[arg-type]
    in_force = [Exam.from_record(e) for e in col.exams_in_force(now)]
    plan = Planner(sched, [*in_force, exam])
    cards = [r for r in col.live_cards() if not r.suspended]
    for r in cards:
        plan.placed(r.memory)
    live = [(r.uid, r.deck, r.memory) for r in cards]
    moves = bring_forward(plan, live, today, exam)
    if moves:
        backup_now(col, "before-exam")
    stored = col.add_exam(record, moves, now)
    covers = ", ".join(stored["decks"]) or "all decks"
    echo(f"exam {stored['id']} on {stored['date']}: {covers}, target {exam.target:.0%}")
    after = {uid: moves.get(uid, m) for uid, _, m in live}
    [short] = shortfall(plan, [(d, after[u]) for u, d, _ in live], today)[-1:]
    echo(
        f"brought forward {len(moves)} review card{'s' if len(moves) != 1 else ''} due after "
        f"the exam below target" + (f" (reschedule change {stored['change']})" if moves else "")
    )
    if short.below:
        echo(
            f"short: {short.below} still go into the exam below target (no room under the cap "
            f"of {plan.cap(exam)} a day in the days that would lift them); a cap of about "
            f"{short.needed_cap} would do"
        )


@exam.command("clear")
@click.option("--id", "ids", type=int, multiple=True, help="Clear only this exam (repeatable).")
@db_option
@click.pass_context
def clear_exam(ctx: click.Context, ids: tuple[int, ...], db_path: Path | None) -> None:
    """Clear the exams in force; cards keep their dues, later answers schedule normally."""
    col = open_collection(db_path or ctx.obj.get("db_path"))
    ctx.call_on_close(col.close)
    in_force = {e["id"] for e in col.exams_in_force(utc_now())}
    missing = sorted(set(ids) - in_force)
    if missing:  # checked first: nothing is cleared when one id is wrong
        raise RecallError(f"no exam in force with id {', '.join(map(str, missing))}")
    cleared = col.clear_exams(utc_now(), list(ids) or None)
    echo(f"cleared {len(cleared)} exam{'s' if len(cleared) != 1 else ''}")
    for e in cleared:
        left = col.exam_moves_left(e["change"]) if "change" in e else 0
        if left:
            echo(
                f"  exam {e['id']}: {left} card{'s' if left != 1 else ''} it brought forward "
                "keep their earlier due; their next answer schedules them normally"
            )


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
