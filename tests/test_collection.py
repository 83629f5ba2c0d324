"""The collection: recall add, the queue (day boundary, limits, siblings), undo, suspend, check."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from recall.cards import Card
from recall.deckfile import Deck, read_deck
from recall.errors import RecallError
from recall.memory import Memory, Rating, State
from recall.store import Collection, ts
from recall.study.queue import build_queue
from recall.study.replay import verify
from recall.study.schedule import Scheduler
from recall.study.session import FOLD_EVERY, Session
from tests.conftest import ROOT, SHIPPED_CARDS

SHIPPED_DECK = ROOT / "decks" / "india-us-critical-minerals-diplomacy-supply-chain-resilience.toml"
KOLKATA_NOON = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)


@pytest.fixture
def col(tmp_path: Path) -> Collection:
    c = Collection(tmp_path / "collection.db")
    c.set_setting("timezone", "Asia/Kolkata")
    c.set_setting("fuzz", False)
    c.add_deck(read_deck(SHIPPED_DECK), str(SHIPPED_DECK), KOLKATA_NOON)
    return c


def session(col: Collection, **kw: object) -> Session:
    return Session(col, Scheduler(col.settings()), **kw)  # type: ignore[arg-type]


def small_deck(n: int = 5, slug: str = "d") -> Deck:
    cards = [
        Card(id=f"c{i}", kind="basic", fact=f"f{i}", front=f"Q{i}?", back=f"A{i}").stamped()
        for i in range(n)
    ]
    return Deck(slug=slug, title="Small", cards=cards)


def test_add_is_idempotent(col: Collection) -> None:
    again = col.add_deck(read_deck(SHIPPED_DECK), str(SHIPPED_DECK), KOLKATA_NOON)
    assert (again.added, again.updated, again.retired, again.unchanged) == (0, 0, 0, SHIPPED_CARDS)
    assert len(col.all_cards()) == SHIPPED_CARDS


def test_add_updates_text_keeps_history_and_retires(col: Collection, tmp_path: Path) -> None:
    s = session(col)
    row = s.next_card()
    assert row is not None
    s.answer(row, Rating.Good)
    deck = read_deck(SHIPPED_DECK)
    edited = [
        replace(c, front="What does REE stand for, exactly?") if c.id == row.id else c
        for c in deck.cards
    ]
    edited = [
        replace(c, retired="2026-11-25") if c.fact == "target:net-zero" else c for c in edited
    ]
    report = col.add_deck(replace(deck, cards=edited), "x", KOLKATA_NOON)
    assert (report.updated, report.retired) == (1, 1)
    after = col.card(row.uid)
    assert after.front == "What does REE stand for, exactly?"
    assert after.memory == col.card(row.uid).memory and after.memory.reps == 1
    assert len(col.log(row.uid)) == 1
    net_zero = next(r for r in [r for r in col.all_cards() if r.retired])
    assert net_zero.fact == "target:net-zero"
    queue = build_queue(col, Scheduler(col.settings()), KOLKATA_NOON)
    queued = {r.uid for r in queue.learning} | {e.uid for e in (*queue.new, *queue.review)}
    assert net_zero.uid not in queued


def test_daily_new_limit_counts_per_learner_day_across_sessions(
    col: Collection, frozen_time: time_machine.Traveller
) -> None:
    s = session(col)
    assert len(s.news) == 20
    for _ in range(12):
        row = s.next_card()
        assert row is not None and row.memory.state == State.New
        s.answer(row, Rating.Easy)
    assert len(session(col).news) == 8  # a new session the same day gets what is left
    # 22:29 UTC is still 3:59 a.m. in Kolkata: the same learner day.
    frozen_time.move_to(datetime(2026, 11, 25, 22, 29, tzinfo=UTC))
    assert len(session(col).news) == 8
    frozen_time.move_to(datetime(2026, 11, 25, 22, 30, tzinfo=UTC))  # 4:00 a.m.: a new day
    assert len(session(col).news) == 20


def test_review_limit(col: Collection, frozen_time: time_machine.Traveller) -> None:
    col.set_setting("new_per_day", 100)
    s = session(col)
    while (row := s.next_card()) is not None:
        s.answer(row, Rating.Easy)
    col.set_setting("reviews_per_day", 3)
    frozen_time.move_to(KOLKATA_NOON + timedelta(days=30))
    q = build_queue(col, Scheduler(col.settings()), KOLKATA_NOON + timedelta(days=30))
    assert len(q.review) == 3


def test_due_today_means_before_the_next_local_day_start_new_york_across_dst(
    tmp_path: Path,
) -> None:
    col = Collection(tmp_path / "ny.db")
    col.set_setting("timezone", "America/New_York")
    col.set_setting("fuzz", False)
    col.add_deck(small_deck(1), "x", KOLKATA_NOON)
    sched = Scheduler(col.settings())
    # Answer Easy on Sat 31 Oct 2026 at 20:00 EDT (00:00 UTC on 1 Nov): due in 8 days.
    with time_machine.travel(datetime(2026, 11, 1, 0, 0, tzinfo=UTC), tick=False):
        s = session(col)
        row = s.next_card()
        assert row is not None
        s.answer(row, Rating.Easy)
    due = col.card(row.uid).memory.due
    # Due on the learner's day 8 Nov (its day number + 8, as Anki stores it): from the start
    # of that day, 04:00 EST, not 8 x 24 hours after the answer.
    assert due == datetime(2026, 11, 8, 9, 0, tzinfo=UTC)
    # On 8 Nov the learner's day runs 04:00 EST (09:00 UTC) to 04:00 EST on the 9th.
    assert build_queue(col, sched, datetime(2026, 11, 8, 8, 59, tzinfo=UTC)).review == []
    assert [
        r.uid for r in build_queue(col, sched, datetime(2026, 11, 8, 9, 0, tzinfo=UTC)).review
    ] == [row.uid]


def test_siblings_are_not_shown_on_the_same_day(col: Collection) -> None:
    s = session(col)
    facts = [r.fact for r in s.news]
    assert len(facts) == len(set(facts))  # one card per fact in today's queue
    first = s.next_card()
    assert first is not None and first.fact == "acronym:ree"
    s.answer(first, Rating.Easy)
    later = session(col)
    assert "acronym:ree" not in {r.fact for r in later.news}


def test_learning_cards_come_back_within_the_session(
    col: Collection, frozen_time: time_machine.Traveller
) -> None:
    col.set_setting("new_per_day", 1)
    s = session(col)
    row = s.next_card()
    assert row is not None
    s.answer(row, Rating.Again)  # learning, due in 1 minute
    again = s.next_card()  # nothing else left: learn ahead (20 min) shows it now
    assert again is not None and again.uid == row.uid
    s.answer(again, Rating.Good)  # step 2: due in 10 minutes, within learn-ahead
    assert s.next_card() is not None
    s.answer(again, Rating.Good)  # graduates: review in days
    assert s.next_card() is None
    assert col.card(row.uid).memory.state == State.Review


def test_learning_card_due_beyond_learn_ahead_waits(
    col: Collection, frozen_time: time_machine.Traveller
) -> None:
    col.set_setting("learning_steps", [60, 3600])
    col.set_setting("new_per_day", 1)
    s = session(col)
    row = s.next_card()
    assert row is not None
    s.answer(row, Rating.Good)  # next step in an hour
    assert s.next_card() is None
    frozen_time.shift(timedelta(minutes=41))  # 19 minutes before it is due
    back = s.next_card()
    assert back is not None and back.uid == row.uid


def test_a_learning_card_suspended_or_answered_in_another_session_is_not_shown_again(
    col: Collection, tmp_path: Path, frozen_time: time_machine.Traveller
) -> None:
    # The session keeps today's learning cards between answers instead of asking for them
    # before every card; what another terminal did meanwhile must still count.
    col.set_setting("new_per_day", 2)
    s = session(col)
    first, second = s.next_card(), None
    assert first is not None
    s.answer(first, Rating.Again)
    second = s.next_card()
    assert second is not None and second.uid != first.uid
    s.answer(second, Rating.Again)
    assert s.counts() == (0, 2, 0)  # the screen's counts: both learning cards are known now
    other = Collection(tmp_path / "collection.db")
    other.set_flags(first.uid, suspended=1)
    elsewhere = session(other)
    row = other.card(second.uid)
    elsewhere.answer(row, Rating.Good)  # step 2: due in 10 minutes, not in 1
    later = other.card(second.uid).memory.due
    assert later is not None
    frozen_time.shift(timedelta(minutes=2))
    shown = s.next_card()  # learn-ahead: the second card, at its new due time
    assert shown is not None and shown.uid == second.uid and shown.memory.due == later
    assert s.counts() == (0, 1, 0)


def test_an_answer_with_a_stale_rowid_still_answers_its_own_card(col: Collection) -> None:
    # A VACUUM may renumber rowids under an open session: the uid decides, never the rowid.
    a, b = col.all_cards()[:2]
    sched = Scheduler(col.settings())

    def schedule(memory: Memory) -> tuple[Memory, int]:
        return sched.answer(memory, Rating.Good, KOLKATA_NOON), 0

    col.answer(a.uid, schedule, Rating.Good, KOLKATA_NOON, 1000, rowid=b.rowid)
    assert col.card(a.uid).memory.reps == 1
    assert col.card(b.uid).memory == b.memory
    assert [r["card"] for r in col.log(a.uid)] == [a.uid]
    assert col.conn.execute("pragma foreign_keys").fetchone()[0] == 1


def test_an_answer_that_keeps_the_state_still_moves_the_card_in_every_index(
    col: Collection,
) -> None:
    # Answers that leave a review a review skip the state column; the queue, which reads
    # the (state, due) index, must see the new due instant all the same.
    sched = Scheduler(col.settings())
    row = col.all_cards()[0]
    for rating in (Rating.Good, Rating.Good, Rating.Good, Rating.Good):
        now = col.card(row.uid).memory.due or KOLKATA_NOON

        def schedule(
            memory: Memory, now: datetime = now, rating: Rating = rating
        ) -> tuple[Memory, int]:
            return sched.answer(memory, rating, now), 0

        col.answer(row.uid, schedule, rating, now, 1000, rowid=row.rowid)
    after = col.card(row.uid)
    assert after.memory.state == State.Review and after.memory.due is not None
    indexed = col.conn.execute(
        "select uid from cards indexed by idx_cards_retired_suspended_state_due "
        "where retired = 0 and suspended = 0 and state = 2 and due = ?",
        [ts(after.memory.due)],
    ).fetchall()
    assert indexed == [(row.uid,)]
    assert col.conn.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_a_collection_from_before_m004_loses_the_log_index_by_card_and_keeps_its_log(
    col: Collection, tmp_path: Path
) -> None:
    s = session(col)
    row = s.next_card()
    assert row is not None
    s.answer(row, Rating.Good)
    col.conn.execute("create index idx_reviews_card_id on reviews (card, id)")
    col.conn.execute("delete from _sqlite_migrations where name = 'm004_log_in_time_order'")
    col.close()
    reopened = Collection(tmp_path / "collection.db")
    indexes = {r[0] for r in reopened.conn.execute("select name from sqlite_master")}
    assert "idx_reviews_card_id" not in indexes and "idx_reviews_reviewed_at" in indexes
    assert [r["card"] for r in reopened.log(row.uid)] == [row.uid]
    assert reopened.undo(reopened.conn.execute("select max(id) from reviews").fetchone()[0])
    assert reopened.card(row.uid).memory == row.memory


def test_a_session_folds_its_log_into_the_file_while_a_card_is_read_every_50_answers(
    col: Collection, tmp_path: Path
) -> None:
    # What the collection file alone holds (without its write-ahead log) is what survives
    # an operating-system crash under synchronous=NORMAL.
    def in_file_alone() -> int:
        copy = tmp_path / "file-alone.db"
        copy.write_bytes((tmp_path / "collection.db").read_bytes())
        con = sqlite3.connect(copy)
        try:
            return int(con.execute("select count(*) from reviews").fetchone()[0])
        finally:
            con.close()
            copy.unlink()

    col.set_setting("new_per_day", 80)
    col.set_setting("learning_steps", [])
    s = session(col)
    for _ in range(FOLD_EVERY - 1):
        row = s.next_card()
        assert row is not None
        s.idle()
        s.answer(row, Rating.Good)
    s.idle()
    assert in_file_alone() == 0  # not yet: SQLite's own checkpoint is held back too
    row = s.next_card()
    assert row is not None
    s.answer(row, Rating.Good)
    s.idle()
    assert in_file_alone() == FOLD_EVERY


def test_undo_restores_state_and_log_exactly(col: Collection, tmp_path: Path) -> None:
    s = session(col)
    row = s.next_card()
    assert row is not None
    s.answer(row, Rating.Good)
    second = s.next_card()
    assert second is not None
    before_card = col.db.execute("select * from cards where uid = ?", [second.uid]).fetchall()
    before_log = col.db.execute("select * from reviews order by id").fetchall()
    s.answer(second, Rating.Hard)
    assert len(col.db.execute("select * from reviews").fetchall()) == 2
    undone = s.undo()
    assert undone is not None and undone.uid == second.uid
    assert (
        col.db.execute("select * from cards where uid = ?", [second.uid]).fetchall() == before_card
    )
    assert col.db.execute("select * from reviews order by id").fetchall() == before_log
    assert s.next_card() == undone  # shown again


def test_suspend_and_bury(col: Collection, frozen_time: time_machine.Traveller) -> None:
    s = session(col)
    first = s.next_card()
    assert first is not None
    s.suspend(first)
    second = s.next_card()
    assert second is not None and second.uid != first.uid
    s.bury(second)
    queue_uids = {r.uid for r in session(col).news}
    assert first.uid not in queue_uids and second.uid not in queue_uids
    frozen_time.move_to(datetime(2026, 11, 25, 22, 30, tzinfo=UTC))  # next learner day
    queue_uids = {r.uid for r in session(col).news}
    assert second.uid in queue_uids and first.uid not in queue_uids
    col.set_flags(first.uid, suspended=0)
    assert first.uid in {r.uid for r in session(col).news}


def test_new_cards_come_in_deck_order(col: Collection) -> None:
    positions = [r.position for r in session(col).news]
    assert positions == sorted(positions)


def test_check_replays_every_card_from_its_log_with_fuzz_on(
    col: Collection, frozen_time: time_machine.Traveller
) -> None:
    col.set_setting("fuzz", True)
    col.set_setting("new_per_day", 100)
    ratings = [Rating.Good, Rating.Again, Rating.Easy, Rating.Good, Rating.Hard, Rating.Good]
    n = 0
    for _ in range(12):
        s = session(col)
        while (row := s.next_card()) is not None:
            s.answer(row, ratings[n % len(ratings)])
            n += 1
            frozen_time.shift(timedelta(minutes=2))
        frozen_time.shift(timedelta(days=1, hours=3))
    assert n > 150
    result = verify(col)
    assert result.checked == SHIPPED_CARDS and result.mismatches == []
    assert col.integrity() == "ok"
    # Tamper with one card: check notices.
    uid = next(r for r in col.all_cards() if r.memory.state == 2).uid
    col.db.execute("update cards set stability = stability * 2 where uid = ?", [uid])
    assert [u for u, _ in verify(col).mismatches] == [uid]


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    bad = tmp_path / "c.db"
    bad.write_bytes(b"hello, I am a text file\n" * 10)
    with pytest.raises(RecallError, match="not a recall collection"):
        Collection(bad)
    assert bad.read_bytes() == b"hello, I am a text file\n" * 10


def test_a_truncated_collection_is_refused(col: Collection, tmp_path: Path) -> None:
    col.close()
    path = tmp_path / "collection.db"
    data = path.read_bytes()
    trunc = tmp_path / "trunc.db"
    trunc.write_bytes(data[: len(data) // 3])
    with pytest.raises(RecallError, match=r"damaged|not SQLite|cannot open"):
        Collection(trunc)


def test_a_newer_schema_is_refused(col: Collection, tmp_path: Path) -> None:
    col.db.table("_sqlite_migrations").insert(
        {"migration_set": "recall", "name": "m999_future", "applied_at": "2030"}
    )
    col.close()
    with pytest.raises(RecallError, match="newer recall"):
        Collection(tmp_path / "collection.db")


def test_a_locked_collection_waits_then_fails_clearly(
    col: Collection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import recall.store

    monkeypatch.setattr(recall.store, "BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(tmp_path / "collection.db", isolation_level=None)
    other.execute("begin exclusive")
    try:
        with pytest.raises(RecallError, match="busy"):
            Collection(tmp_path / "collection.db").set_setting("new_per_day", 5)
    finally:
        other.execute("rollback")
        other.close()


def test_the_static_migration_names_match_the_registered_migrations() -> None:
    from recall.store import MIGRATION_NAMES, migrations

    assert tuple(m.name for m in migrations()._migrations) == MIGRATION_NAMES


def test_the_default_parameters_are_py_fsrs_defaults() -> None:
    import fsrs

    from recall.settings import DEFAULT_PARAMETERS

    assert tuple(fsrs.scheduler.DEFAULT_PARAMETERS) == DEFAULT_PARAMETERS


def test_recall_due_on_an_up_to_date_collection_imports_neither_sqlite_utils_nor_fsrs(
    col: Collection, tmp_path: Path
) -> None:
    """Both cost more to import than `recall due` costs to run; reads go straight to sqlite3."""
    import subprocess
    import sys

    col.close()
    code = (
        "import sys; from recall.cli import cli\n"
        f"cli.main(['due', '--db', {str(tmp_path / 'collection.db')!r}], standalone_mode=False)\n"
        "print('LOADED', [m for m in ('sqlite_utils', 'fsrs') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "india-us-critical" in out.stdout
    assert "LOADED []" in out.stdout


def test_a_collection_cut_short_after_its_first_pages_is_refused(
    col: Collection, tmp_path: Path
) -> None:
    """Caught from the header's page count alone, before any page is read."""
    col.close()
    data = (tmp_path / "collection.db").read_bytes()
    trunc = tmp_path / "cut.db"
    trunc.write_bytes(data[: len(data) - 4096])
    with pytest.raises(RecallError, match="damaged"):
        Collection(trunc)
