"""What one answer costs the disk, recall beside Anki: a diagnostic, not a timed benchmark.

    .venv/bin/python -m tests.benchmarks.io_per_answer [CARDS]     # default 1,000,000

On copies of the synthetic collections dropped from the page cache, 150 answers (next card +
answer, as in the benchmark) each print: kilobytes read from the disk per answer (the
process's ``read_bytes``, readahead included) and, for recall, pages written to the
write-ahead log per answer (SQLite's own count, with its checkpoint held off for the run).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks.synthetic import anki_collection, recall_collection

NOW = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)
ANSWERS = 150


def _read_bytes() -> int:
    lines = Path("/proc/self/io").read_text().splitlines()
    return int(next(line.split()[1] for line in lines if line.startswith("read_bytes")))


def recall_io(n: int) -> tuple[float, float]:
    """(KB read from disk, WAL pages written) per answer."""
    from recall.memory import Rating
    from recall.store import Collection
    from recall.study.schedule import Scheduler
    from recall.study.session import Session

    col = Collection(recall_collection(n, cold=True))
    session = Session(col, Scheduler(col.settings()), clock=lambda: NOW)
    col.conn.execute("pragma wal_autocheckpoint = 0")  # (the session sets its own)
    start = _read_bytes()
    for _ in range(ANSWERS):
        row = session.next_card()
        assert row is not None
        session.answer(row, Rating.Good)
    read = _read_bytes() - start
    frames = col.conn.execute("pragma wal_checkpoint(passive)").fetchone()[1]
    col.close()
    return read / 1024 / ANSWERS, frames / ANSWERS


def anki_io(n: int) -> float:
    """KB read from disk per answer (getCard + answerCard)."""
    from anki.collection import Collection as AnkiCollection

    col = AnkiCollection(str(anki_collection(n, cold=True)))
    card = col.sched.getCard()  # builds Anki's queue, which reads much of the file
    start = _read_bytes()
    for _ in range(ANSWERS):
        assert card is not None
        col.sched.answerCard(card, 3)
        card = col.sched.getCard()
    read = _read_bytes() - start
    col.close()
    return read / 1024 / ANSWERS


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 1_000_000
    kb, frames = recall_io(n)
    print(f"recall ({n:,} cards): {kb:.1f} KB read, {frames:.1f} WAL pages written per answer")
    print(f"Anki   ({n:,} cards): {anki_io(n):.1f} KB read per answer")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
