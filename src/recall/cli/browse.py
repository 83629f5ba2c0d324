"""Finding and fixing cards: ``cards`` (search), ``card`` (one card), ``edit``, ``forget``,
and ``remove`` (a deck). Commands that act on cards take ids or a query (see ``cards``)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import click

from recall.cli.common import backup_now, cli, db_option, echo, echo_json, open_collection, utc_now
from recall.errors import RecallError


def query_text(args: tuple[str, ...]) -> str:
    """The query the words make: joined as typed, so ``recall cards deck:x is:due`` and
    ``recall cards 'deck:x is:due'`` are one query; a phrase is quoted inside it."""
    return " ".join(args)


def cards_for(col: Any, sched: Any, args: tuple[str, ...], now: Any) -> list[Any]:
    """The cards named by ids (each a deck-file id or a uid), else found by a query."""
    from recall.study.browse import search

    found = []
    for ref in args:
        try:
            found.append(col.find_card(ref))
        except RecallError:
            break
    else:
        return found
    return search(col, sched, query_text(args), now)


def _scheduler(col: Any) -> Any:
    from recall.study.schedule import Scheduler

    return Scheduler(col.settings())


def _cut(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: max(1, width - 1)] + "…"


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many cards.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@db_option
def cards(query: tuple[str, ...], limit: int | None, as_json: bool, db_path: Path | None) -> None:
    """Find cards: id, deck, state, due and front of each, in deck order.

    The QUERY is Anki's browser syntax where it fits: words to find anywhere on the card
    ("a phrase" in quotes, * as a wildcard), front:, back:, fact:, source:, deck:NAME,
    tag:NAME, kind:mcq, id:ID, is:new / learn / review / relearning / suspended / buried /
    retired / due, due:today / tomorrow / overdue / 3 / <7 / >=30 (learner days from today),
    prop:lapses>3 (also reps, s for stability, d for difficulty, pos); terms side by side
    must all match, `or` between them either, -term negates, ( ) groups. The words are one
    query, so quote a phrase inside it: recall cards '"rare earth" deck:india*'. Retired
    cards are left out unless asked for with is:retired; `recall cards '*'` lists every card.
    """
    from recall.study.browse import listing, search

    col = open_collection(db_path)
    sched, now = _scheduler(col), utc_now()
    rows = search(col, sched, query_text(query), now, limit)
    today = sched.day(now).isoformat()
    found = [listing(r, sched, today) for r in rows]
    if as_json:
        echo_json(found)
        return
    # Fronts are cut to the terminal's width on screen; piped, each line is whole.
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 10**6
    deck_width = min(28, max(len(f["deck"]) for f in found))
    due_width = max(len(f["due"]) for f in found)
    for f in found:
        head = f"{f['id']:<16}  {_cut(f['deck'], deck_width):<{deck_width}}  "
        head += f"{f['status']:<10}  {f['due']:<{due_width}}  "
        echo(head + _cut(f["front"], max(20, width - len(head) - 1)))
    echo(f"{len(found)} card{'' if len(found) == 1 else 's'}", err=True)


@cli.command()
@click.argument("card_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@db_option
def card(card_id: str, as_json: bool, db_path: Path | None) -> None:
    """Everything about one card: its text, source, memory and review history.

    CARD_ID is the id `recall cards` shows (or deck:id). Retrievability is the chance,
    by FSRS, that you would recall it now.
    """
    from recall.study.browse import details

    col = open_collection(db_path)
    sched, now = _scheduler(col), utc_now()
    info = details(col, sched, col.find_card(card_id), now)
    if as_json:
        echo_json(info)
        return
    _print_card(info)


def _print_card(c: dict[str, Any]) -> None:
    say = echo
    say(c["uid"], nl=False, bold=True)
    say(f"  ({c['kind']}, deck {c['deck_title']})")
    say(f"front: {c['front']}")
    for letter, option in zip("ABCD", c["options"], strict=False):
        say(f"  {'*' if letter == c['answer'] else ' '} {letter}) {option}")
    say(f"back:  {c['back']}")
    if c["edited"]:
        say("       (your edit: `recall add` keeps it while the deck file's text stays the same)")
    facts = [f"fact {c['fact']}"] if c["fact"] else []
    facts += [f"{k.replace('_', ' ')} {c[k]}" for k in ("source", "url", "as_of") if c[k]]
    if c["tags"]:
        facts.append("tags " + ", ".join(c["tags"]))
    for line in facts:
        say(line)
    say(f"state: {c['status']}" + (f" ({c['state']})" if c["status"] != c["state"] else ""))
    say(f"due: {c['due']}")
    if c["stability"] is not None:
        r = c["retrievability"]
        say(
            f"stability {c['stability']:.2f} days · difficulty {c['difficulty']:.2f} · "
            f"retrievability now {f'{r:.1%}' if r is not None else '—'}"
        )
    say(f"reviews: {c['reps']} · lapses: {c['lapses']}")
    for h in c["history"]:
        gap = f"{h['interval_days']:g}d" if h["interval_days"] is not None else ""
        say(
            f"  {h['day']}  {h['rating']:<5}  {h['state_before']} → {h['state_after']}  "
            f"after {h['elapsed_days']}d  next in {gap}  ({h['duration_ms'] / 1000:.0f}s)"
        )


@cli.command()
@click.argument("card_id")
@click.option("--front", help="The new front (no editor).")
@click.option("--back", help="The new back (no editor).")
@db_option
def edit(card_id: str, front: str | None, back: str | None, db_path: Path | None) -> None:
    """Fix a card's text in $EDITOR (or with --front / --back).

    The edit keeps the card's history, reaches Anki on the next `recall export`, and
    survives `recall add` of a newer deck file (which reports it) as long as the file's
    text of this card stays what you edited over; once the file changes this card, the
    file's text wins.
    """
    from recall.study.browse import checked, digest, edit_text, parse_edit

    col = open_collection(db_path)
    row = col.find_card(card_id)
    name = f"edit of {row.uid}"
    if front is not None or back is not None:
        text = checked(row.kind, front=row.front if front is None else front,
                       back=row.back if back is None else back, options=list(row.options),
                       answer=row.answer, name=name)  # fmt: skip
    else:
        before = edit_text(row)
        try:
            after = click.edit(before, extension=".toml", require_save=True)
        except click.ClickException as exc:
            message = f"the editor failed ({exc.format_message()}); nothing changed"
            raise RecallError(message, name) from None
        if after is None or after == before:
            raise RecallError("the file was left unchanged; nothing changed", name)
        text = parse_edit(after, row, name)
    if (text.front, text.back, text.options, text.answer) == (
        row.front, row.back, row.options, row.answer,
    ):  # fmt: skip
        raise RecallError("the text is the same as before; nothing changed", name)
    col.edit_card(row.uid, text, col.edit_base(row.uid) or digest(row), utc_now())
    echo(f"edited {row.uid}")


@cli.command()
@click.argument("cards_", metavar="ID_OR_QUERY...", nargs=-1, required=True)
@db_option
def forget(cards_: tuple[str, ...], db_path: Path | None) -> None:
    """Reset cards to new, as if never studied (their past reviews stay in the log).

    Takes card ids, or a query as `recall cards` reads it.
    """
    from recall.study.browse import forget as reset

    col = open_collection(db_path)
    rows = cards_for(col, _scheduler(col), cards_, utc_now())
    changed = reset(col, rows, utc_now())
    already = f" ({len(rows) - changed} already new)" if len(rows) > changed else ""
    echo(f"forgot {changed} card{'' if changed == 1 else 's'}{already}")


@cli.command()
@click.argument("deck_name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
def remove(deck_name: str, yes: bool, db_path: Path | None) -> None:
    """Remove a deck from the collection, with its cards and their review history.

    The collection is backed up first (`recall restore --latest` brings the deck back).
    The deck file on disk is not touched.
    """
    col = open_collection(db_path)
    slug = col.find_deck(deck_name)
    count = next(d for d in col.decks() if d["slug"] == slug)["cards"] or 0
    if not yes:
        click.confirm(f"Remove deck {slug} ({count} cards) and its review history?", abort=True)
    saved = backup_now(col, "before-remove")
    gone = col.remove_deck(slug)
    echo(f"removed {gone.deck}: {gone.cards} cards, {gone.reviews} reviews (backup: {saved})")
