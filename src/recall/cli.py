"""The ``recall`` command line: one thin function per command, and all of its terminal output.

Heavy modules (pysbd, tomli-w, genanki, fsrs) are imported inside the commands that need
them, so ``recall --help`` stays fast. Every :class:`~recall.errors.RecallError` becomes one
line on stderr and exit status 2 — never a traceback.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from recall import __version__
from recall.errors import RecallError

if TYPE_CHECKING:
    from recall.deck import MergeReport
    from recall.generate import Generated
    from recall.lesson import Lesson

LESSON_SUFFIXES = (".txt", ".md", ".markdown", ".text")
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


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
    from datetime import date

    from recall.deck import Deck, merge, read_deck, write_deck
    from recall.generate import generate as make_cards
    from recall.sheets import load_sheets, sheet_files

    sheets = load_sheets(sheet_files(facts_dir or out_dir / "facts"))
    inputs = _lesson_inputs(lessons)
    results: list[Generated] = []
    with _progress(len(inputs), "Generating") as bar:
        for lesson_path, display in inputs:
            lesson = _read(lesson_path, display)
            _check_title(lesson)
            results.append(make_cards(lesson, sheets))
            bar.update(1)
    targets: dict[str, str] = {}
    plans: list[tuple[Generated, Path, Deck, MergeReport]] = []
    today = date.today()
    for result in results:
        lesson = result.lesson
        if lesson.slug in targets:
            raise RecallError(
                f"two lessons make the same deck {lesson.slug}.toml (also {targets[lesson.slug]}); "
                "give one a different title",
                lesson.path,
                lesson.title_line,
            )
        targets[lesson.slug] = lesson.path
        path = out_dir / f"{lesson.slug}.toml"
        if path.resolve().parent != out_dir.resolve():
            raise RecallError(
                "title would make a path outside the output directory",
                lesson.path,
                lesson.title_line,
            )
        old = read_deck(path) if path.exists() else None
        cards, report = merge(old, result.cards, today)
        deck = Deck(
            slug=lesson.slug,
            title=lesson.title,
            cards=cards,
            category=lesson.category,
            date=lesson.date,
            lesson=lesson.path,
        )
        plans.append((result, path, deck, report))
    if not dry_run:
        for _, path, deck, _ in plans:
            write_deck(deck, path)
    summaries = [
        _summary(r, p, d, m, regenerated=p.exists() and not dry_run) for r, p, d, m in plans
    ]
    if as_json:
        click.echo(
            json.dumps({"decks": summaries, "written": not dry_run}, indent=2, ensure_ascii=False)
        )
    else:
        for s in summaries:
            _print_summary(s, dry_run)


def _read(path: Path | None, display: str) -> Lesson:
    from recall.lesson import decode, parse, read_lesson

    if path is not None:
        return read_lesson(path, display)
    data = sys.stdin.buffer.read()
    return parse(decode(data, display), display)


def _lesson_inputs(args: tuple[str, ...]) -> list[tuple[Path | None, str]]:
    """Expand LESSONS into files (directories give their lesson files, sorted)."""
    out: list[tuple[Path | None, str]] = []
    for arg in args:
        if arg == "-":
            out.append((None, "-"))
            continue
        path = Path(arg)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in LESSON_SUFFIXES
            )
            if not found:
                raise RecallError(
                    f"no lessons here (looked for {', '.join(LESSON_SUFFIXES)} files)", arg
                )
            out.extend((p, str(p)) for p in found)
        elif path.exists():
            out.append((path, arg))
        else:
            raise RecallError("no such file or directory", arg)
    return out


def _check_title(lesson: Lesson) -> None:
    """Refuse titles that are paths or device names rather than quietly renaming them."""
    title = lesson.title.strip()
    if re.search(r"(^|[\\/])\.\.([\\/]|$)", title) or title.startswith(("/", "\\", "~")):
        raise RecallError(
            f"title {title!r} looks like a file path; deck files are named after the title",
            lesson.path,
            lesson.title_line,
        )
    if lesson.slug in _RESERVED:
        raise RecallError(
            f"title {title!r} is a reserved device name on Windows", lesson.path, lesson.title_line
        )


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


def _summary(
    result: Generated, path: Path, deck: Any, report: MergeReport, *, regenerated: bool
) -> dict[str, Any]:
    kinds = Counter(c.kind for c in result.cards)
    return {
        "lesson": result.lesson.path,
        "title": result.lesson.title,
        "deck": str(path),
        "cards": len(result.cards),
        "kinds": {k: kinds.get(k, 0) for k in ("basic", "reverse", "cloze", "mcq")},
        "facts": result.facts,
        "topics_matched": result.topics.matched,
        "topics_without_facts": [
            {"line": i.line, "topic": i.text} for i in result.topics.unmatched
        ],
        "also_mentioned": result.topics.mentioned,
        "dropped": [{"fact": f, "kind": k, "reason": r} for f, k, r in result.dropped],
        "changes": report.counts(),
        "retired_total": sum(1 for c in deck.cards if c.retired),
    }


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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="recall")
