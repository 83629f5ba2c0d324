"""Synthetic collections of a given size, for recall and for Anki, built once and cached.

A collection of N cards holds one deck; 80% of the cards have been studied, ten reviews each
(so 1M cards carry 8M log rows), with stability, difficulty and due dates spread the way a
real collection's are; the rest are new. The same cards (same memory, same due days) go into
an Anki collection with FSRS on, so both are timed on equal data.

Speed of building matters (a fresh clone builds 10k, 100k and 1M of each): the cards are
drawn once in Python and bulk-inserted; the review logs are generated inside SQLite with a
recursive query, and the log's indexes are built after the rows are in. Built files are
cached in ``.benchmarks/`` and copied fresh for every use.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CACHE = ROOT / ".benchmarks"
NOW = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)
VERSION = 9  # bump when the shape of the synthetic data changes
REVIEWS_PER_CARD = 10


def _fmt(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _cards(n: int) -> Iterator[tuple[int, bool, float, float, float]]:
    """(index, studied, stability, difficulty, due offset in days from NOW) per card."""
    rng = random.Random(n)
    for i in range(n):
        if rng.random() < 0.8:
            stability = min(36500.0, math.exp(rng.gauss(3, 1.3)))
            yield i, True, stability, rng.uniform(2, 9), rng.uniform(-6, 54)
        else:
            yield i, False, 0.0, 0.0, 0.0


def _fresh(
    kind: str, suffix: str, n: int, build: Callable[[Path, int], None], *, cold: bool = False
) -> Path:
    """A working copy of the cached ``kind`` collection of ``n`` cards (built if missing).

    ``cold`` drops the copy from the operating system's page cache, as on the first session
    after a reboot: otherwise what is cached depends on what the machine did just before
    (a run that had just written gigabytes of collections measured the answer 2x slower).
    """
    cached = CACHE / f"{kind}-{n}-v{VERSION}{suffix}"
    if not cached.exists():
        CACHE.mkdir(exist_ok=True)
        build(cached, n)
    work = CACHE / f"{kind}-{n}-work{suffix}"
    for extra in ("", "-wal", "-shm"):
        Path(f"{work}{extra}").unlink(missing_ok=True)
    shutil.copyfile(cached, work)
    # Flush the copy now: otherwise the first fsync of a timed operation (a WAL checkpoint)
    # pays for writing back gigabytes of freshly copied pages, which no real collection has.
    with work.open("rb") as fh:
        os.fsync(fh.fileno())
        if cold:
            os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    return work


def recall_collection(n: int, *, cold: bool = False) -> Path:
    """A recall collection file with ``n`` cards (copied fresh from the cache each call)."""
    return _fresh("recall", ".db", n, _build_recall, cold=cold)


def _build_recall(path: Path, n: int) -> None:
    from recall.store import Collection

    tmp = path.with_suffix(".tmp")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    col = Collection(tmp)
    col.set_setting("timezone", "Asia/Kolkata")
    col.close()
    con = sqlite3.connect(tmp, isolation_level=None)
    con.execute("pragma journal_mode = off")
    con.execute("pragma synchronous = off")
    con.execute("begin")
    con.execute("insert into decks (slug, title) values ('bench', 'Benchmark deck')")
    now, last = _fmt(NOW), _fmt(NOW - timedelta(days=12))
    con.executemany(
        """insert into cards (uid, deck, id, position, kind, fact, front, back, options, answer,
           tags, source, url, as_of, hash, retired, suspended, state, stability, difficulty,
           due, last_review, reps, lapses, added_at, changed_at)
           values (?, 'bench', ?, ?, 'basic', ?, ?, ?, '[]', '', '[]', '', '', '', '', 0, 0,
                   ?, ?, ?, ?, ?, ?, 0, ?, ?)""",
        (
            (f"bench:{i:08x}", f"{i:08x}", i, f"fact{i // 2}", f"Question {i}?", f"Answer {i}",
             2 if studied else 0, s if studied else None, d if studied else None,
             _fmt(NOW + timedelta(days=due)) if studied else None, last if studied else None,
             REVIEWS_PER_CARD if studied else 0, now, now)
            for i, studied, s, d, due in _cards(n)
        ),
    )  # fmt: skip
    indexes = con.execute(
        "select name, sql from sqlite_master where type = 'index' and tbl_name = 'reviews' "
        "and sql is not null"
    ).fetchall()
    for name, _ in indexes:
        con.execute(f"drop index {name}")
    # Ten reviews a studied card, 40 days apart with jitter, generated inside SQLite.
    con.execute(
        f"""insert into reviews (card, rating, reviewed_at, duration_ms, elapsed_days,
                state_before, stability_before, difficulty_before, due_before,
                last_review_before, reps_before, lapses_before, state_after, stability_after,
                difficulty_after, due_after, last_review_after, reps_after, lapses_after)
            with recursive k(n) as (select 0 union all select n + 1 from k where n < {REVIEWS_PER_CARD - 1}),
            r as materialized (  -- random() once per row, not once per use
                select c.uid, c.stability, c.difficulty, k.n,
                       strftime('%Y-%m-%dT%H:%M:%S', julianday('{now[:19]}') - 400 + k.n * 40
                                + (abs(random()) % 30000) / 1000.0) || '.000000Z' as at,
                       abs(random()) % 6 as pick
                from cards c, k where c.state = 2
            )
            select uid, case pick when 3 then 1 when 4 then 2 when 5 then 4 else 3 end, at,
                   8000, 3, 2, stability, difficulty, at, at, n, 0, 2, stability, difficulty,
                   at, at, n + 1, 0
            from r"""
    )  # fmt: skip
    for _, sql in indexes:
        con.execute(sql)
    con.execute("commit")
    con.execute("analyze")
    con.execute("pragma journal_mode = wal")
    con.close()
    tmp.replace(path)


def anki_collection(n: int, *, cold: bool = False) -> Path:
    """An Anki collection file with the same ``n`` cards (FSRS on), fresh from the cache."""
    return _fresh("anki", ".anki2", n, _build_anki, cold=cold)


def _csum(text: str) -> int:
    """Anki's note checksum: the first 8 hex digits of the sort field's SHA-1."""
    import hashlib

    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def _build_anki(path: Path, n: int) -> None:
    from anki.collection import Collection

    tmp = path.with_suffix(".tmp.anki2")
    for suffix in ("", "-wal", "-shm"):  # a build cut short leaves these behind
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    col = Collection(str(tmp))
    col.set_config("fsrs", True)
    model = col.models.by_name("Basic")
    did = col.decks.id("Benchmark deck")
    assert model is not None and did is not None
    mid = model["id"]
    conf = col.decks.config_dict_for_deck_id(did)
    conf["rev"]["perDay"] = 1_000_000  # so a benchmark can answer hundreds of cards
    col.decks.update_config(conf)
    col.decks.select(did)
    today = col.sched.today
    col.close()
    # Anki's own add_notes takes minutes at 1M cards; its file is SQLite, so the notes,
    # cards and log go in directly, the way Anki itself stores them.
    con = sqlite3.connect(tmp, isolation_level=None)
    con.execute("pragma synchronous = off")
    con.execute("begin")
    base = 1_700_000_000_000
    mod = int(NOW.timestamp())
    notes, cards = [], []
    for i, studied, s, d, due in _cards(n):
        front = f"Question {i}?"
        notes.append(
            (base + i, f"g{i:08x}", mid, mod, f"{front}\x1fAnswer {i}", front, _csum(front))
        )
        if studied:
            data = json.dumps({"s": round(s, 4), "d": round(d, 3), "dr": 0.9})
            cards.append((base + i, base + i, did, 2, 2, today + math.floor(due), max(1, int(s)),
                          REVIEWS_PER_CARD, data))  # fmt: skip
        else:
            cards.append((base + i, base + i, did, 0, 0, i, 0, 0, ""))
    con.executemany(
        "insert into notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data) "
        "values (?, ?, ?, ?, -1, '', ?, ?, ?, 0, '')",
        notes,
    )
    con.executemany(
        "insert into cards (id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, "
        f"lapses, left, odue, odid, flags, data) values (?, ?, ?, 0, {mod}, -1, ?, ?, ?, ?, "
        "2500, ?, 0, 0, 0, 0, 0, ?)",
        cards,
    )
    con.execute(
        f"""insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)
            with recursive k(n) as (select 0 union all select n + 1 from k where n < {REVIEWS_PER_CARD - 1})
            select c.id + k.n * {n}, c.id, -1, 3, 10, 5, 0, 8000, 1
            from cards c, k where c.type = 2"""
    )  # fmt: skip
    con.execute("commit")
    con.close()
    tmp.replace(path)
