"""Importing an Anki package with its whole review log, beside Anki's own importer.

The package is Anki's own export (new format, zstd, with scheduling) of the benchmark's Anki
collection: n cards, ten reviews per studied card (80,350 revlog rows at 10k). Timed:

* recall: ``import_package`` into a fresh collection and deck folder — read and unpack the
  package, replay every review on the learner's days, write cards, log and deck files;
* Anki: ``import_anki_package`` with scheduling into a fresh Anki collection.

Sizes: 10k and 100k cards (about 800k reviews); 1M (8M) with RECALL_BENCH_HEAVY=1.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks.common import HEAVY, SIZES, Result, median_time
from tests.benchmarks.synthetic import anki_collection

NOW = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)


def _package(n: int, out: Path) -> Path:
    """Anki's own .apkg of the n-card Anki collection, with scheduling (not timed)."""
    import shutil

    from anki.collection import Collection as AnkiCollection
    from anki.collection import ExportAnkiPackageOptions
    from anki.generic_pb2 import Empty
    from anki.import_export_pb2 import ExportLimit

    copy = out / f"source-{n}.anki2"
    shutil.copy(anki_collection(n), copy)
    col = AnkiCollection(str(copy))
    target = out / f"anki-{n}.apkg"
    options = ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=False)
    col.export_anki_package(
        out_path=str(target), options=options, limit=ExportLimit(whole_collection=Empty())
    )
    col.close()
    return target


def _recall(package: Path, work: Path) -> Callable[[], None]:
    from recall.anki.imports import import_package
    from recall.store import Collection
    from recall.study.schedule import Scheduler

    runs = [0]

    def run() -> None:
        runs[0] += 1
        here = work / f"recall-{runs[0]}"
        here.mkdir()
        col = Collection(here / "recall.db")
        import_package(package, col, decks_dir=here / "decks",
                       days=Scheduler(col.settings()), now=NOW)  # fmt: skip
        col.close()

    return run


def _anki(package: Path, work: Path) -> Callable[[], None]:
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    runs = [0]

    def run() -> None:
        runs[0] += 1
        here = work / f"anki-{runs[0]}"
        here.mkdir()
        col = AnkiCollection(str(here / "collection.anki2"))
        options = ImportAnkiPackageOptions(with_scheduling=True)
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=options)
        )
        col.close()

    return run


def bench_import() -> list[Result]:
    out: list[Result] = []
    for n in SIZES:
        if n >= 10**6 and not HEAVY:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            package = _package(n, work)
            repeat = 3 if n < 10**5 else 1
            theirs = median_time(_anki(package, work), repeat=repeat)
            ours = median_time(_recall(package, work), repeat=repeat)
            out.append(Result(f"import .apkg with its review log ({n:,} cards)", ours, "—", True,
                              "Anki's importer, same package", theirs,
                              f"{package.stat().st_size / 1e6:.1f} MB package",
                              family="import", size=n))  # fmt: skip
    return out


BENCHMARKS = [bench_import]
