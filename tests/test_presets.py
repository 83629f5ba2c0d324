"""Presets per deck, as Anki's deck options: each deck's retention, steps, maximum interval,
limits and parameters come from its preset; limits count per deck and for the collection;
each answer records the preset version it used, so switching presets leaves `recall check`
clean; `recall preset` refuses bad input in one line and changes nothing."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from recall.memory import Rating, State
from recall.settings import DEFAULT_PARAMETERS
from recall.store import Collection
from recall.study.queue import build_queue
from recall.study.replay import verify
from recall.study.schedule import Scheduler
from recall.study.session import Session
from tests.conftest import run
from tests.test_collection import small_deck

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _two_decks(tmp_path: Path, n: int = 8) -> Collection:
    col = Collection(tmp_path / "c.db")
    col.set_setting("timezone", "Asia/Kolkata")
    col.add_deck(small_deck(n, "hi"), "hi", START)
    col.add_deck(small_deck(n, "lo"), "lo", START)
    return col


def _study(
    col: Collection, traveller: time_machine.Traveller, days: int, deck: str | None = None
) -> int:
    """Answer everything due each day, Good except every fifth answer (Again)."""
    n = 0
    for _ in range(days):
        s = Session(col, Scheduler(col.settings()), deck=deck)
        while (row := s.next_card()) is not None:
            s.answer(row, Rating.Again if n % 5 == 4 else Rating.Good)
            n += 1
            traveller.shift(timedelta(minutes=2))
        traveller.shift(timedelta(hours=23))
    return n


def _intervals(col: Collection, deck: str) -> dict[str, int]:
    return {
        r.id: r.memory.interval or 0
        for r in col.all_cards()
        if r.deck == deck and r.memory.state == State.Review
    }


def test_a_deck_on_095_retention_gets_shorter_intervals_than_one_on_085(tmp_path: Path) -> None:
    col = _two_decks(tmp_path)
    col.set_setting("fuzz", False)  # the same answers give the same days in both decks
    col.set_preset("high", "desired_retention", 0.95)
    col.set_preset("low", "desired_retention", 0.85)
    col.use_preset("high", "hi")
    col.use_preset("low", "lo")
    with time_machine.travel(START, tick=False) as traveller:
        # One deck at a time, so card i of each deck gets the same ratings at the same gaps.
        for _ in range(20):
            for deck in ("hi", "lo"):
                s = Session(col, Scheduler(col.settings()), deck=deck)
                n = 0
                while (row := s.next_card()) is not None:
                    s.answer(row, Rating.Again if n % 5 == 4 else Rating.Good)
                    n += 1
            traveller.shift(timedelta(days=1))
    hi, lo = _intervals(col, "hi"), _intervals(col, "lo")
    assert hi.keys() == lo.keys() and len(hi) >= 6
    assert all(hi[c] <= lo[c] for c in hi)
    assert sum(hi[c] < lo[c] for c in hi) >= len(hi) // 2
    assert sum(hi.values()) < 0.75 * sum(lo.values())
    assert verify(col).mismatches == []


def test_new_and_review_limits_count_per_deck_and_for_the_collection(tmp_path: Path) -> None:
    col = _two_decks(tmp_path, 12)
    col.set_preset("few", "new_per_day", 3)
    col.use_preset("few", "hi")
    sched = Scheduler(col.settings())
    whole = build_queue(col, sched, START)
    assert [sum(e.deck == d for e in whole.new) for d in ("hi", "lo")] == [3, 12]
    assert len(build_queue(col, sched, START, "hi").new) == 3
    col.set_setting("new_per_day", 5)  # the default preset caps the whole collection
    sched = Scheduler(col.settings())
    whole = build_queue(col, sched, START)
    assert len(whole.new) == 5 and sum(e.deck == "hi" for e in whole.new) <= 3
    assert len(build_queue(col, sched, START, "lo").new) == 5
    # What was answered today counts against the deck's own limit, across sessions.
    with time_machine.travel(START, tick=False):
        s = Session(col, sched, deck="hi", limit=2)
        while (row := s.next_card()) is not None:
            s.answer(row, Rating.Easy)
        assert len(build_queue(col, sched, START, "hi").new) == 1
    # Reviews: a preset allowing 2 a day holds its deck's due cards to 2.
    col.set_preset("few", "reviews_per_day", 2)
    col.set_setting("new_per_day", 20)
    with time_machine.travel(START, tick=False) as traveller:
        _study(col, traveller, 1)
        later = START + timedelta(days=40)
        queue = build_queue(col, Scheduler(col.settings()), later)
        assert sum(e.deck == "hi" for e in queue.review) == 2
        assert sum(e.deck == "lo" for e in queue.review) > 2


def test_check_stays_clean_after_switching_or_changing_a_decks_preset(tmp_path: Path) -> None:
    col = _two_decks(tmp_path)
    own = [round(w * 1.1, 4) if i in (0, 1, 2, 3) else w for i, w in enumerate(DEFAULT_PARAMETERS)]
    col.set_preset("fitted", "parameters", own)
    col.set_preset("fitted", "learning_steps", [300])
    col.set_preset("fitted", "desired_retention", 0.8)
    col.set_preset("other", "maximum_interval", 30)
    col.use_preset("fitted", "hi")
    with time_machine.travel(START, tick=False) as traveller:
        assert _study(col, traveller, 6) > 30
        assert verify(col).mismatches == []
        col.use_preset("other", "hi")  # other parameters, steps and maximum from now on
        assert verify(col).mismatches == []
        _study(col, traveller, 6)
        col.set_preset("other", "desired_retention", 0.97)  # a preset changed in place
        col.set_preset("other", "relearning_steps", [60, 600])
        _study(col, traveller, 6)
        col.use_preset("default", "hi")
        _study(col, traveller, 3)
    assert verify(col).mismatches == []
    with sqlite3.connect(tmp_path / "c.db") as conn:
        versions = conn.execute("select count(distinct preset) from reviews").fetchone()[0]
        assert versions >= 4  # fitted, other, other changed, default
        # The record is what keeps it clean: without it the fitted answers replay wrong.
        conn.execute("update reviews set preset = null")
    assert verify(Collection(tmp_path / "c.db")).mismatches != []


def _preset_tables(db: Path) -> list[object]:
    with sqlite3.connect(db) as conn:
        return [
            conn.execute("select * from presets order by name").fetchall(),
            conn.execute("select slug, preset from decks order by slug").fetchall(),
            conn.execute("select key, value from config order by key").fetchall(),
        ]


@pytest.mark.parametrize(
    "args",
    [
        ("tight", "desired_retention", "1.5"),
        ("tight", "new_per_day", "-5"),
        ("tight", "learning_steps", "1x"),
        ("tight", "maximum_interval", ""),
        ("tight", "parameters", "1 2 3"),
        ("tight", "colour", "red"),
        ("tight", "day_start_hour", "5"),  # a collection setting, not a preset's
        ("bad name", "new_per_day", "5"),
        ("use", "new_per_day", "5"),
        ("default", "reviews_per_day", "many"),
        ("use", "nope", "--deck", "hi"),
        ("use", "tight", "--deck", "nodeck"),
        ("use", "tight"),
        ("tight", "new_per_day"),
    ],
)
def test_bad_preset_input_is_one_line_exit_2_and_changes_nothing(
    recall_home: Path, args: tuple[str, ...]
) -> None:
    recall_home.mkdir(parents=True, exist_ok=True)
    db = recall_home / "collection.db"
    col = Collection(db)
    col.add_deck(small_deck(3, "hi"), "hi", START)
    col.close()
    assert run("preset", "tight", "new_per_day", "7").exit_code == 0
    before = _preset_tables(db)
    result = run("preset", "--", *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("recall: error: ")
    assert "Traceback" not in result.output + result.stderr
    assert _preset_tables(db) == before


def test_preset_lists_sets_and_gives_a_deck_its_preset(recall_home: Path) -> None:
    recall_home.mkdir(parents=True, exist_ok=True)
    col = Collection(recall_home / "collection.db")
    col.add_deck(small_deck(3, "hi"), "hi", START)
    col.add_deck(small_deck(3, "lo"), "lo", START)
    col.close()
    assert run("preset", "mains", "learning_steps", "1m 10m 1h").output == (
        "mains: learning_steps = 60 600 3600\n"
    )
    assert run("preset", "use", "mains", "--deck", "hi").output == "deck hi uses preset mains\n"
    listing = run("preset").output
    assert "default: decks lo\n" in listing and "mains: decks hi\n" in listing
    assert "  learning_steps = 60 600 3600\n" in listing
    assert "  parameters = the collection's\n" in listing
    # The default preset is the collection's settings: setting it is `recall config`.
    assert run("preset", "default", "new_per_day", "12").exit_code == 0
    assert run("config", "new_per_day").output == "new_per_day = 12\n"


def test_export_writes_each_decks_preset_into_its_cards(tmp_path: Path) -> None:
    from recall.anki.export import from_collection

    col = _two_decks(tmp_path, 4)
    col.set_preset("high", "desired_retention", 0.95)
    col.use_preset("high", "hi")
    with time_machine.travel(START, tick=False) as traveller:
        _study(col, traveller, 3)
        sched, now = Scheduler(col.settings()), START + timedelta(days=3)
        for deck, retention in (("hi", 0.95), ("lo", 0.9)):
            states = [c.state for c in from_collection(col, deck, sched=sched, now=now).cards]
            datas = [json.loads(s.data) for s in states if s is not None]
            assert datas and {d["dr"] for d in datas} == {retention}
