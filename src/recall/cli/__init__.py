"""The ``recall`` command line: one thin function per command, and all of its terminal output.

Heavy modules (pysbd, tomli-w, genanki, fsrs) are imported inside the commands that need
them, so ``recall --help`` stays fast. Every :class:`~recall.errors.RecallError` becomes one
line on stderr and exit status 2 — never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from recall import __version__
from recall.errors import RecallError

if TYPE_CHECKING:
    from datetime import datetime


class _Group(click.Group):
    """A click group that turns a RecallError into one line and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RecallError as exc:
            click.echo(f"recall: error: {exc}", err=True)
            ctx.exit(2)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"recall: error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recall")
def cli() -> None:
    """recall: spaced-repetition flashcards for UPSC current affairs.

    Teachers turn lessons into decks with `recall generate`; learners review them every day.
    """


@cli.command()
@click.argument("lessons", nargs=-1, required=True)
@click.option(
    "-o", "--out", "out_dir", default="decks", show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory the deck files are written to.",
)  # fmt: skip
@click.option(
    "--facts", "facts_dir", type=click.Path(file_okay=False, path_type=Path),
    help="Directory of fact sheets (*.toml).  [default: OUT/facts]",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--dry-run", is_flag=True, help="Generate and report, but write nothing.")
def generate(
    lessons: tuple[str, ...], out_dir: Path, facts_dir: Path | None, as_json: bool, dry_run: bool
) -> None:
    """Turn lessons into deck files: decks/<lesson-slug>.toml.

    LESSONS are lesson files (plain text or Markdown), directories of them, or - for
    standard input. Prelims topics are matched to the fact sheets in OUT/facts; topics with
    no facts are listed so you know which fact sheet to write. Regenerating keeps your edits
    to cards whose lesson text did not change, and retires (never deletes) cards whose fact
    is gone. Nothing is written unless every lesson is valid.
    """
    from recall.author.batch import lesson_sources, plan_all, write_all

    sources = lesson_sources(lessons, stdin=sys.stdin.buffer.read)
    with _progress(len(sources), "Generating") as bar:
        plans = plan_all(
            sources,
            out_dir=out_dir,
            facts_dir=facts_dir or out_dir / "facts",
            now=_now(),
            progress=bar.update,
            stage=not dry_run,
        )
    if not dry_run:
        write_all(plans)
    summaries = [p.summary for p in plans]
    if as_json:
        payload = {"decks": summaries, "written": not dry_run}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for s in summaries:
            _print_summary(s, dry_run)


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def _progress(total: int, label: str) -> Any:
    """A progress bar on stderr when there are many lessons and a person is watching."""
    if total < 10 or not sys.stderr.isatty():
        return _NoBar()
    return click.progressbar(length=total, label=label, file=sys.stderr)


def _print_summary(s: dict[str, Any], dry_run: bool) -> None:
    kinds = ", ".join(f"{n} {k}" for k, n in s["kinds"].items() if n)
    verb = "would write" if dry_run else "wrote"
    click.echo(
        f"{verb} {click.style(s['deck'], bold=True)}: "
        f"{s['cards']} cards ({kinds}) from {s['facts']} facts"
    )
    matched = len(s["topics_matched"])
    total = matched + len(s["topics_without_facts"])
    if total:
        click.echo(f"  Prelims topics with facts: {matched} of {total}")
    for t in s["topics_without_facts"]:
        click.echo(
            click.style(f"  no facts for topic (line {t['line']}): {t['topic']}", fg="yellow")
        )
    if s["topics_without_facts"]:
        click.echo(
            "  add them to a fact sheet in the facts directory, with a source URL and as_of date"
        )
    if s["also_mentioned"]:
        click.echo(f"  fact-sheet topics mentioned in the text: {', '.join(s['also_mentioned'])}")
    ch = s["changes"]
    if any(
        ch[k]
        for k in ("changed", "unchanged", "kept_edits", "replaced_edits", "retired", "revived")
    ):
        parts = [f"{ch[k]} {k.replace('_', ' ')}" for k in ch if ch[k]]
        click.echo(f"  regenerated: {', '.join(parts)}")
    if ch["replaced_edits"]:
        click.echo(
            click.style(
                "  your edits were replaced on cards whose lesson text changed (see git diff)",
                fg="yellow",
            )
        )
    for d in s["dropped"]:
        click.echo(f"  dropped a {d['kind']} card for {d['fact']}: {d['reason']}")


# -- the collection --------------------------------------------------------------------------


def db_option(fn: Any) -> Any:
    """``--db PATH`` on every command that opens the collection."""
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
        help="Collection file.  [default: $RECALL_HOME/collection.db]",
    )(fn)  # fmt: skip


def collection_path(db_path: Path | None) -> Path:
    """``--db``, else ``$RECALL_HOME/collection.db``, else the app directory."""
    import os

    if db_path is not None:
        return db_path
    home = os.environ.get("RECALL_HOME") or click.get_app_dir("recall")
    return Path(home) / "collection.db"


def _open(db_path: Path | None) -> Any:
    from recall.store import Collection

    return Collection(collection_path(db_path))


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


@cli.command()
@click.argument("deck_files", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
def add(deck_files: tuple[Path, ...], db_path: Path | None) -> None:
    """Load deck files into the collection (run it again after regenerating a deck).

    New cards are added as new; cards whose text changed are updated and keep their review
    history; cards retired from the deck leave the review queue but keep their history.
    Running it twice changes nothing. Every deck file is read before anything is written.
    """
    from recall.deckfile import read_deck

    decks = [(read_deck(p), str(p)) for p in deck_files]
    col = _open(db_path)
    for deck, file in decks:
        r = col.add_deck(deck, file, _now())
        click.echo(
            f"{deck.slug}: {r.added} added, {r.updated} updated, {r.retired} retired"
            + (f", {r.restored} restored" if r.restored else "")
            + f", {r.unchanged} unchanged"
        )


@cli.command()
@click.argument("sources", nargs=-1)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The .apkg file to write.",
)
@click.option(
    "--with-scheduling",
    is_flag=True,
    help="Take each card's FSRS schedule and review log along (from the collection).",
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
@db_option
def export(
    sources: tuple[str, ...], output: Path, with_scheduling: bool, force: bool,
    db_path: Path | None,
) -> None:  # fmt: skip
    """Export decks to an Anki package (.apkg).

    SOURCES are deck names from the collection (all decks when none are given), or deck
    files (decks/*.toml) for a teacher with no collection. Re-importing an updated export
    updates in place the notes whose content changed and leaves the rest, your own edits in
    Anki included, alone. --with-scheduling carries each card's FSRS state and review log.
    """
    from recall.anki import export as ex

    if output.suffix.lower() != ".apkg":
        raise RecallError("the output must be an .apkg file", str(output))
    if output.exists() and not force:
        raise RecallError("already exists; use --force to replace it", str(output))
    if not output.parent.is_dir():
        raise RecallError("no such directory for the output", str(output))
    files = [Path(s) for s in sources if s.endswith(".toml") or Path(s).is_file()]
    if files and len(files) != len(sources):
        raise RecallError("give either deck files or deck names, not both")
    now = _now()
    if files:
        from recall.deckfile import read_deck

        if with_scheduling:
            raise RecallError("--with-scheduling needs the collection: `recall add` the decks")
        decks = [ex.from_deck_file(read_deck(p), p.stat().st_mtime) for p in files]
        crt = int(now.timestamp()) // 86400 * 86400
    else:
        from recall.study.schedule import Scheduler

        col = _open(db_path)
        slugs = [col.find_deck(n) for n in sources] or list(col.deck_titles())
        if not slugs:
            raise RecallError("the collection has no decks; load one with `recall add`")
        days = Scheduler(col.settings())
        # Due days in the package count from the start of the learner's today.
        crt = int(days.day_start(days.day(now)).timestamp())
        sched = days if with_scheduling else None
        decks = [ex.from_collection(col, slug, sched=sched, now=now) for slug in slugs]
    for d in decks:
        if not d.cards:
            raise RecallError(f"deck {d.slug!r} has no cards to export")
    total = sum(len(d.cards) for d in decks)
    with _progress(total // 500, "Exporting") as bar:
        count = [0]

        def tick(n: int) -> None:
            count[0] += n
            if count[0] % 500 == 0:
                bar.update(1)

        package = ex.build(decks, crt=crt, progress=tick)
        try:
            ex.write(package, output, now)
        except OSError as exc:
            raise RecallError(f"cannot write: {exc.strerror}", str(output)) from None
    names = ", ".join(d.anki_name for d in decks)
    extra = " with scheduling" if with_scheduling else ""
    click.echo(f"wrote {output}: {total} notes in {len(decks)} deck(s){extra}: {names}")


@cli.command()
@click.option("--deck", "deck_name", help="Only this deck (slug, title or a prefix).")
@click.option("--limit", type=click.IntRange(min=1), help="Stop after this many answers.")
@db_option
def review(deck_name: str | None, limit: int | None, db_path: Path | None) -> None:
    """Review today's cards, one key per action.

    space/Enter shows the answer; 1-4 rate it (Again, Hard, Good, Easy), with the next
    interval of each shown first; a-d answer a multiple-choice card (graded automatically;
    Enter accepts, 1-4 override); u undoes the last answer; s suspends; b or - buries until
    tomorrow (on a multiple-choice question b is option B, so use -); q quits. Every
    answer is saved before the next card shows. When standard input is not a terminal, the
    same commands are read one per line.
    """
    from recall.study.schedule import Scheduler
    from recall.study.session import Session
    from recall.terminal.review import Terminal, run

    col = _open(db_path)
    deck = col.find_deck(deck_name) if deck_name else None
    titles = col.deck_titles()
    session = Session(col, Scheduler(col.settings()), deck=deck, limit=limit)
    run(session, Terminal(), deck_title=lambda slug: titles.get(slug, slug))


@cli.command()
@db_option
def decks(db_path: Path | None) -> None:
    """List the decks in the collection."""
    col = _open(db_path)
    rows = col.decks()
    if not rows:
        click.echo("No decks yet: load one with `recall add decks/<deck>.toml`.")
    for d in rows:
        extra = f", {d['suspended']} suspended" if d["suspended"] else ""
        click.echo(
            f"{d['slug']}  {d['cards'] or 0} cards ({d['new'] or 0} new{extra})  {d['title']}"
        )


@cli.command()
@click.option("--deck", "deck_name", help="Only this deck.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@db_option
def due(deck_name: str | None, as_json: bool, db_path: Path | None) -> None:
    """What is due today, per deck: new, learning and review cards."""
    from recall.study.schedule import Scheduler, format_interval
    from recall.study.stats import due as due_today

    col = _open(db_path)
    deck = col.find_deck(deck_name) if deck_name else None
    data = due_today(col, Scheduler(col.settings()), _now(), deck)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for d in data["decks"]:
        click.echo(f"{d['deck']}: {d['new']} new, {d['learning']} learning, {d['review']} review")
    t = data["total"]
    click.echo(f"today: {t['new']} new, {t['learning']} learning, {t['review']} review")
    if data["next_due"]:
        from datetime import datetime

        delta = datetime.fromisoformat(data["next_due"]) - _now()
        lead = "then the next card is due" if any(t.values()) else "next card due"
        click.echo(f"{lead} in {format_interval(delta)}")


@cli.command()
@click.option("--deck", "deck_name", help="Only this deck.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@db_option
def stats(deck_name: str | None, as_json: bool, db_path: Path | None) -> None:
    """Cards by state, reviews, true retention, retrievability, streak and a 30-day forecast."""
    from recall.study.schedule import Scheduler
    from recall.study.stats import bar_chart
    from recall.study.stats import stats as compute

    col = _open(db_path)
    deck = col.find_deck(deck_name) if deck_name else None
    data = compute(col, Scheduler(col.settings()), _now(), deck)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    c, r = data["cards"], data["reviews"]
    click.echo(
        f"cards: {c['total']} ({c['new']} new, {c['learning']} learning, {c['review']} review, "
        f"{c['relearning']} relearning, {c['suspended']} suspended)"
    )
    click.echo(f"reviews: {r['today']} today, {r['7_days']} in 7 days, {r['30_days']} in 30 days")
    tr = data["true_retention_30_days"]
    click.echo(
        "true retention (30 days): "
        + (
            f"{tr:.1%} of {data['review_cards_judged']} reviews"
            if tr is not None
            else "no reviews yet"
        )
    )
    ar = data["average_retrievability"]
    click.echo("average retrievability: " + (f"{ar:.1%}" if ar is not None else "—"))
    n = data["streak_days"]
    click.echo(f"streak: {n} day{'' if n == 1 else 's'} in a row")
    click.echo("due in the next 30 days:")
    for line in bar_chart(data["forecast"]):
        click.echo("  " + line)


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
    from recall.bulk import no_gc_pauses
    from recall.settings import DEFAULT_PARAMETERS
    from recall.study.schedule import Scheduler

    col = _open(db_path)
    sched = Scheduler(col.settings())
    now = _now()
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
            memories = _reverted(col, sched, parameters, change)
        _backup(col, "before-optimize")
        col.change_parameters(parameters, memories, now, revert=True)
        name = f"parameter set {previous}" if previous is not None else "the default parameters"
        click.echo(f"reverted to {name}; {len(memories)} cards rescheduled")
        return
    deck = col.find_deck(deck_name) if deck_name else None
    with no_gc_pauses():
        _fit_and_apply(col, sched, deck, now, apply_=apply_, as_json=as_json)


def _fit_and_apply(
    col: Any, sched: Any, deck: str | None, now: datetime, *, apply_: bool, as_json: bool
) -> None:
    from recall.study import optimize as opt
    from recall.study.schedule import Scheduler

    # The whole log, read once for the fit and the reschedule (seconds on a lifetime's log).
    history = col.review_history() if deck is None else None
    found = opt.fit(col, sched, deck, history)
    if as_json:
        click.echo(json.dumps(found.to_json(), indent=2))
    else:
        click.echo(
            f"fitted on {found.train_items} reviews, scored on the newest {found.test_items} "
            f"(from {found.reviews} log rows, {found.cards} cards)"
        )
        click.echo(f"{'':18}{'log loss':>10}{'RMSE':>10}")
        click.echo(f"{'default':18}{found.default_log_loss:>10.4f}{found.default_rmse:>10.4f}")
        click.echo(f"{'fitted':18}{found.fitted_log_loss:>10.4f}{found.fitted_rmse:>10.4f}")
        verdict = "better" if found.better else "not better"
        click.echo(f"the fitted parameters predict your newest reviews {verdict} than the defaults")
    if not apply_:
        if not as_json:
            click.echo("run again with --apply to put them in force")
        return
    if not found.better:
        raise RecallError("not applied: the fitted parameters are no better than the defaults")
    from dataclasses import replace

    fitted = Scheduler(replace(col.settings(), parameters=found.parameters))
    memories = opt.rescheduled(col, fitted, found.parameters, history)
    _backup(col, "before-optimize")
    change = col.change_parameters(found.parameters, memories, now, fit=found.to_json())
    if not as_json:
        click.echo(f"applied as parameter change {change}; {len(memories)} cards rescheduled")


def _backup(col: Any, reason: str) -> Path:
    return Path(col.backup(reason))


@cli.command()
@db_option
def backup(db_path: Path | None) -> None:
    """Back up the collection now (SQLite's online backup; safe while reviewing).

    Backups go to backups/ beside the collection; the newest 10 are kept. recall also
    backs up by itself before a schema upgrade and before `recall optimize` changes anything.
    """
    col = _open(db_path)
    click.echo(f"backed up to {_backup(col, 'manual')}")


@cli.command()
@click.argument("backup_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--latest", is_flag=True, help="Restore the newest backup.")
@db_option
def restore(backup_file: Path | None, latest: bool, db_path: Path | None) -> None:
    """Restore the collection from a backup; with no BACKUP_FILE, list the backups.

    What the collection held before is backed up first, so a restore can be undone by
    restoring that backup. An unreadable collection is moved aside into backups/.
    """
    from recall.store import backup as bk

    path = collection_path(db_path)
    found = bk.backups(path)
    if backup_file is None and not latest:
        if not found:
            click.echo(f"no backups yet in {bk.backup_dir(path)}")
        for p in found:
            click.echo(str(p))
        return
    if backup_file is None:
        if not found:
            raise RecallError("no backups to restore", str(bk.backup_dir(path)))
        backup_file = found[-1]
    from recall.store.restore import restore as put_back

    saved = put_back(path, backup_file)
    click.echo(f"restored {backup_file}; what was there before is in {saved}")


def _reverted(col: Any, sched: Any, parameters: tuple[float, ...], change: int) -> Any:
    """Each card as it was before ``change``, exactly, if it was not answered since;
    otherwise recomputed from its log with ``parameters``."""
    from dataclasses import replace

    from recall.study import optimize as opt
    from recall.study.schedule import Scheduler

    before = col.reschedules_of(change)
    since = col.answered_since(col.change_at(change))
    old = Scheduler(replace(col.settings(), parameters=parameters))
    recomputed = opt.rescheduled(col, old, parameters) if since else {}
    out = {uid: m for uid, m in before.items() if uid not in since}
    out.update({uid: m for uid, m in recomputed.items() if uid in since})
    return out


@cli.command()
@click.argument("key", required=False)
@click.argument("value", required=False)
@db_option
def config(key: str | None, value: str | None, db_path: Path | None) -> None:
    """Show the settings, or set one: recall config new_per_day 30.

    Steps are seconds (learning_steps "60 600"); timezone is an IANA name or "local".
    """
    from recall.settings import Settings

    col = _open(db_path)
    if key is not None and value is not None:
        default = getattr(Settings(), key, None)
        if default is None:
            raise RecallError(f"unknown setting {key!r}; see `recall config`")
        col.set_setting(key, _parse_setting(key, value, default))
    settings = col.settings()
    for name in Settings.__dataclass_fields__:
        v = getattr(settings, name)
        if name == "parameters":
            v = _describe_parameters(col, v)
        elif isinstance(v, tuple):
            v = " ".join(str(x) for x in v)
        if key is None or key == name:
            click.echo(f"{name} = {v}")


def _describe_parameters(col: Any, parameters: tuple[float, ...]) -> str:
    from recall.settings import DEFAULT_PARAMETERS

    current = col.parameter_stack()[-1]
    if current is not None:
        made = col.parameter_set(current)["created_at"][:10]
        return (f"FSRS-6, fitted to your reviews on {made} (version {current}; "
                "`recall optimize --revert` goes back)")  # fmt: skip
    kind = "default" if tuple(parameters) == DEFAULT_PARAMETERS else "custom"
    return f"FSRS-6, {len(parameters)} weights ({kind})"


def _parse_setting(key: str, value: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if value.lower() not in {"true", "false", "on", "off", "1", "0", "yes", "no"}:
                raise ValueError(value)
            return value.lower() in {"true", "on", "1", "yes"}
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            parsed = float(value)
            if key == "desired_retention" and not 0.7 <= parsed <= 0.99:
                raise ValueError(value)
            return parsed
        if isinstance(default, tuple):
            return [int(x) for x in value.replace(",", " ").split()]
        if key == "timezone" and value != "local":
            from zoneinfo import ZoneInfo

            ZoneInfo(value)
        return value
    except (ValueError, KeyError, OSError):
        raise RecallError(f"{key}: {value!r} is not a valid value (now {default!r})") from None


@cli.command()
@db_option
def check(db_path: Path | None) -> None:
    """Verify the collection: SQLite integrity, and every card's state against its log."""
    from recall.study.replay import verify

    col = _open(db_path)
    integrity = col.integrity()
    problems = verify(col)
    click.echo(f"integrity: {integrity}")
    click.echo(
        f"cards checked against their review log: {problems.checked}, "
        f"mismatches: {len(problems.mismatches)}"
    )
    for uid, what in problems.mismatches[:20]:
        click.echo(f"  {uid}: {what}")
    if integrity != "ok" or problems.mismatches:
        raise click.exceptions.Exit(1)


@cli.command()
@click.argument("card_ids", nargs=-1, required=True)
@db_option
def suspend(card_ids: tuple[str, ...], db_path: Path | None) -> None:
    """Suspend cards (by id) so they never show until unsuspended."""
    col = _open(db_path)
    for ref in card_ids:
        row = col.find_card(ref)
        col.set_flags(row.uid, suspended=1)
        click.echo(f"suspended {row.uid}")


@cli.command()
@click.argument("card_ids", nargs=-1, required=True)
@db_option
def unsuspend(card_ids: tuple[str, ...], db_path: Path | None) -> None:
    """Unsuspend cards, and unbury them."""
    col = _open(db_path)
    for ref in card_ids:
        row = col.find_card(ref)
        col.set_flags(row.uid, suspended=0, buried_until=None)
        click.echo(f"unsuspended {row.uid}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="recall")
