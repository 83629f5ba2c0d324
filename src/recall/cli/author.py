"""Teachers' commands: ``recall generate`` turns lessons into deck files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from recall.cli.common import cli, echo, echo_json, progress, utc_now


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
    with progress(len(sources), "Generating") as bar:
        plans = plan_all(
            sources,
            out_dir=out_dir,
            facts_dir=facts_dir or out_dir / "facts",
            now=utc_now(),
            progress=bar.update,
            stage=not dry_run,
        )
    if not dry_run:
        write_all(plans)
    summaries = [p.summary for p in plans]
    if as_json:
        payload = {"decks": summaries, "written": not dry_run}
        echo_json(payload)
    else:
        for s in summaries:
            _print_summary(s, dry_run)


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
    for t in s["topics_without_facts"]:
        echo(f"  no facts for topic (line {t['line']}): {t['topic']}", fg="yellow")
    if s["topics_without_facts"]:
        echo("  add them to a fact sheet in the facts directory, with a source URL and as_of date")
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
    for d in s["dropped"]:
        echo(f"  dropped a {d['kind']} card for {d['fact']}: {d['reason']}")
