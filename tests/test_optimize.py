"""recall optimize: fitting on histories drawn from known parameters, refusing thin data,
applying, reverting exactly, and keeping `recall check` true throughout."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import pytest
import time_machine

from recall.cards import Card
from recall.deckfile import Deck
from recall.memory import Rating
from recall.settings import DEFAULT_PARAMETERS
from recall.store import Collection
from recall.study.replay import verify
from recall.study.schedule import Scheduler, log_stamp
from tests.conftest import run

START = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
END = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
# A learner whose memory differs from FSRS's defaults: first stabilities far longer, and
# forgetting after a lapse much gentler. The fit should find its way towards these.
TRUE = list(DEFAULT_PARAMETERS)
TRUE[0:4] = [1.2, 4.0, 9.0, 30.0]
TRUE[11] = 0.8


def simulate(path: Path, cards: int = 320, seed: int = 7) -> Collection:
    """A collection whose review log was produced by a learner who forgets as TRUE says.

    Cards are scheduled by recall (default parameters, no fuzz) and reviewed a little late
    at times; whether each is remembered is drawn from TRUE's retrievability at that moment.
    """
    rng = random.Random(seed)
    col = Collection(path)
    col.set_setting("timezone", "UTC")
    col.set_setting("fuzz", False)
    deck = Deck("sim", "Simulated", [
        Card(id=f"c{i}", kind="basic", fact=f"f{i}", front=f"Q{i}?", back=f"A{i}").stamped()
        for i in range(cards)
    ])  # fmt: skip
    col.add_deck(deck, "sim.toml", START)
    sched = Scheduler(col.settings())
    truth = fsrs.Scheduler(parameters=TRUE, enable_fuzzing=False, learning_steps=(),
                           relearning_steps=())  # fmt: skip
    for i in range(cards):
        uid = f"sim:c{i}"
        when = START + timedelta(days=rng.uniform(0, 60), hours=rng.uniform(0, 10))
        true_card = fsrs.Card(card_id=i)
        while when < END:
            memory = col.card(uid).memory
            if true_card.last_review is None:
                rating = Rating.Good
            else:
                r = truth.get_card_retrievability(true_card, when)
                rating = (
                    Rating.Again
                    if rng.random() > r
                    else rng.choice(
                        [Rating.Hard, Rating.Good, Rating.Good, Rating.Good, Rating.Easy]
                    )
                )
            true_card, _ = truth.review_card(true_card, fsrs.Rating(int(rating)), when)
            after = sched.answer(memory, rating, when)
            stamp = log_stamp(sched, when)
            col.answer(uid, lambda _memory, a=after: (a, 0), rating, when, 5000, stamp=stamp)  # type: ignore[misc]
            assert after.due is not None
            when = max(after.due, when + timedelta(hours=1)) + timedelta(
                days=rng.choice([0, 0, 0, 1, 2]), hours=rng.uniform(0, 3)
            )
    return col


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sim") / "collection.db"
    with time_machine.travel(END, tick=False):
        simulate(path).close()
    return path


def copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "collection.db"
    dst.write_bytes(src.read_bytes())
    return dst


def memories(path: Path) -> dict[str, tuple[object, ...]]:
    col = Collection(path)
    names = "state, step, stability, difficulty, due, last_review, reps, lapses"
    out = {uid: tuple(rest) for uid, *rest in col.conn.execute(f"select uid, {names} from cards")}
    col.close()
    return out


def test_fitted_parameters_beat_the_defaults_on_held_out_reviews(
    simulated: Path, tmp_path: Path
) -> None:
    db = copy(simulated, tmp_path)
    result = run("optimize", "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["test_items"] >= 100 and found["train_items"] >= 4 * found["test_items"] - 4
    assert found["fitted_log_loss"] < found["default_log_loss"]
    assert found["better"] is True
    # Towards the truth: the fitted first-review stabilities are far longer than the defaults.
    assert found["parameters"][2] > 2 * DEFAULT_PARAMETERS[2]


def test_too_little_history_is_refused_with_the_numbers(tmp_path: Path) -> None:
    db = tmp_path / "small.db"
    with time_machine.travel(END, tick=False):
        simulate(db, cards=12).close()
    result = run("optimize", "--db", str(db))
    assert result.exit_code == 2
    assert "not enough review history to optimize" in result.stderr
    assert "at least 400 are needed" in result.stderr and result.stderr.count("\n") == 1


def test_apply_reschedules_in_one_go_and_revert_restores_every_card_exactly(
    simulated: Path, tmp_path: Path
) -> None:
    db = copy(simulated, tmp_path)
    before = memories(db)
    applied = run("optimize", "--db", str(db), "--apply")
    assert applied.exit_code == 0, applied.output
    assert "cards rescheduled" in applied.output
    after = memories(db)
    changed = [uid for uid in before if before[uid] != after[uid]]
    assert len(changed) > 200
    col = Collection(db)
    assert verify(col).mismatches == []  # the log still explains every card
    fitted = col.settings().parameters
    assert fitted != DEFAULT_PARAMETERS and len(fitted) == 21
    col.close()
    assert Collection(db).settings().parameters == fitted  # survives reopening
    assert "fitted to your reviews on" in run("config", "parameters", "--db", str(db)).output

    reverted = run("optimize", "--db", str(db), "--revert")
    assert reverted.exit_code == 0 and "reverted to the default parameters" in reverted.output
    assert memories(db) == before
    col = Collection(db)
    assert col.settings().parameters == DEFAULT_PARAMETERS
    assert verify(col).mismatches == []
    col.close()
    assert run("optimize", "--db", str(db), "--revert").exit_code == 2  # nothing left to revert


def test_answers_after_an_apply_still_replay_and_a_revert_recomputes_them(
    simulated: Path, tmp_path: Path, frozen_time: time_machine.Traveller
) -> None:
    db = copy(simulated, tmp_path)
    assert run("optimize", "--db", str(db), "--apply").exit_code == 0
    frozen_time.move_to(datetime(2026, 12, 20, 9, 0, tzinfo=UTC))
    result = run("review", "--db", str(db), "--limit", "5", input=" \n3\n" * 5 + "q\n")
    assert result.exit_code == 0 and "5 cards" in result.output
    col = Collection(db)
    assert verify(col).mismatches == []
    col.close()
    frozen_time.shift(timedelta(minutes=5))
    assert run("optimize", "--db", str(db), "--revert").exit_code == 0
    col = Collection(db)
    assert verify(col).mismatches == []
    col.close()


def test_the_fit_counts_past_days_as_the_log_recorded_them_not_by_todays_settings(
    simulated: Path, tmp_path: Path
) -> None:
    from recall.study import optimize

    db = copy(simulated, tmp_path)
    col = Collection(db)
    history = col.review_history()
    before = {
        uid: optimize._reviews(log, Scheduler(col.settings()))[1] for uid, log in history.items()
    }
    col.set_setting("day_start_hour", 15)
    col.set_setting("timezone", "Pacific/Auckland")
    moved = Scheduler(col.settings())
    after = {uid: optimize._reviews(log, moved)[1] for uid, log in col.review_history().items()}
    assert after == before
    # Counted with today's settings instead, the same log would give other gaps.
    unrecorded = {
        uid: optimize._reviews([(at, r, None) for at, r, _ in log], moved)[1]
        for uid, log in history.items()
    }
    assert sum(unrecorded[uid] != before[uid] for uid in before) > len(before) // 10
    col.close()
