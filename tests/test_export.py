"""recall export: every package is imported into a real Anki collection and checked there."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from anki.collection import Collection as Anki
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

from recall.cards import Card
from recall.deckfile import Deck, read_deck, write_deck
from recall.memory import Rating
from recall.store import Collection
from recall.study.schedule import Scheduler
from recall.study.session import Session
from tests.conftest import ROOT, run

DECKS = sorted((ROOT / "decks").glob("*.toml"))
SHIPPED_DECK = ROOT / "decks" / "india-us-critical-minerals-diplomacy-supply-chain-resilience.toml"
MINERALS = "UPSC::International Relations::India-U.S. Critical Minerals Diplomacy & Supply Chain Resilience"


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[Anki]:
    """A fresh, real Anki collection."""
    col = Anki(str(tmp_path / "anki" / "collection.anki2")) if _mkdir(tmp_path / "anki") else None
    assert col is not None
    yield col
    col.close()


def _mkdir(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    return True


def import_into(col: Anki, package: Path, *, scheduling: bool = False) -> None:
    options = ImportAnkiPackageOptions(with_scheduling=scheduling)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options))


def notes_by_guid(col: Anki) -> dict[str, Any]:
    return {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}


def every_field(col: Anki) -> list[str]:
    return [f for nid in col.find_notes("") for f in col.get_note(nid).fields]


def test_deck_files_import_into_anki_with_fields_tags_decks_cloze_and_mcq(
    tmp_path: Path, anki: Anki
) -> None:
    out = tmp_path / "upsc.apkg"
    result = run("export", *map(str, DECKS), "-o", str(out))
    assert result.exit_code == 0, result.output
    active = sum(len(read_deck(p).active) for p in DECKS)
    assert f"wrote {out}: {active} notes in 4 deck(s)" in result.output
    retired = sum(1 for p in DECKS for c in read_deck(p).cards if c.retired)
    import_into(anki, out)
    # Retired cards go along too, tagged recall::retired (suspended only when Anki imports
    # scheduling: without it, Anki's importer unsuspends every card).
    assert anki.note_count() == active + retired and anki.card_count() == active + retired
    assert len(anki.find_cards("tag:recall::retired")) == retired
    names = {d.name for d in anki.decks.all_names_and_ids()}
    assert (
        MINERALS in names
        and "UPSC::Polity::Fundamental Rights under Part III of the Constitution" in names
    )

    deck = read_deck(SHIPPED_DECK)
    in_anki = notes_by_guid(anki)
    import genanki

    for card in deck.active:
        note = in_anki[genanki.guid_for(deck.slug, card.id)]
        tags = set(note.tags)
        assert f"recall::{deck.slug}" in tags and ("UPSC::Prelims" in tags or "UPSC::Mains" in tags)
        if card.kind == "mcq":
            assert note.note_type()["name"] == "recall Multiple choice"
            assert [note["A"], note["B"], note["C"], note["D"]] == [_html(o) for o in card.options]
            assert note["Answer"] == card.answer and note["AnswerText"] == _html(
                card.correct_option
            )
            assert card.as_of == note["AsOf"]
            assert all(f'href="{u}"' in note["Source"] for u in card.url.split())
        elif card.kind == "cloze":
            (anki_card,) = note.cards()
            question = anki_card.question()
            assert re.search(
                r'<span class="cloze"[^>]*data-ordinal="1">\[\.\.\.\]</span>', question
            )
            hidden = re.search(r"\{\{c1::(.*?)\}\}", card.front)
            assert hidden is not None and hidden.group(1) not in re.sub(
                r"<[^>]+>", "", question.split("</style>")[1]
            )
        else:
            assert note["Front"] == _html(card.front)
    mcq = next(c for c in deck.active if c.kind == "mcq")
    (anki_card,) = in_anki[genanki.guid_for(deck.slug, mcq.id)].cards()
    assert all(_html(o) in anki_card.question() for o in mcq.options)
    assert f"({mcq.answer}) {_html(mcq.correct_option)}" in anki_card.answer()
    assert not any("<script" in f.lower() for f in every_field(anki))


def _html(text: str) -> str:
    import html

    return html.escape(text, quote=True).replace("\n", "<br>")


def test_new_cards_arrive_in_deck_order(tmp_path: Path, anki: Anki) -> None:
    import genanki

    out = tmp_path / "one.apkg"
    run("export", str(SHIPPED_DECK), "-o", str(out))
    import_into(anki, out)
    deck = read_deck(SHIPPED_DECK)
    new = sorted((anki.get_card(i) for i in anki.find_cards("is:new")), key=lambda c: c.due)
    assert len({c.due for c in new}) == len(new)  # a position each, not all "New #0"
    order = [c.note().guid for c in new]
    retired = [c for c in deck.cards if c.retired]  # last, after every live card
    assert order == [genanki.guid_for(deck.slug, c.id) for c in [*deck.active, *retired]]


HOSTILE = [
    Card(id="h1", kind="basic", fact="h1", front="<script>alert(1)</script> What?",
         back='<img src=x onerror="alert(1)"> answer'),
    Card(id="h2", kind="basic", fact="h2", front="{{c1::not a cloze}} and {{Front}}?",
         back="{{#Back}}x{{/Back}} <a href=\"javascript:alert(1)\">y</a>"),
    Card(id="h3", kind="cloze", fact="h3", front="Real {{c1::deletion}} then <b onclick=x>bold</b>",
         back="{{c2::not live}}"),
    Card(id="h4", kind="mcq", fact="h4", front="Which <iframe src=//evil>?",
         options=("<script>a</script>", "b", "c", "d"), answer="B",
         back="<svg onload=alert(1)>", url="javascript:alert(1)"),
]  # fmt: skip


def test_lesson_text_never_becomes_a_live_tag_template_or_cloze_in_anki(
    tmp_path: Path, anki: Anki
) -> None:
    deck_file = tmp_path / "hostile.toml"
    write_deck(Deck("hostile", "Hostile <b>deck</b>", HOSTILE, category="Test"), deck_file)
    out = tmp_path / "hostile.apkg"
    assert run("export", str(deck_file), "-o", str(out)).exit_code == 0
    import_into(anki, out)
    assert anki.note_count() == 4 and anki.card_count() == 4  # {{c2:: in Back made no card
    for nid in anki.find_notes(""):
        note = anki.get_note(nid)
        for name, field in note.items():
            # The only markup recall writes: line breaks, and links to http(s) sources.
            bare = re.sub(r'<br>|<a href="https?://[^"<>]*">[^<]*</a>', "", field)
            assert "<" not in bare and ">" not in bare, (name, field)
            live = re.findall(r"\{\{.*?\}\}", field)
            assert live == (["{{c1::deletion}}"] if name == "Text" else []), (name, field)
    rendered = " ".join(
        anki.get_card(cid).question() + anki.get_card(cid).answer() for cid in anki.find_cards("")
    )
    assert not re.search(r"<\s*(script|iframe|img|svg)\b", rendered, re.I)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    cloze_cards = anki.find_cards('"note:recall Cloze"')
    assert len(cloze_cards) == 1
    assert "[...]" in anki.get_card(cloze_cards[0]).question()


def test_reimport_updates_changed_notes_only_and_keeps_learner_edits(
    tmp_path: Path, anki: Anki, frozen_time: time_machine.Traveller
) -> None:
    deck_file = tmp_path / "deck.toml"
    deck = read_deck(SHIPPED_DECK)
    write_deck(deck, deck_file)
    first = tmp_path / "v1.apkg"
    assert run("export", str(deck_file), "-o", str(first)).exit_code == 0
    import_into(anki, first)
    count = anki.note_count()
    import genanki

    by_guid = notes_by_guid(anki)
    kept, changed = deck.active[0], deck.active[1]
    mine = by_guid[genanki.guid_for(deck.slug, kept.id)]
    mine[mine.keys()[1]] = "my own mnemonic"
    anki.update_note(mine)

    # A week later the teacher changes one card; regeneration stamps only that one.
    frozen_time.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    later = replace(changed, back=changed.back + " (updated)", changed="2026-12-02T09:00:00Z")
    cards = [later if c.id == changed.id else c for c in deck.cards]
    write_deck(replace(deck, cards=cards), deck_file)
    second = tmp_path / "v2.apkg"
    refused = run("export", str(deck_file), "-o", str(first))
    assert refused.exit_code == 2 and "use --force" in refused.stderr
    assert run("export", str(deck_file), "-o", str(second)).exit_code == 0
    import_into(anki, second)

    assert anki.note_count() == count  # updated in place, nothing duplicated
    after = notes_by_guid(anki)
    assert after[genanki.guid_for(deck.slug, changed.id)].fields[1].endswith("(updated)")
    assert after[genanki.guid_for(deck.slug, kept.id)].fields[1] == "my own mnemonic"


def test_export_from_the_collection_with_scheduling_carries_fsrs_state_and_log(
    tmp_path: Path, anki: Anki, frozen_time: time_machine.Traveller
) -> None:
    db = tmp_path / "c.db"
    col = Collection(db)
    col.set_setting("timezone", "UTC")
    col.set_setting("fuzz", False)
    col.add_deck(read_deck(SHIPPED_DECK), str(SHIPPED_DECK), datetime(2026, 10, 1, tzinfo=UTC))
    sched = Scheduler(col.settings())
    # Review a few cards over some weeks: some reach review state, one lapses, one learns.
    when = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    clock = [when]
    session = Session(col, sched, clock=lambda: clock[0])
    uids = [e.uid for e in session.news[:4]]
    for day, ratings in enumerate([[3, 3, 3, 3], [3, 3, 4, 1], [3, 1, 3, 3]]):
        for uid, rating in zip(uids, ratings, strict=True):
            clock[0] = when + timedelta(days=day * 9, minutes=uids.index(uid))
            session.answer(col.card(uid), Rating(rating))
    col.set_flags(uids[3], suspended=1)
    frozen_time.move_to(datetime(2026, 10, 19, 12, 0, tzinfo=UTC))
    rows = {uid: col.card(uid) for uid in uids}
    logs = {uid: [r["rating"] for r in col.log(uid)] for uid in uids}
    col.close()

    out = tmp_path / "sched.apkg"
    result = run("export", "--db", str(db), "--with-scheduling", "-o", str(out))
    assert result.exit_code == 0 and "with scheduling" in result.output
    import_into(anki, out, scheduling=True)
    assert anki.note_count() == len(read_deck(SHIPPED_DECK).active)
    import genanki

    by_guid = notes_by_guid(anki)
    day0 = datetime.fromtimestamp(anki.crt, UTC).date()
    reviewed = relearning = learning_last_ivls = 0
    for uid, row in rows.items():
        (card,) = by_guid[genanki.guid_for(row.deck, row.id)].cards()
        m = row.memory
        assert card.memory_state is not None
        assert card.memory_state.stability == pytest.approx(m.stability, rel=1e-4)
        assert card.memory_state.difficulty == pytest.approx(m.difficulty, rel=1e-3)
        assert card.reps == m.reps and card.lapses == m.lapses
        assert anki.db is not None
        assert (
            anki.db.list("select ease from revlog where cid = ? order by id", card.id) == logs[uid]
        )
        # lastIvl as Anki writes it: the interval the previous answer gave (0 before the first).
        ivls = anki.db.all("select ivl, lastIvl from revlog where cid = ? order by id", card.id)
        assert [last for _, last in ivls] == [0] + [ivl for ivl, _ in ivls[:-1]]
        learning_last_ivls += sum(last < 0 for _, last in ivls)
        if uid == uids[3]:
            assert card.queue == -1  # suspended stays suspended
            continue
        assert m.due is not None and m.last_review is not None
        assert card.type == int(m.state)  # Anki's card types are FSRS's states
        if card.type == 2:
            reviewed += 1
            assert day0 + timedelta(days=card.due) == m.due.date()
            assert card.ivl == (m.due.date() - m.last_review.date()).days
        else:
            relearning += 1
            assert card.queue in (1, 3) and card.left >= 1
    assert reviewed >= 1 and relearning == 1 and learning_last_ivls >= 1
    assert len(anki.find_cards("is:new")) == anki.card_count() - 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-deck"], "no such deck"),
        (["--with-scheduling", str(SHIPPED_DECK)], "--with-scheduling needs the collection"),
        ([], "the output must be an .apkg file"),
    ],
)
def test_bad_export_requests_fail_in_one_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    assert run("add", str(SHIPPED_DECK)).exit_code == 0
    target = tmp_path / ("out.txt" if not args else "out.apkg")
    result = run("export", *args, "-o", str(target))
    assert result.exit_code == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not target.exists() and not list(tmp_path.glob(".out*"))


def test_an_empty_deck_or_a_broken_deck_file_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    write_deck(Deck("empty", "Empty", [replace(HOSTILE[0], retired="2026-11-01")]), empty)
    out = tmp_path / "x.apkg"
    result = run("export", str(empty), "-o", str(out))
    assert result.exit_code == 2 and "has no cards to export" in result.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text(
        SHIPPED_DECK.read_text(encoding="utf-8").replace('kind = "mcq"', 'kind = "quiz"', 1),
        encoding="utf-8",
    )
    result = run("export", str(broken), "-o", str(out))
    assert result.exit_code == 2 and re.match(
        rf"recall: error: {re.escape(str(broken))}:\d+: ", result.stderr
    )
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_an_unwritable_output_fails_cleanly(tmp_path: Path) -> None:
    result = run("export", str(SHIPPED_DECK), "-o", str(tmp_path / "missing" / "x.apkg"))
    assert result.exit_code == 2 and "no such directory" in result.stderr
