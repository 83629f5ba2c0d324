"""Settings that cannot rewrite the past: each log row keeps its learner day, zone, day-start
hour and steps, so changing them later leaves `recall check` clean; m005 stamps old rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from recall.memory import Rating, State
from recall.settings import Settings
from recall.store import Collection
from recall.study.replay import verify
from recall.study.schedule import Scheduler
from recall.study.session import Session
from tests.test_collection import small_deck

START = datetime(2026, 10, 28, 13, 0, tzinfo=UTC)  # 09:00 in New York, before the switch


def _study(col: Collection, traveller: time_machine.Traveller, days: int) -> int:
    """Answer everything due, day after day, with a rotating mix of ratings."""
    ratings = [Rating.Good, Rating.Again, Rating.Easy, Rating.Good, Rating.Hard, Rating.Good]
    n = 0
    for _ in range(days):
        s = Session(col, Scheduler(col.settings()))
        while (row := s.next_card()) is not None:
            s.answer(row, ratings[n % len(ratings)])
            n += 1
            traveller.shift(timedelta(minutes=3))
        traveller.shift(timedelta(hours=21))
    return n


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("day_start_hour", 10),
        ("timezone", "Asia/Kolkata"),
        ("learning_steps", [300]),
        ("relearning_steps", [60, 1200]),
    ],
)
def test_changing_a_calendar_or_step_setting_leaves_check_clean(
    tmp_path: Path, key: str, value: object
) -> None:
    col = Collection(tmp_path / "c.db")
    col.set_setting("timezone", "America/New_York")
    col.add_deck(small_deck(12), "x", START)
    with time_machine.travel(START, tick=False) as traveller:
        answered = _study(col, traveller, 8)  # across the November DST switch
        assert answered > 40 and verify(col).mismatches == []
        col.set_setting(key, value)
        assert verify(col).mismatches == []  # the past is as it was
        answered += _study(col, traveller, 4)  # and the future follows the new setting
    assert verify(col).mismatches == []
    rows = col.conn.execute("select distinct zone, day_start_hour from reviews").fetchall()
    assert len(rows) == (1 if key.endswith("steps") else 2)


def test_each_log_row_records_its_day_zone_hour_and_steps(tmp_path: Path) -> None:
    col = Collection(tmp_path / "c.db")
    col.set_setting("timezone", "America/New_York")
    col.add_deck(small_deck(1), "x", START)
    # 04:30 EST on 1 Nov 2026, the morning the clocks went back: already learner day 1 Nov.
    at = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        s = Session(col, Scheduler(col.settings()))
        row = s.next_card()
        assert row is not None
        s.answer(row, Rating.Easy)
    (log,) = col.log(row.uid)
    assert (log["day"], log["zone"], log["day_start_hour"]) == (
        "2026-11-01",
        "America/New_York",
        4,
    )
    assert (log["learning_steps"], log["relearning_steps"]) == ("60 600", "600")
    after = col.card(row.uid).memory
    assert after.state == State.Review and log["interval_after"] == after.interval


def test_m005_stamps_old_log_rows_and_resolves_the_local_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    path = tmp_path / "c.db"
    col = Collection(path)
    col.add_deck(small_deck(3), "x", START)
    with time_machine.travel(datetime(2026, 11, 24, 22, 45, tzinfo=UTC), tick=False):
        s = Session(col, Scheduler(col.settings()))
        while (row := s.next_card()) is not None:
            s.answer(row, Rating.Good)
    # Make the file look like an m004 one: no stamps, the zone setting still "local".
    col.conn.execute(
        "update reviews set day = null, zone = null, day_start_hour = null, "
        "learning_steps = null, relearning_steps = null"
    )
    col.conn.execute("update config set value = ? where key = 'timezone'", [json.dumps("local")])
    col.conn.execute("delete from _sqlite_migrations where name = 'm005_calendar_in_the_log'")
    for table in ("reviews", "reschedules"):
        col.conn.execute(f"alter table {table} drop column interval_before")
        col.conn.execute(f"alter table {table} drop column interval_after")
    for name in ("day", "zone", "day_start_hour", "learning_steps", "relearning_steps"):
        col.conn.execute(f"alter table reviews drop column {name}")
    col.conn.execute("alter table cards drop column interval")
    col.close()
    monkeypatch.setenv("TZ", "America/New_York")  # the machine has moved since
    reopened = Collection(path)
    assert reopened.settings().timezone == "America/New_York"
    days = {r[0] for r in reopened.conn.execute("select day from reviews")}
    # 04:15 in Kolkata on 25 Nov, but 17:45 on the 24th in New York: stamped in the zone in
    # force when the file is upgraded, which is the one it was last studied in.
    assert days == {"2026-11-24"}
    assert verify(reopened).mismatches == []


def test_the_local_zone_of_a_new_collection_is_stored_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Kathmandu")
    col = Collection(tmp_path / "c.db")
    assert col.settings().timezone == "Asia/Kathmandu"


def test_a_posix_tz_string_does_not_break_the_calendar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "IST-5:30")
    sched = Scheduler(Settings(timezone="local"))
    assert isinstance(sched.day(datetime(2026, 11, 25, 6, 30, tzinfo=UTC)), date)


def _exported_schedule(col: Collection, now: datetime) -> dict[str, tuple[int, tuple[Any, ...]]]:
    from recall.anki.export import from_collection

    deck = from_collection(col, "d", sched=Scheduler(col.settings()), now=now)
    return {
        c.card.id: (c.state.ivl, tuple((r[0], r[2], r[3]) for r in c.state.revlog))
        for c in deck.cards
        if c.state is not None
    }


def test_export_keeps_past_intervals_when_the_day_start_or_zone_changes(tmp_path: Path) -> None:
    col = Collection(tmp_path / "c.db")
    col.set_setting("timezone", "America/New_York")
    col.add_deck(small_deck(12), "x", START)
    with time_machine.travel(START, tick=False) as traveller:
        _study(col, traveller, 8)  # across the November DST switch
        now = datetime.now(UTC)
    before = _exported_schedule(col, now)
    assert sum(1 for ivl, _ in before.values() if ivl > 1) > 3
    col.set_setting("timezone", "Pacific/Auckland")
    col.set_setting("day_start_hour", 15)
    assert _exported_schedule(col, now) == before  # the intervals the answers gave
