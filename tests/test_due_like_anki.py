"""`recall due` beside Anki's own counts for the same collection, exported with scheduling.

Every recall card is its own note in Anki, and Anki buries only cards of one note, so Anki
counts today the siblings recall holds back (another card of the same fact is due or was
answered). `recall due` says how many those are; shown + waiting must be Anki's count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, timedelta
from pathlib import Path

from recall.deckfile import read_deck
from recall.memory import Rating
from recall.store import Collection
from recall.study.schedule import Scheduler
from recall.study.session import Session
from tests.anki_clock import libfaketime
from tests.conftest import NOW, SHIPPED_DECK_FILE, run


def _anki_counts(package: Path, rollover: int, new: int, review: int) -> dict[str, list[int]]:
    env = {
        **os.environ,
        "TZ": "UTC",
        "LD_PRELOAD": libfaketime(),
        "FAKETIME": "@" + NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    script = Path(__file__).with_name("anki_counts.py")
    args = [sys.executable, str(script), str(package), str(rollover), str(new), str(review)]
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    counts: dict[str, list[int]] = json.loads(out)
    return counts


def _studied_collection(db: Path) -> tuple[Collection, int]:
    """The shipped deck with every card of its first multi-card facts answered on the same
    days (so siblings fall due together today), one of them lapsed into relearning."""
    col = Collection(db)
    col.set_setting("timezone", "UTC")
    col.set_setting("fuzz", False)
    col.set_setting("new_per_day", 5)
    deck = read_deck(SHIPPED_DECK_FILE)
    col.add_deck(deck, str(SHIPPED_DECK_FILE), NOW - timedelta(days=30))
    by_fact: dict[str, list[str]] = {}
    for card in deck.active:
        by_fact.setdefault(card.fact, []).append(card.id)
    groups = [ids for ids in by_fact.values() if len(ids) > 1][:6]
    uids = [f"{deck.slug}:{cid}" for ids in groups for cid in ids]
    clock = [NOW - timedelta(days=12)]
    session = Session(col, Scheduler(col.settings()), clock=lambda: clock[0])
    start = clock[0]
    for step, minutes in enumerate((0, 2, 12)):  # new → learning → review on the first day
        for i, uid in enumerate(uids):
            clock[0] = start + timedelta(minutes=minutes, seconds=i)
            session.answer(col.card(uid), Rating.Good)
        assert step < 3
    clock[0] = NOW - timedelta(hours=2)
    session.answer(col.card(uids[0]), Rating.Again)  # relearning, due again by now
    return col, len(groups)


def test_due_shown_plus_waiting_for_a_sibling_is_annkis_count_for_the_same_collection(
    tmp_path: Path,
) -> None:
    db = tmp_path / "c.db"
    col, facts = _studied_collection(db)
    settings = col.settings()
    titles = col.deck_titles()
    col.close()
    result = run("due", "--db", str(db), "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    out = tmp_path / "sched.apkg"
    assert run("export", "--db", str(db), "--with-scheduling", "-o", str(out)).exit_code == 0
    anki = _anki_counts(
        out, settings.day_start_hour, settings.new_per_day, settings.reviews_per_day
    )
    (deck,) = data["decks"]
    (anki_deck,) = [name for name in anki if name.endswith("::" + titles[deck["deck"]])]
    waiting = deck["waiting_for_sibling"]
    shown = [deck[k] for k in ("new", "learning", "review")]
    assert waiting["review"] >= facts - 1  # each fact studied shows one card today
    assert anki[anki_deck] == [
        n + waiting[k] for n, k in zip(shown, ("new", "learning", "review"), strict=True)
    ]
    # On screen: the shown counts, then the waiting ones and why Anki counts them.
    screen = run("due", "--db", str(db)).output.splitlines()
    assert screen[1] == f"today: {shown[0]} new, {shown[1]} learning, {shown[2]} review"
    assert screen[2] == (
        f"  {waiting['review']} review more wait for another day: another card of their fact is due"
    )
    assert (
        screen[3] == "  or was answered today (Anki buries only cards of one note: it counts them)"
    )
    # With sibling burying off, recall's counts are Anki's and nothing is said about waiting.
    col = Collection(db)
    col.set_setting("bury_siblings", False)
    col.close()
    unburied = json.loads(run("due", "--db", str(db), "--json").output)
    assert [unburied["total"][k] for k in ("new", "learning", "review")] == anki[anki_deck]
    assert not any(unburied["waiting_for_sibling"].values())
    assert "wait for" not in run("due", "--db", str(db)).output
