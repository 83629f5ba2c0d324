"""Teachers' commands: ``recall generate`` turns lessons into deck files."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from recall.cli.common import cli, echo, echo_json, progress, utc_now
from recall.errors import RecallError


@cli.command()
@click.argument("lessons", nargs=-1, required=True)
@click.option(
    "-o", "--out", "out_dir", default="decks", show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory the deck files are written to.",
)  # fmt: skip
@click.option(
    "--facts", "facts", multiple=True, type=click.Path(path_type=Path),
    help="Your fact sheets: a directory of *.toml or one sheet; repeatable. They add to "
    "the library that ships with recall and override its facts by key.  [default: OUT/facts]",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--dry-run", is_flag=True, help="Generate and report, but write nothing.")
def generate(
    lessons: tuple[str, ...], out_dir: Path, facts: tuple[Path, ...], as_json: bool, dry_run: bool
) -> None:
    """Turn lessons into deck files: decks/<lesson-slug>.toml.

    LESSONS are lesson files (plain text or Markdown), directories of them, or - for
    standard input. Prelims topics are matched to the fact library that ships with recall
    and to your own sheets (OUT/facts, or --facts); each Prelims line is reported with the
    facts it matched, or why none (`recall facts draft` starts a sheet). Regenerating keeps
    your edits to cards whose lesson text did not change, and retires (never deletes) cards
    whose fact is gone. Nothing is written unless every lesson is valid.
    """
    from recall.author.batch import lesson_sources, plan_all, write_all
    from recall.author.sheets import load_sheets, teacher_sheet_paths

    for lesson in lessons:
        _refuse_deck_file(Path(lesson))
    sheet_paths = teacher_sheet_paths(facts, out_dir)
    sheets = load_sheets(sheet_paths)
    sources = lesson_sources(lessons, stdin=sys.stdin.buffer.read)
    with progress(len(sources), "Generating") as bar:
        plans = plan_all(
            sources,
            out_dir=out_dir,
            sheet_paths=sheet_paths,
            sheets=sheets,
            now=utc_now(),
            progress=bar.update,
            stage=not dry_run,
        )
    if not dry_run:
        write_all(plans)
    summaries = [p.summary for p in plans]
    used = sheets_report(sheets)
    if as_json:
        payload = {"decks": summaries, "written": not dry_run, **used}
        echo_json(payload)
    else:
        _print_sheets(used)
        for s in summaries:
            _print_summary(s, dry_run)


def sheets_report(sheets: Any) -> dict[str, Any]:
    """Which sheets were loaded, which library facts a teacher's sheet replaced, what waits."""
    return {
        "sheets": [
            {"path": f.path, "library": f.library, "facts": f.facts, "pending": f.pending}
            for f in sheets.files
        ],
        "overrides": [
            {"key": o.key, "sheet": f"{o.file}:{o.line}", "library_sheet": o.library_file}
            for o in sheets.overrides
        ],
        "pending": [{"key": p.key, "sheet": f"{p.file}:{p.line}"} for p in sheets.pending],
    }


def _print_sheets(used: dict[str, Any]) -> None:
    library = [s for s in used["sheets"] if s["library"]]
    own = [s for s in used["sheets"] if not s["library"]]
    n = sum(s["facts"] for s in library)
    echo(f"fact library: {len(library)} sheets, {n} facts")
    for s in own:
        wait = f", {s['pending']} drafted facts waiting for a source" if s["pending"] else ""
        echo(f"your fact sheet {s['path']}: {s['facts']} facts{wait}")
    for o in used["overrides"]:
        echo(
            f"  {o['sheet']}: {o['key']} overrides the library's fact "
            f"({Path(o['library_sheet']).name})",
            fg="yellow",
        )


def _refuse_deck_file(path: Path) -> None:
    """A deck file given to ``generate`` (it wants the lesson the deck came from)."""
    if not path.is_file():
        return
    with path.open("rb") as fh:
        head = fh.read(4096).decode("utf-8", "replace")
    if path.suffix.lower() == ".toml" or re.search(r"(?m)^\[deck\]\s*$", head):
        raise RecallError(
            "this is a deck file, not a lesson: load it into your collection with "
            f"`recall add {path}` (generate takes the lesson a deck is made from)",
            str(path),
        )


def _print_summary(s: dict[str, Any], dry_run: bool) -> None:
    kinds = ", ".join(f"{n} {k}" for k, n in s["kinds"].items() if n)
    verb = "would write" if dry_run else "wrote"
    echo(f"{verb} ", nl=False)
    echo(s["deck"], nl=False, bold=True)
    echo(f": {s['cards']} cards ({kinds}) from {s['facts']} facts")
    matched = len(s["topics_matched"])
    total = matched + len(s["topics_without_facts"])
    if total:
        echo(f"  Prelims topics with facts: {matched} of {total}")
    for line in s["prelims_lines"]:
        _print_line(line)
    if s["topics_without_facts"]:
        echo(
            "  `recall facts draft LESSON` starts a sheet for them; fill in source, as_of, checked"
        )
    if s["sheets_used"]:
        used = ", ".join(f"{name} ({n})" for name, n in s["sheets_used"].items())
        echo(f"  cards from fact sheets: {used}")
    if s["also_mentioned"]:
        echo(f"  fact-sheet topics mentioned in the text: {', '.join(s['also_mentioned'])}")
    ch = s["changes"]
    if any(
        ch[k]
        for k in ("changed", "unchanged", "kept_edits", "replaced_edits", "retired", "revived")
    ):
        parts = [f"{ch[k]} {k.replace('_', ' ')}" for k in ch if ch[k]]
        echo(f"  regenerated: {', '.join(parts)}")
    if ch["replaced_edits"]:
        echo(
            "  your edits were replaced on cards whose lesson text changed (see git diff)",
            fg="yellow",
        )
    for w in s.get("warnings", []):
        outcome = (
            "; the sheet wins, the lesson's cards for it are left out" if w["sheet_wins"] else ""
        )
        echo(f"  warning: {w['lesson']} vs {w['other']}: {w['message']}{outcome}", fg="yellow")
    for d in s["dropped"]:
        if d["kind"] == "overruled":
            continue  # said once, by its warning
        echo(f"  dropped a {d['kind']} card for {d['fact']}: {d['reason']}")


def _print_line(line: dict[str, Any]) -> None:
    """One Prelims line: the facts it matched (and through what), or why none."""
    where = f"line {line['line']}"
    if not line["facts"]:
        echo(f"  no facts for topic ({where}): {line['topic']}", fg="yellow")
        echo(f"    why: {line['why_none']}")
        return
    keys = line["facts"]
    shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
    via = [f"topic {t}" for t in line["topics"]]
    via += [f"example {e}" for e in line["examples"]]
    echo(f"  {where}: {len(keys)} facts via {', '.join(via)}: {shown}")
