"""Exporting a collection to .apkg, beside bare genanki and beside Anki's own exporter.

* recall: read the deck from the collection, build the package, write it atomically
  (in-process, as ``recall export`` does after start-up);
* bare genanki: the least any genanki-based exporter does — read the same text from the same
  file, make the same notes (model, fields, guids, tags, positions) and write the package;
* Anki: ``export_anki_package`` of a same-size Anki collection, with and without the
  schedule and review log.

Sizes: 10k, 100k and 1M cards (RECALL_BENCH_SIZES overrides them), so growth can be seen;
with the schedule and log up to 100k, and at 1M (8M log rows) with RECALL_BENCH_HEAVY=1.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks.common import HEAVY, SIZES, Result, median_time, process_peak
from tests.benchmarks.synthetic import anki_collection, recall_collection

NOW = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)


def _recall(db: Path, out: Path, *, scheduling: bool) -> Callable[[], None]:
    from recall.anki import export as ex
    from recall.store import Collection
    from recall.study.schedule import Scheduler

    def run() -> None:
        col = Collection(db)
        sched = Scheduler(col.settings()) if scheduling else None
        deck = ex.from_collection(col, "bench", sched=sched, now=NOW)
        ex.write(ex.build([deck], crt=0, progress=lambda _: None), out, NOW)
        col.close()

    return run


def _bare_genanki(db: Path, out: Path) -> Callable[[], None]:
    """The least a genanki exporter does: read the text, make the notes, write the package."""
    import sqlite3

    import genanki

    from recall.anki.notes import BASIC

    def run() -> None:
        con = sqlite3.connect(db)
        rows = con.execute("select id, front, back from cards order by position").fetchall()
        con.close()
        deck = genanki.Deck(1234567890, "UPSC::Benchmark deck")
        for n, (i, front, back) in enumerate(rows):
            deck.add_note(genanki.Note(model=BASIC, fields=[front, back, "", ""],
                                       guid=genanki.guid_for("bench", i), tags=["recall::bench"],
                                       due=n))  # fmt: skip
        genanki.Package(deck).write_to_file(str(out), timestamp=NOW.timestamp())

    return run


def _anki(path: Path, out: Path, *, scheduling: bool = False) -> Callable[[], None]:
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ExportAnkiPackageOptions
    from anki.generic_pb2 import Empty
    from anki.import_export_pb2 import ExportLimit

    def run() -> None:
        col = AnkiCollection(str(path))
        options = ExportAnkiPackageOptions(
            with_scheduling=scheduling, with_media=False, legacy=True
        )
        col.export_anki_package(
            out_path=str(out), options=options, limit=ExportLimit(whole_collection=Empty())
        )
        col.close()

    return run


def bench_export() -> list[Result]:
    out: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "out.apkg"
        for n in SIZES:
            db = recall_collection(n)
            repeat = 3 if n < 10**6 else 1
            bare = median_time(_bare_genanki(db, target), repeat=repeat)
            theirs = median_time(_anki(anki_collection(n), target), repeat=repeat)
            target.unlink(missing_ok=True)
            whole, peak = process_peak("-m", "recall", "export", "--db", str(db), "-o", str(target))
            # At 1M one run of each takes most of a minute: recall's figure is then the whole
            # process (start-up included), which only favours the anchors.
            ours = (
                median_time(_recall(db, target, scheduling=False), repeat=repeat)
                if n < 10**6
                else whole
            )
            out.append(Result(f"recall export, whole process ({n:,} cards)", whole, "—", True,
                              family="recall export, whole process", size=n,
                              peak_mb=peak))  # fmt: skip
            if n >= 10**6:  # with the log, 1M cards is 8M revlog rows: measured up to 100k
                out.append(Result(f"export to .apkg ({n:,} cards)", ours, "≤ 1.3× genanki",
                                  ours <= 1.3 * bare, "bare genanki, same notes", bare,
                                  f"Anki's exporter {theirs * 1000:.0f} ms: recall "
                                  f"{ours / theirs:.2f}×, bare genanki {bare / theirs:.2f}× Anki"))  # fmt: skip
                if HEAVY:
                    out.append(_with_scheduling_whole(db, anki_collection(n), target, n))
                continue
            # One run at 100k: each takes most of half a minute.
            sched = median_time(_recall(db, target, scheduling=True), repeat=3 if n < 10**5 else 1)
            their_sched = median_time(_anki(anki_collection(n), target, scheduling=True),
                                      repeat=3 if n < 10**5 else 1)  # fmt: skip
            out += [
                Result(f"export to .apkg ({n:,} cards)", ours, "≤ 1.3× genanki",
                       ours <= 1.3 * bare, "bare genanki, same notes", bare,
                       f"Anki's exporter {theirs * 1000:.0f} ms: recall {ours / theirs:.2f}×, "
                       f"bare genanki itself {bare / theirs:.2f}× Anki", family="export", size=n),
                Result(f"export --with-scheduling ({n:,} cards)", sched, "—", True,
                       "Anki's exporter with scheduling", their_sched,
                       f"bare genanki without the schedule {bare * 1000:.0f} ms",
                       family="export --with-scheduling", size=n),
            ]  # fmt: skip
    return out


def _with_scheduling_whole(db: Path, anki: Path, target: Path, n: int) -> Result:
    """`recall export --with-scheduling` as one whole process at 1M cards, with its peak."""
    target.unlink(missing_ok=True)
    whole, peak = process_peak(
        "-m", "recall", "export", "--with-scheduling", "--db", str(db), "-o", str(target)
    )
    theirs = median_time(_anki(anki, target, scheduling=True), repeat=1)
    return Result(f"recall export --with-scheduling, whole process ({n:,})", whole, "—", True,
                  "Anki's exporter with scheduling", theirs, peak_mb=peak,
                  family="export --with-scheduling", size=n)  # fmt: skip


BENCHMARKS = [bench_export]
