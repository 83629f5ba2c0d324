"""Real Anki answering cards on a faked clock: run by tests/anki_clock.py under libfaketime.

Reads one JSON command per line and writes one JSON answer per line. Anki's backend reads
the system clock, so before each answer this process writes the instant into the file that
libfaketime re-reads on every clock call (``FAKETIME_TIMESTAMP_FILE`` with
``FAKETIME_NO_CACHE=1`` and ``FAKETIME_FMT=%s``): the clock is frozen at exactly that second.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from anki.collection import Collection
from anki.scheduler.v3 import Scheduler as V3Scheduler


def _set_clock(epoch: int) -> None:
    Path(os.environ["FAKETIME_TIMESTAMP_FILE"]).write_text(f"{epoch}\n")


def _setup(cmd: dict[str, Any]) -> tuple[Collection, list[Any], dict[str, Any]]:
    _set_clock(cmd["created"])
    col = Collection(str(Path(tempfile.mkdtemp()) / "collection.anki2"))
    col.set_config("fsrs", True)
    col.set_config("loadBalancerEnabled", bool(cmd.get("load_balancer", False)))
    col.set_config("rollover", cmd["day_start_hour"])
    did = col.decks.id("Default")
    assert did is not None
    conf = col.decks.config_dict_for_deck_id(did)
    conf["fsrsParams6"] = cmd["parameters"]
    conf["desiredRetention"] = cmd["desired_retention"]
    conf["new"]["delays"] = [s / 60 for s in cmd["learning_steps"]]
    conf["lapse"]["delays"] = [s / 60 for s in cmd["relearning_steps"]]
    conf["rev"]["maxIvl"] = cmd["maximum_interval"]
    conf["new"]["perDay"] = 9999
    conf["rev"]["perDay"] = 9999
    if cmd.get("load_balancer"):
        conf["easyDaysPercentages"] = [p / 100 for p in cmd["easy_days"]]
        conf["rev"]["bury"] = bool(cmd.get("bury_reviews", False))
    col.decks.update_config(conf)
    model = col.models.by_name("Basic")
    assert model is not None
    ids = []
    for i in range(cmd["cards"]):
        note = col.new_note(model)
        note["Front"] = f"question {i}"
        col.add_note(note, did)
        ids.append(note.cards()[0].id)
    if cmd.get("load_balancer"):
        # The balancer counts every card whose ``due`` lies in the coming days, new cards
        # too, whose ``due`` is their position: move them out of any day range it reads.
        col.sched.reposition_new_cards(ids, 1_000_000, 1, randomize=False, shift_existing=False)
    return col, ids, {"ids": ids, "crt": col.crt}


def _answer(col: Collection, cmd: dict[str, Any]) -> tuple[Collection, dict[str, Any]]:
    """Answer one card at ``cmd["at"]`` in a freshly opened collection.

    Anki caches its day (``scheduler_info`` in ``rslib/src/scheduler/mod.rs``) until the
    cached rollover passes, so an Anki left open across a DST switch keeps the old offset's
    rollover for a day. Each answer here is what a learner who opens Anki then would get.
    """
    _set_clock(cmd["at"])
    cid = cmd["card"]
    card = col.get_card(cid)
    reps_before = card.reps
    card.start_timer()
    if col.get_config("loadBalancerEnabled"):
        queued = col.sched
        assert isinstance(queued, V3Scheduler)
        queued.get_queued_cards()  # the balancer is built with the queues
    states = col._backend.get_scheduling_states(cid)
    if col.get_config("loadBalancerEnabled"):
        # This Anki answers only the top of a built queue; the balanced states are taken,
        # and the answer given on a fresh open (what the states say is what is stored).
        path = col.path
        col.close()
        col = Collection(path)
    sched = col.sched
    assert isinstance(sched, V3Scheduler)
    answer = sched.build_answer(card=card, states=states, rating=cmd["rating"] - 1)
    sched.answer_card(answer)
    card = col.get_card(cid)
    memory = card.memory_state
    return col, {
        "today": col.sched.today,
        "type": card.type,
        "queue": card.queue,
        "due": card.due,
        "ivl": card.ivl,
        "reps_before": reps_before,
        "stability": memory.stability if memory else None,
        "difficulty": memory.difficulty if memory else None,
    }


def main() -> None:
    col: Collection | None = None
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "setup":
            col, _, out = _setup(cmd)
        else:
            assert col is not None
            path = col.path
            col.close()
            col = Collection(path)
            col, out = _answer(col, cmd)
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    if col is not None:
        col.close()


if __name__ == "__main__":
    main()
