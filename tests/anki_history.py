"""Build a real Anki collection with months of reviews, and export it with Anki's own exporter.

Run as a script under libfaketime (``FAKETIME_TIMESTAMP_FILE`` set, ``FAKETIME_NO_CACHE=1``,
``TZ=UTC``): Anki's scheduler reads the clock in Rust, which only a preloaded fake clock can
move, so each simulated day is written to the timestamp file before its answers. The notes
are of Anki's stock types (Basic, Basic and reversed, Cloze) and one type recall does not
know; one note shows a picture. FSRS is on. Cards end in every queue: new, learning,
review, relearning, suspended and buried.

    python -m tests.anki_history OUT_DIR NOTES DAYS
"""

from __future__ import annotations

import os
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anki.decks import DeckId

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a3b6c9640000000049454e44ae426082"
)


def set_clock(when: datetime) -> None:
    Path(os.environ["FAKETIME_TIMESTAMP_FILE"]).write_text(
        when.strftime("@%Y-%m-%d %H:%M:%S\n"), encoding="ascii"
    )


def build(out: Path, notes: int, days: int) -> None:
    set_clock(START)
    from anki.collection import Collection, ExportAnkiPackageOptions
    from anki.decks import DeckId
    from anki.import_export_pb2 import ExportLimit
    from anki.scheduler.v3 import CardAnswer
    from anki.scheduler.v3 import Scheduler as V3

    col = Collection(str(out / "anki" / "collection.anki2"))
    col.set_config("fsrs", True)
    deck = DeckId(col.decks.id("UPSC::Polity::Rights") or 0)
    other = DeckId(col.decks.id("UPSC::Geography") or 0)
    col.decks.select(DeckId(col.decks.id("UPSC") or 0))  # study the whole tree
    sched = col.sched
    assert isinstance(sched, V3)
    _add_notes(col, notes, deck, other)
    rng = random.Random(15)
    ratings = [CardAnswer.AGAIN, CardAnswer.HARD, CardAnswer.GOOD, CardAnswer.EASY]
    weights = [1, 1, 6, 1]
    for day in range(days):
        when = START + timedelta(days=day)
        for _ in range(3):  # answer what is due, twice more within the day for learning
            set_clock(when)
            queued = sched.get_queued_cards(fetch_limit=200)
            for qc in queued.cards:
                card = col.get_card(qc.card.id)
                card.start_timer()
                rating = rng.choices(ratings, weights)[0]
                answer = sched.build_answer(card=card, states=qc.states, rating=rating)
                sched.answer_card(answer)
            when += timedelta(minutes=15)
    set_clock(START + timedelta(days=days, hours=1))
    _add_notes(col, 8, deck, other, first=notes)  # still new at export
    # A last session that goes badly: new cards into learning, reviews into relearning.
    for qc in sched.get_queued_cards(fetch_limit=12).cards:
        card = col.get_card(qc.card.id)
        card.start_timer()
        sched.answer_card(sched.build_answer(card=card, states=qc.states, rating=ratings[0]))
    _add_notes(col, 4, deck, other, first=notes + 8)  # never studied
    studied = col.find_cards("-is:new -is:learn")
    col.sched.suspend_cards(studied[:3])
    col.sched.bury_cards(studied[3:5])
    col.sched.suspend_cards(col.find_cards("is:new")[:2])
    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=True, with_media=True, legacy=False
    )
    col.export_anki_package(out_path=str(out / "history.apkg"), options=options,
                            limit=ExportLimit())  # fmt: skip
    legacy = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=True, with_media=True, legacy=True
    )
    col.export_anki_package(out_path=str(out / "legacy.apkg"), options=legacy,
                            limit=ExportLimit())  # fmt: skip
    col.close()
    col = Collection(str(out / "anki" / "collection.anki2"))
    col.export_collection_package(str(out / "history.colpkg"), include_media=True, legacy=False)
    col.close()


def _add_notes(col: object, notes: int, deck: DeckId, other: DeckId, first: int = 0) -> None:
    from anki.collection import Collection

    assert isinstance(col, Collection)
    basic = col.models.by_name("Basic")
    reverse = col.models.by_name("Basic (and reversed card)")
    cloze = col.models.by_name("Cloze")
    assert basic and reverse and cloze
    if col.models.by_name("Vocabulary") is None:
        _vocabulary(col)
    vocab = col.models.by_name("Vocabulary")
    assert basic and reverse and cloze and vocab
    (Path(col.media.dir()) / "map.png").write_bytes(PNG)
    for i in range(first, first + notes):
        kind = i % 4
        if kind == 0:
            note = col.new_note(basic)
            note["Front"] = f"Article {i} of the Constitution protects what?"
            note["Back"] = f"Right number {i}" + (' <img src="map.png">' if i == 0 else "")
        elif kind == 1:
            note = col.new_note(reverse)
            note["Front"] = f"Term {i}"
            note["Back"] = f"Meaning of term {i} &amp; more"
        elif kind == 2:
            note = col.new_note(cloze)
            note["Text"] = f"Fact {i}: {{{{c1::India}}}} joined in {{{{c2::{2000 + i}}}}}."
            note["Back Extra"] = "From the notes"
        else:
            note = col.new_note(vocab)
            note["Word"] = f"word{i}"
            note["Meaning"] = f"sense {i}"
            note["Example"] = f"used in sentence {i}" if i % 8 == 3 else ""
        note.tags = ["upsc", f"batch{i % 3}"]
        col.add_note(note, other if i % 5 == 4 else deck)


def _vocabulary(col: object) -> None:
    """A note type of the learner's own, which recall does not know."""
    from anki.collection import Collection

    assert isinstance(col, Collection)
    custom = col.models.new("Vocabulary")
    for name in ("Word", "Meaning", "Example"):
        col.models.add_field(custom, col.models.new_field(name))
    template = col.models.new_template("Recognise")
    template["qfmt"] = "<b>{{Word}}</b>"
    template["afmt"] = (
        "{{FrontSide}}<hr id=answer>{{Meaning}}{{#Example}}<br><i>{{Example}}</i>{{/Example}}"
    )
    col.models.add_template(custom, template)
    col.models.add(custom)


if __name__ == "__main__":
    out_dir = Path(sys.argv[1])
    (out_dir / "anki").mkdir(parents=True, exist_ok=True)
    build(out_dir, int(sys.argv[2]), int(sys.argv[3]))
