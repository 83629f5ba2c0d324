"""``recall facts``: the fact sheets behind the Prelims cards, for the teacher who keeps them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from recall.cli.common import cli, echo, utc_now
from recall.errors import RecallError

_FACTS_HELP = (
    "Your fact sheets: a directory of *.toml or one sheet; repeatable.  [default: decks/facts]"
)


def _facts_option(fn: Any) -> Any:
    return click.option(
        "--facts", "facts", multiple=True, type=click.Path(path_type=Path), help=_FACTS_HELP
    )(fn)


def _decks_option(fn: Any) -> Any:
    return click.option(
        "-d", "--decks", "decks_dir", default="decks", show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Directory of the deck files (your sheets default to its facts/).",
    )(fn)  # fmt: skip


def _load(facts: tuple[Path, ...], decks_dir: Path) -> Any:
    from recall.author.sheets import load_sheets, teacher_sheet_paths

    return load_sheets(teacher_sheet_paths(facts, decks_dir))


@cli.group()
def facts() -> None:
    """Fact sheets: the library that ships with recall, and your own.

    Prelims cards (multiple choice above all) come from fact sheets, each fact with its
    sources, the date it is true as of, and the day it was checked. Your sheets in
    decks/facts add to the library and override its facts by key.
    """


@facts.command("list")
@click.option("--topic", help="List the facts of this topic instead of the sheets.")
@_facts_option
@_decks_option
def list_(topic: str | None, facts: tuple[Path, ...], decks_dir: Path) -> None:
    """Sheets with their topics, fact counts and oldest as_of; or one topic's facts."""
    sheets = _load(facts, decks_dir)
    if topic is not None:
        _list_topic(sheets, topic)
        return
    for info in sheets.files:
        keys = [k for k, r in sheets.records.items() if r.file == info.path]
        topics = sorted({t for k in keys for t in sheets.facts[k].topics})
        oldest = min((sheets.records[k].as_of for k in keys), default="-")
        kind = "library" if info.library else "yours"
        wait = f", {info.pending} drafted" if info.pending else ""
        echo(
            f"{info.name:32} {kind:7} {len(keys):4} facts{wait}, oldest as of {oldest}: "
            f"{', '.join(topics)}"
        )
    n = len(sheets.facts)
    echo(f"{len(sheets.files)} sheets, {n} facts, {len(sheets.topics)} topics")


def _list_topic(sheets: Any, topic: str) -> None:
    if topic not in sheets.topics:
        raise RecallError(f"no topic {topic!r}; `recall facts list` shows the sheets' topics")
    echo(f"{topic}: {', '.join(sheets.topics[topic])}")
    for key, fact in sheets.facts.items():
        if topic in fact.topics:
            rec = sheets.records[key]
            flags = [fact.source.confidence, f"as of {rec.as_of}", f"checked {rec.checked}"]
            if rec.partial:
                flags.append("partial")
            if fact.superseded_by:
                flags.append(f"superseded by {fact.superseded_by}")
            echo(f"  {key} ({type(fact).__name__.lower()}; {'; '.join(flags)})")
            echo(f"    {Path(rec.file).name}:{rec.line}  {' '.join(rec.urls)}")


@facts.command()
@click.argument("sheet_files", nargs=-1, type=click.Path(path_type=Path))
@_facts_option
@_decks_option
def check(sheet_files: tuple[Path, ...], facts: tuple[Path, ...], decks_dir: Path) -> None:
    """Validate fact sheets; every problem as file:line: message (exit 2 if any).

    With no SHEET_FILES, checks the library and your sheets. Rules: each fact has a source
    URL, as_of and checked; "verified" needs two sources; keys are unique; no contrast item
    is also a member; superseded_by names a fact; no fact contradicts another.
    """
    from recall.author.sheetcheck import check as run_check
    from recall.author.sheets import teacher_sheet_paths

    paths = teacher_sheet_paths(sheet_files or facts, decks_dir)
    sheets, problems = run_check(paths)
    for o in sheets.overrides:
        echo(f"{o.file}:{o.line}: {o.key} overrides the library's fact")
    for p in sheets.pending:
        echo(f"{p.file}:{p.line}: {p.key} is a draft: fill in source, as_of and checked")
    for problem in problems:
        echo(str(problem))
    n = len(sheets.facts)
    if problems:
        raise RecallError(f"{len(problems)} problems in the fact sheets ({n} facts loaded)")
    echo(f"{len(sheets.files)} sheets, {n} facts: no problems")


@facts.command()
@click.argument("lesson", type=click.Path(dir_okay=False, path_type=Path))
@_facts_option
@click.option(
    "-o", "--out", "out_dir", default="decks", show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Deck directory; the draft goes to its facts/ directory.",
)  # fmt: skip
def draft(lesson: Path, facts: tuple[Path, ...], out_dir: Path) -> None:
    """Start a fact sheet for the Prelims topics of LESSON that no sheet covers.

    Writes OUT/facts/<lesson>.toml with one topic per uncovered Prelims line and the facts
    the lesson itself states about it, each with its lesson line. Drafted facts make no
    cards until you fill in source, as_of and checked from a source you have read.
    """
    from recall.author.lesson import read_lesson
    from recall.author.sheetdraft import draft_topics, render
    from recall.author.sheets import load_sheets, teacher_sheet_paths
    from recall.fsio import write_atomic

    sheets = load_sheets(teacher_sheet_paths(facts, out_dir))
    parsed = read_lesson(lesson, str(lesson))
    topics = draft_topics(parsed, sheets)
    if not topics:
        echo(f"{lesson}: every Prelims topic already has facts; nothing to draft")
        return
    target = out_dir / "facts" / f"{parsed.slug}.toml"
    if target.exists():
        raise RecallError("a fact sheet is already here; edit it, or move it away", str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, render(parsed, topics).encode("utf-8"))
    echo(f"wrote {target}")
    for t in topics:
        echo(f"  line {t.item.line}: topic {t.topic} ({'; '.join(t.aliases)}): "
                   f"{len(t.facts)} facts drafted from the lesson")  # fmt: skip
    echo("  fill in source, as_of and checked for each fact, then `recall facts check`")


@facts.command()
@click.option(
    "--older-than", "older_than", default="12m", show_default=True,
    help="Horizon: facts true only as of before this long ago (d, m or y: 90d, 12m, 2y).",
)  # fmt: skip
@click.option("--all", "show_all", is_flag=True, help="Also list stale facts that feed no card.")
@_facts_option
@_decks_option
def stale(older_than: str, show_all: bool, facts: tuple[Path, ...], decks_dir: Path) -> None:
    """Facts past the horizon or superseded, and the deck cards they feed.

    A fact is past the horizon when the date it is true as of is older than --older-than;
    by default only the facts that feed cards in your decks are listed (what to re-check
    before an exam), --all lists every one.
    """
    from recall.author.sheetcheck import cutoff, parse_horizon
    from recall.author.sheetcheck import stale as find_stale

    horizon = parse_horizon(older_than)
    sheets = _load(facts, decks_dir)
    before = cutoff(utc_now().date(), horizon)
    found = find_stale(sheets, _deck_cards(decks_dir), before)
    for s in found:
        if not (s.cards or show_all):
            continue
        echo(f"{s.key} ({'; '.join(s.reasons)}) {s.at}")
        for deck, card_id, front in s.cards:
            echo(f"    {deck} {card_id}: {front.splitlines()[0][:70]}")
    fed = sum(1 for s in found if s.cards)
    echo(
        f"{len(found)} facts to re-check (as of before {before.isoformat()} or superseded); "
        f"{fed} of them feed cards in {decks_dir}"
    )


def _deck_cards(decks_dir: Path) -> list[tuple[str, list[tuple[str, str, str]]]]:
    from recall.deckfile import read_deck

    out = []
    for path in sorted(decks_dir.glob("*.toml")) if decks_dir.is_dir() else []:
        deck = read_deck(path)
        out.append((path.name, [(c.id, c.fact, c.front) for c in deck.active]))
    return out
