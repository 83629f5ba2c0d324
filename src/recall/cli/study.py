"""Studying: the review screen, what is due, and statistics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from recall.cli.common import cli, db_option, echo, echo_json, open_collection, utc_now

# What a first run finds: an empty collection, and the two ways to fill it.
EMPTY = (
    "Your collection has no cards yet. Load the shipped decks with `recall add decks/`\n"
    "(from a clone of recall), or build a practice collection with months of history:\n"
    "`recall example example.db`, then `recall review --db example.db`."
)


@cli.command()
@click.option("--deck", "deck_name", help="Only this deck (slug, title or a prefix).")
@click.option("--limit", type=click.IntRange(min=1), help="Stop after this many answers.")
@click.option(
    "--ahead", type=click.IntRange(min=1), metavar="DAYS",
    help="Study ahead: review cards due in the next DAYS days too (no new cards).",
)  # fmt: skip
@db_option
def review(
    deck_name: str | None, limit: int | None, ahead: int | None, db_path: Path | None
) -> None:
    """Review today's cards, one key per action.

    space/Enter shows the answer; 1-4 rate it (Again, Hard, Good, Easy), with the next
    interval of each shown first; a-d answer a multiple-choice card (graded automatically;
    Enter accepts, 1-4 override); u undoes the last answer; s suspends; b or - buries until
    tomorrow (on a multiple-choice question b is option B, so use -); q quits. Every
    answer is saved before the next card shows. When standard input is not a terminal, the
    same commands are read one per line.

    --ahead studies cards before they are due (before a trip, say): each answer is logged
    as a real review on the day it is given, and FSRS schedules it from the days that
    really passed. u also takes back a suspend or bury. If another session answers the
    card on screen first, this answer is refused and the screen moves on.
    """
    from recall.study.schedule import Scheduler
    from recall.study.session import Session
    from recall.terminal.review import Terminal, run

    col = open_collection(db_path)
    deck = col.find_deck(deck_name) if deck_name else None
    titles = col.deck_titles()
    if not titles:
        echo(EMPTY)
        return
    session = Session(col, Scheduler(col.settings()), deck=deck, limit=limit, ahead=ahead or 0)
    _exam_line(col, session.sched, deck)
    run(session, Terminal(), deck_title=lambda slug: titles.get(slug, slug))


@cli.command()
@click.option("--deck", "deck_name", help="Only this deck.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@db_option
def due(deck_name: str | None, as_json: bool, db_path: Path | None) -> None:
    """What is due today, per deck: new, learning and review cards."""
    from recall.study.schedule import Scheduler
    from recall.study.stats import due as due_today
    from recall.text import format_interval

    col = open_collection(db_path)
    deck = col.find_deck(deck_name) if deck_name else None
    data = due_today(col, Scheduler(col.settings()), utc_now(), deck)
    if as_json:
        echo_json({**data, "exams": _exams(col, deck)})
        return
    _exam_line(col, Scheduler(col.settings()), deck)
    for d in data["decks"]:
        echo(f"{d['deck']}: {d['new']} new, {d['learning']} learning, {d['review']} review")
    t = data["total"]
    echo(f"today: {t['new']} new, {t['learning']} learning, {t['review']} review")
    w = data["waiting_for_sibling"]
    if any(w.values()):
        kinds = ", ".join(f"{n} {k}" for k, n in w.items() if n)
        echo(f"  {kinds} more wait for another day: another card of their fact is due")
        echo("  or was answered today (Anki buries only cards of one note: it counts them)")
    if not data["decks"]:
        echo(EMPTY)
    if data["next_due"]:
        from datetime import datetime

        delta = datetime.fromisoformat(data["next_due"]) - utc_now()
        lead = "then the next card is due" if any(t.values()) else "next card due"
        echo(f"{lead} in {format_interval(delta)}")


@cli.command()
@click.option("--deck", "deck_name", help="Only this deck.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@db_option
def stats(deck_name: str | None, as_json: bool, db_path: Path | None) -> None:
    """Cards by state, reviews, true retention, retrievability, streak and a 30-day forecast."""
    from recall.study.schedule import Scheduler
    from recall.study.stats import bar_chart
    from recall.study.stats import stats as compute

    col = open_collection(db_path)
    deck = col.find_deck(deck_name) if deck_name else None
    data = compute(col, Scheduler(col.settings()), utc_now(), deck)
    if as_json:
        echo_json({**data, "exams": _exams(col, deck)})
        return
    _exam_line(col, Scheduler(col.settings()), deck)
    c, r = data["cards"], data["reviews"]
    echo(
        f"cards: {c['total']} ({c['new']} new, {c['learning']} learning, {c['review']} review, "
        f"{c['relearning']} relearning, {c['suspended']} suspended)"
    )
    echo(f"reviews: {r['today']} today, {r['7_days']} in 7 days, {r['30_days']} in 30 days")
    echo("true retention (30 days): " + _retention(data))
    ar = data["average_retrievability"]
    echo("average retrievability: " + (f"{ar:.1%}" if ar is not None else "—"))
    n = data["streak_days"]
    echo(f"streak: {n} day{'' if n == 1 else 's'} in a row")
    echo("due in the next 30 days:")
    for line in bar_chart(data["forecast"]):
        echo("  " + line)


def _exams(col: Any, deck: str | None) -> list[dict[str, Any]]:
    """The exams shaping today's queue, for --json (empty when none)."""
    from recall.cli.exam import exams_json
    from recall.study.schedule import Scheduler

    return exams_json(col, Scheduler(col.settings()), utc_now(), deck)


def _exam_line(col: Any, sched: Any, deck: str | None) -> None:
    """Say so when an exam is shaping today's queue (`recall exam` shows it in full)."""
    from recall.cli.exam import exam_notice

    line = exam_notice(col, sched, utc_now(), deck)
    if line:
        echo(line)


def _retention(data: dict[str, object]) -> str:
    """True retention counts only answers to cards in review (due after a day or more), as
    Anki's does: learning and relearning steps say little about long-term memory. Say so,
    or a first day's "18 reviews today" beside "no reviews yet" reads as a bug."""
    tr, judged, answers = (
        data["true_retention_30_days"],
        data["review_cards_judged"],
        data["reviews"],
    )
    if isinstance(tr, float):
        noun = "answer" if judged == 1 else "answers"
        return f"{tr:.1%} of {judged} {noun} to review cards (learning steps not counted)"
    answered = answers["30_days"] if isinstance(answers, dict) else 0
    if not answered:
        return "no reviews yet"
    return (
        f"none yet: it counts only answers to cards in review; your {answered} "
        f"answer{'' if answered == 1 else 's'} in these 30 days "
        f"{'was a learning step' if answered == 1 else 'were all learning steps'}, "
        "which it leaves out"
    )
