"""Daily operations on a lifetime collection, beside py-fsrs, bare SQLite and Anki's backend.

* ``recall due`` as a whole process, beside ``python -c pass``;
* time to the first card: opening the collection and building today's queue, beside Anki
  opening the same-size collection and fetching its first card; and the whole
  ``recall review`` process up to its first card;
* answering one card (schedule + commit), beside bare py-fsrs ``review_card`` (no storage)
  and beside bare ``sqlite3`` running the same three statements and commit (the storage
  floor);
* the next card and its answer, beside Anki's ``getCard`` + ``answerCard`` (which also
  commits every answer), both on a collection the operating system has not cached, as in
  the first session after a reboot, so the result does not depend on what ran before;
* the same answer with ``synchronous = FULL`` (an fsync per answer, Anki's setting), so the
  durability trade recall makes is visible in numbers.

Sizes: 10k, 100k and 1M cards (1M carries 8M review-log rows); RECALL_BENCH_SIZES
overrides them.
"""

from __future__ import annotations

import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.benchmarks.common import SIZES, Result, median_time, process_peak, run_process
from tests.benchmarks.synthetic import anki_collection, recall_collection

NOW = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)


#: Seconds per answer spent in Session.idle (folding the log while a card is read), by file.
IDLE: dict[str, float] = {}


def _per_call(fn: Callable[[], object], calls: int, excluded: list[float] | None = None) -> float:
    """Median seconds per call over 5 batches of ``calls`` calls, less the time ``fn``
    added to ``excluded[0]`` (work done while the learner reads, reported apart)."""
    times = []
    for _ in range(5):
        before = excluded[0] if excluded else 0.0
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        spent = time.perf_counter() - start - ((excluded[0] - before) if excluded else 0.0)
        times.append(spent / calls)
    return statistics.median(times)


def _first_card(db: Path) -> Callable[[], None]:
    from recall.store import Collection
    from recall.study.schedule import Scheduler
    from recall.study.session import Session

    def run() -> None:
        col = Collection(db)
        assert Session(col, Scheduler(col.settings())).next_card() is not None
        col.close()

    return run


def _anki_first_card(path: Path) -> Callable[[], None]:
    from anki.collection import Collection as AnkiCollection

    def run() -> None:
        col = AnkiCollection(str(path))
        assert col.sched.getCard() is not None
        col.close()

    return run


def _review_process(db: Path) -> Callable[[], None]:
    def run() -> None:
        subprocess.run([sys.executable, "-m", "recall", "review", "--db", str(db)], input=b"q\n",
                       check=True, capture_output=True)  # fmt: skip

    return run


def bench_due_and_first_card() -> list[Result]:
    out = []
    python = median_time(lambda: run_process("-c", "pass"), repeat=5)
    help_s = median_time(lambda: run_process("-m", "recall", "--help"), repeat=5)
    _, help_mb = process_peak("-m", "recall", "--help")
    out.append(Result("recall --help, whole process", help_s, "< 150 ms", help_s < 0.15,
                      "python -c pass", python, peak_mb=help_mb))  # fmt: skip
    for n in SIZES:
        db = recall_collection(n)
        due_args = ("-m", "recall", "due", "--db", str(db))
        due_s = median_time(lambda args=due_args: run_process(*args), repeat=5)  # type: ignore[misc]
        _, due_mb = process_peak(*due_args)
        out.append(Result(f"recall due, whole process ({n:,} cards)", due_s, "—", True,
                          "python -c pass", python, family="recall due", size=n,
                          peak_mb=due_mb))  # fmt: skip
        ours = median_time(_first_card(db), repeat=7)
        theirs = median_time(_anki_first_card(anki_collection(n)), repeat=7 if n < 10**6 else 3)
        limit = 0.05 if n >= 10**6 else 0.1
        out.append(Result(f"open + today's queue + first card ({n:,})", ours,
                          f"< {limit * 1000:.0f} ms, < Anki", ours < limit and ours < theirs,
                          "Anki: open + getCard", theirs, family="first card", size=n))  # fmt: skip
        whole = median_time(_review_process(db), repeat=5)
        _, review_mb = process_peak("-m", "recall", "review", "--db", str(db), stdin=b"q\n")
        out.append(Result(f"recall review to first card, whole process ({n:,})", whole, "—", True,
                          "python -c pass", python, family="recall review to first card",
                          size=n, peak_mb=review_mb))  # fmt: skip
    return out


def _recall_answers(db: Path, *, with_next: bool, full_sync: bool = False) -> tuple[float, float]:
    """Median seconds per answer on a fresh copy of collection ``db``, and the seconds the
    close after them took (where the session's write-ahead log is folded into the file)."""
    from recall.memory import Rating
    from recall.store import Collection
    from recall.study.schedule import Scheduler
    from recall.study.session import Session

    col = Collection(db)
    if full_sync:
        col.db.execute("pragma synchronous = full")
    sched = Scheduler(col.settings())
    session = Session(col, sched, clock=lambda: NOW)
    due = col.due_reviews(sched.day(NOW).isoformat(), sched.next_day_start(NOW), None, 2000)
    rows: Iterator[object] = iter([col.card(e.uid, e.rowid) for e in due])
    idle = [0.0]

    def answer_one() -> None:
        row = session.next_card() if with_next else next(rows)
        assert row is not None
        if with_next:  # as `recall review` does while the card is on screen; timed apart
            start = time.perf_counter()
            session.idle()
            idle[0] += time.perf_counter() - start
        session.answer(row, Rating.Good)  # type: ignore[arg-type]

    calls = 30 if with_next else 200
    per = _per_call(answer_one, calls, idle)
    IDLE[db.name] = idle[0] / (5 * calls)
    start = time.perf_counter()
    col.close()
    return per, time.perf_counter() - start


def _bare_sqlite(db: Path) -> float:
    """Bare sqlite3: the same select, update, insert and commit recall does per answer."""
    from recall import store
    from recall.store import log

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("pragma synchronous = normal")
    # The same kind of rows recall answers (the most overdue, scattered through the file),
    # not ones the first answers have already pulled into the cache.
    sql = "select rowid, uid from cards where state = 2 order by due limit 2000 offset 1000"
    keys = iter(conn.execute(sql).fetchall())

    def one() -> None:
        rowid, uid = next(keys)
        conn.execute("BEGIN IMMEDIATE")
        key, *row = conn.execute(log._SELECT_MEMORY_AT, (rowid, uid)).fetchone()
        conn.execute(log._UPDATE_MEMORY_SAME_STATE, (*row[1:], key))
        conn.execute(log._INSERT_REVIEW, (uid, 3, store.ts(NOW), 1000, 1, *row, *row))
        conn.execute("COMMIT")

    per = _per_call(one, 200)
    conn.close()
    return per


def _anki_answers(path: Path) -> tuple[float, float]:
    from anki.collection import Collection as AnkiCollection

    anki = AnkiCollection(str(path))

    def one() -> None:
        card = anki.sched.getCard()
        assert card is not None
        anki.sched.answerCard(card, 3)

    per = _per_call(one, 30)
    start = time.perf_counter()
    anki.close()
    return per, time.perf_counter() - start


def bench_answer() -> list[Result]:
    import fsrs

    from recall.study.session import FOLD_EVERY

    out = []
    bare = fsrs.Scheduler()
    card = fsrs.Card(card_id=1, state=fsrs.State.Review, step=None, stability=20.0, difficulty=5.0,
                     due=NOW, last_review=NOW - timedelta(days=20))  # fmt: skip
    bare_s = _per_call(lambda: bare.review_card(card, fsrs.Rating.Good, NOW), 2000)
    for n in SIZES:
        db = recall_collection(n)  # one copy for both: the floor rewrites rows unchanged
        ours, _ = _recall_answers(db, with_next=False)
        floor = _bare_sqlite(db)
        cold = recall_collection(n, cold=True)
        with_next, our_close = _recall_answers(cold, with_next=True)
        theirs, their_close = _anki_answers(anki_collection(n, cold=True))
        if n < 10**6:  # the durability comparison; a 2.7 GB copy more is not worth it at 1M
            full, _ = _recall_answers(recall_collection(n, cold=True), with_next=True,
                                      full_sync=True)  # fmt: skip
            out.append(Result(f"next card + answer, synchronous=FULL ({n:,})", full,
                              "(Anki's durability)", True, "Anki getCard + answerCard", theirs))  # fmt: skip
        out += [
            Result(f"answer one card: schedule + commit ({n:,})", ours, "≤ 3× py-fsrs",
                   ours <= 3 * bare_s, "bare py-fsrs review_card", bare_s,
                   f"storage floor (bare sqlite3, same statements + commit): "
                   f"{floor * 1000:.3f} ms = {floor / bare_s:.0f}× py-fsrs",
                   family="answer", size=n),
            Result(f"next card + answer, nothing cached ({n:,})", with_next, "< Anki",
                   with_next < theirs, "Anki getCard + answerCard", theirs,
                   f"folding the log into the file while a card is read (every "
                   f"{FOLD_EVERY} answers): {IDLE[cold.name] * 1000:.3f} ms per answer; "
                   f"closing after 150 answers: recall {our_close * 1000:.0f} ms, "
                   f"Anki {their_close * 1000:.0f} ms",
                   family="next card + answer", size=n),
        ]  # fmt: skip
    return out


BENCHMARKS = [bench_due_and_first_card, bench_answer]
