"""Synthetic collections of a given size, for recall and for Anki, built once and cached.

A collection of N cards holds one deck; 80% of the cards have been studied, about ten reviews
each (so 100k cards carry about 1M log rows), with stability, difficulty and due dates spread
the way a real collection's are; the rest are new. The same cards go into an Anki collection
(FSRS on, the same memory states in each card's ``data``) so both are timed on equal data.
Built files are cached in ``.benchmarks/`` and reused by later runs.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CACHE = ROOT / ".benchmarks"
NOW = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)
VERSION = 6  # bump when the shape of the synthetic data changes


def _fmt(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Synthetic:
    """One synthetic card: studied ones carry a memory state and a due instant."""

    i: int
    studied: bool
    s: float = 0.0
    d: float = 0.0
    due: datetime = NOW


def _cards(n: int) -> list[Synthetic]:
    rng = random.Random(n)
    out = []
    for i in range(n):
        if rng.random() < 0.8:
            s, due = rng.lognormvariate(3, 1.3), NOW + timedelta(days=rng.uniform(-6, 54))
            out.append(Synthetic(i, True, s, rng.uniform(2, 9), due))
        else:
            out.append(Synthetic(i, False))
    return out


def recall_collection(n: int) -> Path:
    """A recall collection file with ``n`` cards (copied fresh from the cache each call)."""
    cached = CACHE / f"recall-{n}-v{VERSION}.db"
    if not cached.exists():
        CACHE.mkdir(exist_ok=True)
        _build_recall(cached, n)
    work = CACHE / f"recall-{n}-work.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(cached, work)
    return work


def _build_recall(path: Path, n: int) -> None:
    from recall.store import Collection

    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    col = Collection(tmp)
    col.set_setting("timezone", "Asia/Kolkata")
    col.close()
    con = sqlite3.connect(tmp)
    con.execute("pragma synchronous = off")
    con.execute("insert into decks (slug, title) values ('bench', 'Benchmark deck')")
    rng = random.Random(7)
    card_rows, review_rows = [], []
    for c in _cards(n):
        uid = f"bench:{c.i:08x}"
        studied = c.studied
        card_rows.append((
            uid, "bench", f"{c.i:08x}", c.i, "basic", f"fact{c.i // 2}", f"Question {c.i}?",
            f"Answer {c.i}", "[]", "", "[]", "", "", "", "", 0, 0, None,
            2 if studied else 0, None, c.s if studied else None, c.d if studied else None,
            _fmt(c.due) if studied else None,
            _fmt(NOW - timedelta(days=rng.uniform(1, 30))) if studied else None, 10 if studied else 0, 0, _fmt(NOW),
        ))  # fmt: skip
        if studied:
            when = NOW - timedelta(days=400)
            for k in range(10):
                when += timedelta(days=rng.uniform(1, 30))
                review_rows.append((uid, rng.choice((3, 3, 3, 1, 2, 4)), _fmt(when), 8000, 3, 2, None, c.s, c.d,
                                    _fmt(when), _fmt(when), k, 0, 2, None, c.s, c.d, _fmt(when), _fmt(when), k + 1, 0))  # fmt: skip
    con.executemany(f"insert into cards values ({','.join('?' * 27)})", card_rows)
    cols = ("card, rating, reviewed_at, duration_ms, elapsed_days, state_before, step_before, stability_before, "
            "difficulty_before, due_before, last_review_before, reps_before, lapses_before, state_after, step_after, "
            "stability_after, difficulty_after, due_after, last_review_after, reps_after, lapses_after")  # fmt: skip
    con.executemany(f"insert into reviews ({cols}) values ({','.join('?' * 21)})", review_rows)
    con.commit()
    con.execute("analyze")
    con.close()
    tmp.replace(path)


def anki_collection(n: int) -> Path:
    """An Anki collection file with the same ``n`` cards (FSRS on), fresh from the cache."""
    cached = CACHE / f"anki-{n}-v{VERSION}.anki2"
    if not cached.exists():
        CACHE.mkdir(exist_ok=True)
        _build_anki(cached, n)
    work = CACHE / f"anki-{n}-work.anki2"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(cached, work)
    return work


def _build_anki(path: Path, n: int) -> None:
    from anki.collection import AddNoteRequest, Collection

    tmp = path.with_suffix(".tmp.anki2")
    for suffix in ("", "-wal", "-shm"):  # a build cut short leaves these behind
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    col = Collection(str(tmp))
    col.set_config("fsrs", True)
    model = col.models.by_name("Basic")
    did = col.decks.id("Benchmark deck")
    assert model is not None and did is not None
    requests = []
    for c in _cards(n):
        note = col.new_note(model)
        note["Front"], note["Back"] = f"Question {c.i}?", f"Answer {c.i}"
        requests.append(AddNoteRequest(note=note, deck_id=did))
    col.add_notes(requests)
    today = col.sched.today
    conf = col.decks.config_dict_for_deck_id(did)
    conf["rev"]["perDay"] = 1_000_000  # so a benchmark can answer hundreds of cards
    col.decks.update_config(conf)
    col.decks.select(did)
    col.close()
    # The collection file is SQLite: write the review states and the log in one transaction
    # (Anki's own per-row DB calls would take minutes at 100k cards).
    con = sqlite3.connect(tmp)
    ids = [cid for (cid,) in con.execute("select id from cards order by id")]
    rng = random.Random(7)
    updates, revlog = [], []
    used: set[int] = set()
    for cid, c in zip(ids, _cards(n), strict=True):
        if not c.studied:
            continue
        due_day = today + int((c.due - NOW).total_seconds() // 86400)
        data = json.dumps({"s": round(c.s, 4), "d": round(c.d, 3), "dr": 0.9})
        updates.append((due_day, max(1, int(c.s)), data, cid))
        when = NOW - timedelta(days=400)
        for _ in range(10):
            when += timedelta(days=rng.uniform(1, 30))
            # A revlog id is the review's epoch milliseconds; nudge the rare collision.
            rid = int(when.timestamp() * 1000)
            while rid in used:
                rid += 1
            used.add(rid)
            revlog.append(
                (
                    rid,
                    cid,
                    -1,
                    rng.choice((3, 3, 3, 1, 2, 4)),
                    10,
                    5,
                    0,
                    8000,
                    1,
                )
            )
    con.executemany(
        "update cards set type = 2, queue = 2, due = ?, ivl = ?, data = ?, reps = 10 where id = ?",
        updates,
    )
    con.executemany(
        "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) values (?,?,?,?,?,?,?,?,?)",
        revlog,
    )
    con.commit()
    con.close()
    tmp.replace(path)
