"""Browse, the card page, edits and flags, Settings, undo of suspend/bury and the new Stats
charts of recall serve, over HTTP (no browser): each change is read back from the collection
and through the same commands a terminal learner uses (`recall card`, `recall config`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from recall.memory import Rating
from recall.store import Collection
from recall.study.schedule import Scheduler
from recall.study.session import Session
from recall.web.app import create_app
from recall.web.security import COOKIE
from tests.conftest import run
from tests.web_support import HOSTILE_DECK, HOSTILE_MARKUP, STUDY_DECK, TOKEN, forms, load_deck

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def db(recall_home: Path) -> Path:
    return load_deck(recall_home, STUDY_DECK, "study")


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db, TOKEN), base_url=BASE) as c:
        c.cookies.set(COOKIE, TOKEN)
        yield c


def post(client: TestClient, form: dict[str, str], **extra: str) -> tuple[int, str]:
    data = {k: v for k, v in form.items() if k != "_action"} | extra
    response = client.post(form["_action"], data=data, follow_redirects=False)
    return response.status_code, response.headers.get("location", "")


def card_json(uid: str) -> dict[str, object]:
    result = run("card", uid, "--json")
    assert result.exit_code == 0, result.output
    found: dict[str, object] = json.loads(result.output)
    return found


def uids(html: str) -> list[str]:
    return re.findall(r'<tr data-uid="([^"]+)"', html)


# -- search -----------------------------------------------------------------------------------


def test_browse_finds_cards_with_the_query_language_of_recall_cards(client: TestClient) -> None:
    for query in ("kind:mcq", "Brahmaputra", "deck:web* -kind:basic", "front:India or kind:cloze"):
        page = client.get("/browse", params={"q": query})
        assert page.status_code == 200
        listed = json.loads(run("cards", query, "--json").output)
        assert uids(page.text) == [c["uid"] for c in listed], query


def test_a_search_of_every_card_shows_the_first_100_in_a_page_under_100_kb(
    recall_home: Path,
) -> None:
    cards = "".join(
        f'\n[[card]]\nid = "q{i}"\nkind = "basic"\nfact = "q{i}"\n'
        f'front = "Question {i}: {"which long-winded clause of the lesson is this " * 6}?"\n'
        f'back = "Answer {i}."\n'
        for i in range(150)
    )
    db = load_deck(recall_home, '[deck]\nslug = "big"\ntitle = "Big"\n' + cards, "big")
    with TestClient(create_app(db, TOKEN), base_url=BASE) as c:
        c.cookies.set(COOKIE, TOKEN)
        page = c.get("/browse", params={"q": "*"})
    assert "The first 100 cards found." in page.text
    assert uids(page.text) == [f"big:q{i}" for i in range(100)]  # deck order
    assert len(page.content) < 100_000


def test_a_bad_query_is_a_400_page_saying_why_and_no_match_says_so(client: TestClient) -> None:
    bad = client.get("/browse", params={"q": "prop:lapses>x"})
    assert bad.status_code == 400 and "bad query" in bad.text and "Traceback" not in bad.text
    none = client.get("/browse", params={"q": "no-such-words-anywhere"})
    assert none.status_code == 200 and "no cards match" in none.text and uids(none.text) == []


def test_the_card_page_shows_fields_memory_and_history(client: TestClient, db: Path) -> None:
    col = Collection(db)
    session = Session(col, Scheduler(col.settings()), deck="web-study")
    row = session.next_card()
    assert row is not None
    session.answer(row, Rating.Good)
    page = client.get("/card", params={"uid": row.uid})
    assert page.status_code == 200
    info = card_json(row.uid)
    assert "Which river flows through the city of Guwahati?" in page.text
    assert "The Brahmaputra." in page.text
    assert f'class="stability">{info["stability"]:.2f}<' in page.text
    assert f'class="difficulty">{info["difficulty"]:.2f}<' in page.text
    history = re.findall(r"<td>(\d{4}-\d\d-\d\d)</td><td class=\"good\">Good</td>", page.text)
    assert history == [h["day"] for h in info["history"]]  # type: ignore[attr-defined]
    assert client.get("/card", params={"uid": "web-study:nope"}).status_code == 404


# -- edit, forget, flags ----------------------------------------------------------------------


def test_an_edit_is_saved_like_recall_edit_and_recall_card_shows_it(
    client: TestClient, db: Path
) -> None:
    page = client.get("/card", params={"uid": "web-study:b1", "from": "browse"})
    form = forms(page.text)["edit-form"]
    status, where = post(client, form, front="Which river flows past Guwahati?", back="Brahmaputra")
    assert status == 303 and "note=edited" in where
    assert "Saved your edit" in client.get(where).text
    info = card_json("web-study:b1")
    assert (info["front"], info["back"], info["edited"]) == (
        "Which river flows past Guwahati?", "Brahmaputra", True,
    )  # fmt: skip
    found = client.get("/browse", params={"q": "Guwahati"}).text
    assert "Which river flows past Guwahati?" in found
    # the same text again changes nothing; recall edit's rules refuse what it refuses
    again = forms(client.get(where).text)["edit-form"]
    assert post(client, again, front="Which river flows past Guwahati?", back="Brahmaputra")[
        1
    ].endswith("note=unchanged&from=browse")
    refused = client.post("/card/edit", data={k: v for k, v in again.items() if k != "_action"}
                          | {"front": "   "})  # fmt: skip
    assert refused.status_code == 400 and "front is empty" in refused.text
    assert card_json("web-study:b1")["front"] == "Which river flows past Guwahati?"


def test_a_multiple_choice_edit_keeps_the_deck_file_rules(client: TestClient) -> None:
    form = forms(client.get("/card", params={"uid": "web-study:m1"}).text)["edit-form"]
    fields = {"front": "Which Indian state has no coastline?", "back": "MP is landlocked.",
              "option_A": "Kerala", "option_B": "Madhya Pradesh", "option_C": "Odisha",
              "option_D": "Gujarat", "answer": "B"}  # fmt: skip
    dup = client.post("/card/edit", data={k: v for k, v in form.items() if k != "_action"}
                      | fields | {"option_D": "kerala"})  # fmt: skip
    assert dup.status_code == 400 and "4 distinct options" in dup.text
    assert post(client, form, **fields)[0] == 303
    info = card_json("web-study:m1")
    assert info["front"] == "Which Indian state has no coastline?" and info["answer"] == "B"


def test_edit_from_the_review_goes_back_to_it_showing_the_new_text(client: TestClient) -> None:
    review = client.get("/review", params={"deck": "web-study"}).text
    link = re.search(r'id="edit-link" href="([^"]+)"', review)
    assert link is not None
    page = client.get(link.group(1).replace("&amp;", "&").split("#")[0])
    form = forms(page.text)["edit-form"]
    assert form["from"] == "review" and form["deck"] == "web-study"
    status, where = post(client, form, front="Name the river at Guwahati.", back="Brahmaputra")
    assert (status, where) == (303, "/review?deck=web-study")
    assert "Name the river at Guwahati." in client.get(where).text


def test_forget_suspend_unsuspend_and_bury_from_the_card_page(client: TestClient, db: Path) -> None:
    col = Collection(db)
    session = Session(col, Scheduler(col.settings()), deck="web-study")
    row = session.next_card()
    assert row is not None
    session.answer(row, Rating.Easy)

    def page() -> dict[str, dict[str, str]]:
        return forms(client.get("/card", params={"uid": "web-study:b1"}).text)

    assert post(client, page()["suspend-form"])[1].endswith("note=suspended")
    assert card_json("web-study:b1")["status"] == "suspended"
    assert post(client, page()["unsuspend-form"])[1].endswith("note=unsuspended")
    assert post(client, page()["bury-form"])[1].endswith("note=buried")
    assert card_json("web-study:b1")["status"] == "buried"
    post(client, page()["unsuspend-form"])
    assert card_json("web-study:b1")["status"] == "review"
    assert post(client, page()["forget-form"])[1].endswith("note=forgotten")
    info = card_json("web-study:b1")
    assert info["state"] == "new" and len(info["history"]) == 1  # type: ignore[arg-type]
    assert post(client, page()["forget-form"])[1].endswith("note=already-new")
    assert "recall: error" not in run("check").output


def test_hostile_text_on_browse_and_card_pages_stays_text(recall_home: Path) -> None:
    db = load_deck(recall_home, HOSTILE_DECK, "hostile")
    with TestClient(create_app(db, TOKEN), base_url=BASE) as c:
        c.cookies.set(COOKIE, TOKEN)
        pages = [c.get("/browse", params={"q": "deck:hostile"}).text]
        pages += [c.get("/card", params={"uid": f"hostile:{i}"}).text for i in ("h1", "h2", "h3")]
        pages.append(c.get("/browse", params={"q": "<script>alert(1)</script>"}).text)
    seen = "\n".join(pages)
    assert len(uids(pages[0])) == 3
    for fragment in HOSTILE_MARKUP:
        if fragment != "</textarea>":  # the edit form's own textareas close with it
            assert fragment not in seen, fragment
    assert "</textarea><svg" not in seen and "&lt;/textarea&gt;&lt;svg" in seen
    assert "&lt;script&gt;alert(&#39;front&#39;)&lt;/script&gt;" in seen
    assert "<script" not in seen


def test_a_source_link_must_be_a_web_address(recall_home: Path) -> None:
    deck = STUDY_DECK.replace(
        'back = "The Brahmaputra."',
        'back = "The Brahmaputra."\nsource = "Atlas"\nurl = "javascript:alert(1)"\nas_of = "2025"',
    ).replace(
        'back = "The President of India."',
        'back = "The President of India."\nsource = "Art. 324"\nurl = "https://example.org/a"',
    )
    db = load_deck(recall_home, deck, "study")
    with TestClient(create_app(db, TOKEN), base_url=BASE) as c:
        c.cookies.set(COOKIE, TOKEN)
        bad = c.get("/card", params={"uid": "web-study:b1"}).text
        good = c.get("/card", params={"uid": "web-study:b2"}).text
        first = c.get("/review", params={"deck": "web-study"}).text
        post(c, forms(first)["answer-form"], rating="3")
        second = c.get("/review", params={"deck": "web-study"}).text
    assert "javascript:" not in bad and "Atlas" in bad and 'class="as-of">2025<' in bad
    assert '<a href="https://example.org/a"' in good
    # the review shows the source with the answer, under the same rule
    assert "Source: Atlas (as of 2025)" in first and "javascript:" not in first
    assert '<a href="https://example.org/a" rel="noopener noreferrer"' in second


# -- undo of suspend and bury in the review ---------------------------------------------------


@pytest.mark.parametrize(("action", "note"), [("suspend", "unsuspended"), ("bury", "unburied")])
def test_undo_takes_back_a_suspend_or_bury_in_the_review(
    client: TestClient, db: Path, action: str, note: str
) -> None:
    review = forms(client.get("/review", params={"deck": "web-study"}).text)
    post(client, review[f"{action}-form"])
    review = forms(client.get("/review", params={"deck": "web-study"}).text)
    assert review["answer-form"]["uid"] == "web-study:b2"
    where = post(client, review["undo-form"])[1]
    assert where.endswith(f"note={note}")
    html = client.get(where).text
    assert "Guwahati" in html and "the card is back" in html
    row = Collection(db).card("web-study:b1")
    assert not row.suspended and row.buried_until is None


# -- settings ---------------------------------------------------------------------------------


def test_settings_are_saved_like_recall_config(client: TestClient) -> None:
    form = forms(client.get("/settings").text)["settings-form"]
    assert post(client, form, desired_retention="0.85", learning_steps="2m 15m",
                new_per_day="7")[0] == 200  # fmt: skip
    shown = run("config").output
    assert "desired_retention = 0.85" in shown and "learning_steps = 120 900" in shown
    assert "new_per_day = 7" in shown
    # the review uses them at once: the Again button's interval is the new first step
    assert "2m" in client.get("/review", params={"deck": "web-study"}).text


def test_a_bad_setting_saves_nothing_and_says_what_recall_config_says(client: TestClient) -> None:
    form = forms(client.get("/settings").text)["settings-form"]
    data = {k: v for k, v in form.items() if k != "_action"}
    page = client.post("/settings", data=data | {"new_per_day": "5", "desired_retention": "1.5"})
    assert page.status_code == 400
    said = run("config", "desired_retention", "1.5").output.strip().splitlines()[-1]
    assert "is not valid: a number from 0.70 to 0.99 (now 0.9)" in said
    assert str(escape(said[said.index("desired_retention") :])) in page.text
    assert "new_per_day = 20" in run("config", "new_per_day").output
    refused = client.post("/settings", data={"new_per_day": "5"})
    assert refused.status_code == 403


# -- stats ------------------------------------------------------------------------------------


def test_stats_draws_stability_difficulty_and_time_from_the_collection(
    client: TestClient, db: Path
) -> None:
    col = Collection(db)
    session = Session(col, Scheduler(col.settings()), deck="web-study")
    for rating in (Rating.Easy, Rating.Good, Rating.Easy):
        row = session.next_card()
        assert row is not None
        session.answer(row, rating)
    html = client.get("/stats").text
    cards = [r.memory for r in col.live_cards() if r.memory.stability is not None]
    marks = dict.fromkeys(("stability", "difficulty", "minutes"), 0.0)
    for cls, value in re.findall(
        r'class="mark (\w+)" data-key="[^"]*" data-value="([\d.]+)"', html
    ):
        if cls in marks:
            marks[cls] += float(value)
    assert marks["stability"] == len(cards) == 3
    assert marks["difficulty"] == 3
    spent = sum(d for (d,) in col.conn.execute("select duration_ms from reviews"))
    assert marks["minutes"] == pytest.approx(spent / 60000, abs=0.06)
