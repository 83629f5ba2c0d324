"""Many lessons → deck files: plan every deck first, then write them all, or none.

Each lesson is parsed, turned into cards, merged with its existing deck file and rendered to
TOML without touching the disk; only when every lesson has succeeded are the files written
(each atomically). A teacher's batch of hundreds of lessons runs on every core: planning a
lesson is independent of the others, and on a 2-core machine a process pool halves the wait.
"""

from __future__ import annotations

import os
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from recall.author.generate import Generated, generate
from recall.author.lesson import Lesson, decode, parse, read_lesson
from recall.author.sheets import Sheets, load_sheets
from recall.deckfile import Deck, MergeReport, merge, read_deck
from recall.errors import RecallError
from recall.fsio import commit_all, discard, stage

LESSON_SUFFIXES = (".txt", ".md", ".markdown", ".text")
#: Below this many lessons a process pool costs more than it saves.
PARALLEL_FROM = 24
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


@dataclass(frozen=True)
class Source:
    """One lesson to read: a file, or stdin's bytes (``path`` is None)."""

    display: str
    path: Path | None = None
    data: bytes | None = None


@dataclass
class Plan:
    """A deck ready to be written, and what the summary says about it."""

    slug: str
    lesson: str
    title_line: int
    path: Path
    text: str
    summary: dict[str, Any]
    staged: Path | None = None  # already written beside ``path``, waiting to be renamed
    unchanged: bool = False  # the file already holds exactly this text


def lesson_sources(args: tuple[str, ...], stdin: Callable[[], bytes]) -> list[Source]:
    """Expand LESSONS: files as given, directories into their lesson files, ``-`` into stdin."""
    out: list[Source] = []
    for arg in args:
        if arg == "-":
            out.append(Source("-", data=stdin()))
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
            out.extend(Source(str(p), p) for p in found)
        elif path.exists():
            out.append(Source(arg, path))
        else:
            raise RecallError("no such file or directory", arg)
    return out


def plan_all(
    sources: list[Source],
    *,
    out_dir: Path,
    sheet_paths: list[Path],
    now: datetime,
    sheets: Sheets | None = None,
    progress: Callable[[int], None] = lambda n: None,
    stage: bool = False,
) -> list[Plan]:
    """Plan every deck; raise the first lesson's error before any deck file is replaced.

    With ``stage``, the process pool's workers also write each deck beside its target
    (fsynced: the slow part of an atomic write, done in parallel); :func:`write_all` then
    only renames. If any lesson fails, every staged file is removed. ``sheet_paths`` are the
    teacher's sheets (the library is always loaded); ``sheets``, if given, is them loaded.
    """
    sheets = sheets if sheets is not None else load_sheets(sheet_paths)
    jobs = min(os.cpu_count() or 1, 8)
    if len(sources) >= PARALLEL_FROM and jobs > 1:
        token = secrets.token_hex(6) if stage else ""
        chunk = max(1, len(sources) // (jobs * 8))
        import multiprocessing

        stop = multiprocessing.Event()
        init = (sheet_paths, os.getpid(), stop)
        pool = ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=init)
        try:
            results: Iterator[Plan] = pool.map(
                _plan_in_worker, sources, [out_dir] * len(sources), [now] * len(sources),
                [token] * len(sources), chunksize=chunk,
            )  # fmt: skip
            plans = []
            for plan in results:
                plans.append(plan)
                progress(1)
            pool.shutdown()
            _check_unique(plans)
        except BaseException:
            _stop(pool, stop)  # before discarding: a running worker would stage another file
            if token:
                discard(out_dir, token)
            raise
        return plans
    plans = []
    for source in sources:
        plans.append(plan_one(source, sheets, out_dir, now))
        progress(1)
    _check_unique(plans)
    return plans


def _check_unique(plans: list[Plan]) -> None:
    seen: dict[str, str] = {}
    for plan in plans:
        if plan.slug in seen:
            raise RecallError(
                f"two lessons make the same deck {plan.slug}.toml (also {seen[plan.slug]}); "
                "give one a different title",
                plan.lesson,
                plan.title_line,
            )
        seen[plan.slug] = plan.lesson


def write_all(plans: list[Plan]) -> None:
    """Write every planned deck, or none: each is staged beside its target first, and only
    when all are on disk are they renamed; a deck whose file already holds exactly its text
    is left untouched (so its modification time still means something)."""
    token = secrets.token_hex(6)
    staged = [(p.staged, p.path) for p in plans if p.staged is not None and not p.unchanged]
    current = plans[0].path.parent if plans else Path()
    try:
        for plan in plans:
            if not plan.unchanged and plan.staged is None:
                current = plan.path
                tmp = stage(plan.path, plan.text.encode("utf-8"), token)
                staged.append((tmp, plan.path))
        commit_all(staged)
    except BaseException as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for folder in {p.path.parent for p in plans}:
            discard(folder, token)  # one cut short by the error, before it was listed
        if isinstance(exc, OSError):
            why = exc.strerror or str(exc)
            msg = f"cannot write deck file ({why}); none was written"
            raise RecallError(msg, str(current)) from None
        raise


def plan_one(source: Source, sheets: Sheets, out_dir: Path, now: datetime, token: str = "") -> Plan:
    """Parse, generate, merge with the existing deck file, and render one lesson's deck."""
    if source.path is not None:
        lesson = read_lesson(source.path, source.display)
    else:
        lesson = parse(decode(source.data or b"", source.display), source.display)
    check_title(lesson)
    result = generate(lesson, sheets)
    path = out_dir / f"{lesson.slug}.toml"
    if path.resolve().parent != out_dir.resolve():
        raise RecallError(
            "title would make a path outside the output directory", lesson.path, lesson.title_line
        )
    old = read_deck(path) if path.exists() else None
    cards, report = merge(old, result.cards, now)
    deck = Deck(
        slug=lesson.slug,
        title=lesson.title,
        cards=cards,
        category=lesson.category,
        date=lesson.date,
        lesson=lesson.path,
    )
    text = deck.to_toml()
    data = text.encode("utf-8")
    unchanged = old is not None and path.read_bytes() == data
    staged = stage(path, data, token) if token and not unchanged else None
    return Plan(
        slug=lesson.slug,
        lesson=lesson.path,
        title_line=lesson.title_line,
        path=path,
        text="" if staged else text,  # staged: already on disk, no need to send it back
        summary=summarise(result, path, deck, report, sheets),
        staged=staged,
        unchanged=unchanged,
    )


def check_title(lesson: Lesson) -> None:
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


def summarise(
    result: Generated, path: Path, deck: Deck, report: MergeReport, sheets: Sheets
) -> dict[str, Any]:
    """What `recall generate` reports about one deck (the --json shape)."""
    kinds = Counter(c.kind for c in result.cards)
    used = Counter(
        sheets.sheet_of(k)
        for k in dict.fromkeys(c.fact for c in result.cards)
        if k in sheets.records
    )
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
        "prelims_lines": [
            {
                "line": m.item.line,
                "topic": m.item.text,
                "topics": m.topics,
                "examples": m.examples,
                "facts": m.facts,
                "why_none": m.why,
            }
            for m in result.topics.lines
        ],
        "sheets_used": dict(sorted(used.items())),
        "dropped": [{"fact": f, "kind": k, "reason": r} for f, k, r in result.dropped],
        "warnings": [
            {
                "lesson": w.lesson_ref,
                "other": w.other_ref,
                "message": w.message,
                "sheet_wins": w.sheet_wins,
            }
            for w in result.warnings
        ],
        "changes": report.counts(),
        "retired_total": sum(1 for c in deck.cards if c.retired),
    }


_WORKER_SHEETS: Sheets | None = None
_WORKER_STOP: Any = None  # a multiprocessing.Event: set when the parent stops the batch


def _stop(pool: ProcessPoolExecutor, stop: Any) -> None:
    """End the pool soon and cleanly: queued lessons are cancelled, and a worker skips the
    rest of the lessons in hand once ``stop`` is set (each finishes at most the lesson it is
    on). Workers are never terminated: one killed while writing its result into the pool's
    pipe leaves half a message there, and the pool's thread then waits for the rest forever.
    """
    stop.set()
    pool.shutdown(wait=True, cancel_futures=True)


def _init_worker(sheet_paths: list[Path], parent: int, stop: Any) -> None:
    global _WORKER_SHEETS, _WORKER_STOP  # one load per worker process, not one per lesson
    _WORKER_STOP = stop
    _die_with_parent(parent)
    _WORKER_SHEETS = load_sheets(sheet_paths)


def _die_with_parent(parent: int) -> None:
    """A worker ignores Ctrl-C (the parent handles it and stops the pool), dies at SIGTERM,
    and on Linux is killed when its parent dies, even by SIGKILL: otherwise it waits for
    work forever, holding the parent's stdout open, so a pipeline around recall never ends."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: the parent's _stop still ends the pool on every caught exit
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os._exit(1)


def _plan_in_worker(source: Source, out_dir: Path, now: datetime, token: str) -> Plan:
    assert _WORKER_SHEETS is not None
    if _WORKER_STOP is not None and _WORKER_STOP.is_set():
        raise RecallError(
            "stopped: another lesson failed or recall was interrupted", source.display
        )
    return plan_one(source, _WORKER_SHEETS, out_dir, now, token)
