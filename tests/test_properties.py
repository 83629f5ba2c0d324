"""Properties over random sequences of a learner's actions: the stored state always equals
the replay of the log, and the queue never shows a suspended or buried card (unless undo
took the suspend or bury back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import given, settings
from hypothesis import strategies as st

from recall.cards import Card
from recall.deckfile import Deck
from recall.memory import Rating
from recall.store import Collection
from recall.study.replay import verify
from recall.study.schedule import Scheduler
from recall.study.session import Session

START = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)

actions = st.lists(
    st.one_of(
        st.tuples(st.just("answer"), st.sampled_from(list(Rating))),
        st.tuples(st.just("undo"), st.none()),
        st.tuples(st.just("suspend"), st.none()),
        st.tuples(st.just("bury"), st.none()),
        st.tuples(st.just("wait"), st.sampled_from([1, 9, 30, 600, 3600, 86400, 5 * 86400])),
        st.tuples(st.just("new session"), st.none()),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(steps=actions, fuzz=st.booleans())
def test_state_equals_the_replay_and_the_queue_hides_suspended_and_buried(
    steps: list[tuple[str, object]], fuzz: bool
) -> None:
    with TemporaryDirectory() as tmp:
        col = Collection(Path(tmp) / "c.db")
        col.set_setting("timezone", "Asia/Kolkata")
        col.set_setting("fuzz", fuzz)
        cards = [
            Card(
                id=f"c{i}", kind="basic", fact=f"f{i // 2}", front=f"Q{i}?", back=f"A{i}"
            ).stamped()
            for i in range(8)
        ]
        col.add_deck(Deck("d", "D", cards), "d.toml", START)
        now = [START]
        session = Session(col, Scheduler(col.settings()), clock=lambda: now[0])
        hidden: set[str] = set()
        for action, arg in steps:
            row = session.next_card()
            if row is not None:
                stored = col.card(row.uid)
                assert row.uid not in hidden and not stored.suspended
                assert (
                    stored.buried_until is None
                    or stored.buried_until <= session.sched.day(now[0]).isoformat()
                )
            if action == "answer" and row is not None:
                session.answer(row, arg)  # type: ignore[arg-type]
            elif action == "undo":
                what = session.last_action()
                undone = session.undo()
                if what == "suspend" and undone is not None:
                    hidden.discard(undone.uid)  # undo takes a suspend back too
            elif action == "suspend" and row is not None:
                session.suspend(row)
                hidden.add(row.uid)
            elif action == "bury" and row is not None:
                session.bury(row)
            elif action == "wait":
                now[0] += timedelta(seconds=arg)  # type: ignore[arg-type]
            elif action == "new session":
                session = Session(col, Scheduler(col.settings()), clock=lambda: now[0])
        assert verify(col).mismatches == []
        col.close()
