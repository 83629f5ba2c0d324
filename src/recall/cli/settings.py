"""Tuning the scheduler: ``recall config`` and ``recall optimize`` (fit FSRS, apply, revert)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from recall.cli.common import backup_now, cli, db_option, echo, echo_json, open_collection, utc_now
from recall.errors import RecallError

if TYPE_CHECKING:
    from datetime import datetime


@cli.command()
@click.option("--deck", "deck_name", help="Fit to this deck's reviews only.")
@click.option(
    "--apply",
    "apply_",
    is_flag=True,
    help="Put the fitted parameters in force and reschedule every card.",
)
@click.option("--revert", is_flag=True, help="Go back to the parameters in force before.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@db_option
def optimize(
    deck_name: str | None, apply_: bool, revert: bool, as_json: bool, db_path: Path | None
) -> None:  # fmt: skip
    """Fit FSRS parameters to your own review history (Anki's engine, fsrs-rs).

    Fits on the older four fifths of your log and reports, on the newest fifth it never
    saw, log loss and RMSE for the default and the fitted parameters side by side. --apply
    puts the fitted parameters in force as a new dated version (older ones are kept) and
    reschedules every card from its log, in one transaction; --revert goes back to the
    version before. This does not suggest a desired retention.
    """
    from dataclasses import replace

    from recall.bulk import no_gc_pauses
    from recall.settings import DEFAULT_PARAMETERS
    from recall.study import optimize as opt
    from recall.study.schedule import Scheduler

    col = open_collection(db_path)
    sched = Scheduler(col.settings())
    now = utc_now()
    if revert:
        stack = col.parameter_stack()
        change = col.last_change()
        if len(stack) < 2 or change is None:
            raise RecallError("nothing to revert: the default parameters are in force")
        previous = stack[-2]
        parameters = (
            tuple(json.loads(col.parameter_set(previous)["parameters"]))
            if previous is not None
            else DEFAULT_PARAMETERS
        )
        with no_gc_pauses():
            memories, basis = _reverted(col, sched, parameters, change)
        backup_now(col, "before-optimize")
        old = Scheduler(replace(col.settings(), parameters=parameters))
        recompute = opt.recomputer(col, old, parameters)
        with no_gc_pauses():
            col.change_parameters(
                parameters, memories, now, revert=True, basis=basis, recompute=recompute
            )
        name = f"parameter set {previous}" if previous is not None else "the default parameters"
        echo(f"reverted to {name}; {len(memories)} cards rescheduled")
        return
    deck = col.find_deck(deck_name) if deck_name else None
    with no_gc_pauses():
        _fit_and_apply(col, sched, deck, now, apply_=apply_, as_json=as_json)


def _fit_and_apply(
    col: Any, sched: Any, deck: str | None, now: datetime, *, apply_: bool, as_json: bool
) -> None:
    from recall.study import optimize as opt
    from recall.study.schedule import Scheduler

    # The whole log, read once for the fit and the reschedule (seconds on a lifetime's log),
    # with the memories it gives: a session answering meanwhile is caught up on at the write.
    history = current = None
    if deck is None or apply_:
        with col.snapshot():
            history = col.review_history()
            current = col.studied_memories() if apply_ else None
    found = opt.fit(col, sched, deck, history if deck is None else None)
    if as_json:
        echo_json(found.to_json())
    else:
        echo(
            f"fitted on {found.train_items} reviews, scored on the newest {found.test_items} "
            f"(from {found.reviews} log rows, {found.cards} cards)"
        )
        echo(f"{'':18}{'log loss':>10}{'RMSE':>10}")
        echo(f"{'default':18}{found.default_log_loss:>10.4f}{found.default_rmse:>10.4f}")
        echo(f"{'fitted':18}{found.fitted_log_loss:>10.4f}{found.fitted_rmse:>10.4f}")
        verdict = "better" if found.better else "not better"
        echo(f"the fitted parameters predict your newest reviews {verdict} than the defaults")
    if not apply_:
        if not as_json:
            echo("run again with --apply to put them in force")
        return
    if not found.better:
        raise RecallError("not applied: the fitted parameters are no better than the defaults")
    from dataclasses import replace

    fitted = Scheduler(replace(col.settings(), parameters=found.parameters))
    memories = opt.rescheduled(col, fitted, found.parameters, history, current)
    backup_now(col, "before-optimize")
    recompute = opt.recomputer(col, fitted, found.parameters)
    change = col.change_parameters(
        found.parameters, memories, now, fit=found.to_json(), basis=current, recompute=recompute
    )
    if not as_json:
        echo(f"applied as parameter change {change}; {len(memories)} cards rescheduled")


def _reverted(col: Any, sched: Any, parameters: tuple[float, ...], change: int) -> Any:
    """Each card as it was before ``change``, exactly, if it was not answered since;
    otherwise recomputed from its log with ``parameters``; and the memories all that was
    computed from (read in one snapshot with the log)."""
    from dataclasses import replace

    from recall.study import optimize as opt
    from recall.study.schedule import Scheduler

    with col.snapshot():
        before = col.reschedules_of(change)
        since = col.answered_since(col.change_at(change))
        current = col.studied_memories()
        history = col.review_history() if since else None
    old = Scheduler(replace(col.settings(), parameters=parameters))
    recomputed = opt.rescheduled(col, old, parameters, history, current) if since else {}
    out = {uid: m for uid, m in before.items() if uid not in since}
    out.update({uid: m for uid, m in recomputed.items() if uid in since})
    return out, current


@cli.command()
@click.argument("key", required=False)
@click.argument("value", required=False)
@db_option
def config(key: str | None, value: str | None, db_path: Path | None) -> None:
    """Show the settings, or set one: recall config new_per_day 30.

    Steps take units (learning_steps "1m 10m"; s, m, h, d); timezone is an IANA name or
    "local". A bad value is refused with what is valid and the value in force. Changing the
    day start or the zone says how many review cards' due days move; past reviews keep the
    days they were recorded on.
    """
    from recall.settings import Settings
    from recall.study.config import calendar_change, parse_setting, shown

    col = open_collection(db_path)
    if key is not None and value is not None:
        old = col.settings()
        col.set_setting(key, parse_setting(key, value, old))
        dues = [r.memory.due for r in col.studied_cards() if r.memory.state == 2]
        note = calendar_change(old, col.settings(), dues)
        if note:
            echo(note)
    elif key is not None and key not in Settings.__dataclass_fields__:
        parse_setting(key, "", col.settings())  # the unknown-setting error
    settings = col.settings()
    for name in Settings.__dataclass_fields__:
        v = getattr(settings, name)
        text = _describe_parameters(col, v) if name == "parameters" else shown(v)
        if key is None or key == name:
            echo(f"{name} = {text}")


def _describe_parameters(col: Any, parameters: tuple[float, ...]) -> str:
    from recall.settings import DEFAULT_PARAMETERS

    current = col.parameter_stack()[-1]
    if current is not None:
        made = col.parameter_set(current)["created_at"][:10]
        return (f"FSRS-6, fitted to your reviews on {made} (version {current}; "
                "`recall optimize --revert` goes back)")  # fmt: skip
    kind = "default" if tuple(parameters) == DEFAULT_PARAMETERS else "custom"
    return f"FSRS-6, {len(parameters)} weights ({kind})"
