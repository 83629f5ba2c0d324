"""recall serve over HTTP (no browser): the token, CSRF, escaping, the concurrent-answer rule,
answers and undo saved in the collection, bad requests, and the command's own errors."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from recall.memory import Rating
from recall.store import Collection
from recall.study.schedule import Scheduler
from recall.study.session import Session
from recall.web.app import create_app
from recall.web.security import COOKIE, csrf_for
from tests.conftest import ROOT, run
from tests.web_support import (
    HOSTILE_DECK,
    HOSTILE_MARKUP,
    STUDY_DECK,
    TOKEN,
    forms,
    load_deck,
)

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def db(recall_home: Path) -> Path:
    return load_deck(recall_home, STUDY_DECK, "study")


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db, TOKEN), base_url=BASE) as c:
        c.cookies.set(COOKIE, TOKEN)
        yield c


def reviews(db: Path) -> list[tuple[str, int]]:
    col = Collection(db)
    try:
        return [
            (r[0], r[1]) for r in col.conn.execute("select card, rating from reviews order by id")
        ]
    finally:
        col.close()


def shown(client: TestClient, deck: str = "web-study") -> tuple[str, dict[str, dict[str, str]]]:
    page = client.get("/review", params={"deck": deck})
    assert page.status_code == 200
    return page.text, forms(page.text)


def post(client: TestClient, form: dict[str, str], **extra: str) -> tuple[int, str]:
    data = {k: v for k, v in form.items() if k != "_action"} | extra
    response = client.post(form["_action"], data=data, follow_redirects=False)
    return response.status_code, response.headers.get("location", "")


# -- the token --------------------------------------------------------------------------------


def test_every_request_without_the_token_is_refused(db: Path) -> None:
    with TestClient(create_app(db, TOKEN), base_url=BASE) as anon:
        for path in ("/", "/review", "/stats", "/static/style.css", "/static/keys.js", "/nope"):
            assert anon.get(path).status_code == 403, path
            assert anon.get(path, params={"token": "wrong"}).status_code == 403, path
        anon.cookies.set(COOKIE, "wrong")
        assert anon.get("/").status_code == 403
        assert anon.post("/review/answer", data={"rating": "3"}).status_code == 403
        assert "recall serve" in anon.get("/").text  # says where the link is
    assert reviews(db) == []


def test_the_printed_link_moves_the_token_into_a_strict_cookie(db: Path) -> None:
    with TestClient(create_app(db, TOKEN), base_url=BASE) as fresh:
        first = fresh.get("/review", params={"token": TOKEN, "deck": "web-study"},
                          follow_redirects=False)  # fmt: skip
        assert first.status_code == 303
        assert first.headers["location"] == "/review?deck=web-study"  # token gone from the URL
        cookie = first.headers["set-cookie"]
        assert f"{COOKIE}={TOKEN}" in cookie
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
        assert fresh.get("/review", params={"deck": "web-study"}).status_code == 200


# -- CSRF -------------------------------------------------------------------------------------


def post_routes() -> list[str]:
    app = create_app(Path("/nonexistent/never-opened.db"), TOKEN)
    return [r.path for r in app.routes if isinstance(r, Route) and "POST" in (r.methods or ())]


def test_there_are_post_routes_to_check() -> None:
    assert set(post_routes()) == {
        "/review/answer", "/review/undo", "/review/suspend", "/review/bury", "/card/edit",
        "/card/forget", "/card/suspend", "/card/unsuspend", "/card/bury", "/settings",
    }  # fmt: skip


@pytest.mark.parametrize("path", post_routes())
def test_every_post_refuses_a_form_without_its_csrf_field(
    client: TestClient, db: Path, path: str
) -> None:
    _, page_forms = shown(client)
    good = {k: v for k, v in page_forms["answer-form"].items() if k != "_action"}
    good["rating"] = "3"
    missing = {k: v for k, v in good.items() if k != "csrf"}
    assert client.post(path, data=missing).status_code == 403
    assert client.post(path, data=good | {"csrf": csrf_for("another-token")}).status_code == 403
    evil = client.post(path, data=good, headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403
    col = Collection(db)
    assert not any(r.suspended or r.buried_until for r in col.all_cards())
    assert reviews(db) == []


def test_state_changes_only_by_post(client: TestClient) -> None:
    for path in (
        "/review/answer",
        "/review/undo",
        "/review/suspend",
        "/review/bury",
        "/card/edit",
        "/card/forget",
        "/card/suspend",
        "/card/unsuspend",
        "/card/bury",
    ):
        assert client.get(path).status_code == 405


# -- answering, undo, suspend, bury -------------------------------------------------------------


def test_an_answer_is_saved_in_the_collection_recall_review_uses(
    client: TestClient, db: Path
) -> None:
    html, page_forms = shown(client)
    assert "Which river flows through the city of Guwahati?" in html
    assert "1m" in html and "10m" in html and "8d" in html  # the interval on each button
    status, where = post(client, page_forms["answer-form"], rating="3")
    assert (status, where) == (303, "/review?deck=web-study")
    assert reviews(db) == [("web-study:b1", 3)]
    html, _ = shown(client)
    assert "Which body appoints the Chief Election Commissioner of India?" in html
    assert "recall: error" not in run("check").output


def test_undo_takes_back_the_last_answer_and_shows_the_card_again(
    client: TestClient, db: Path
) -> None:
    _, page_forms = shown(client)
    post(client, page_forms["answer-form"], rating="1")
    _, page_forms = shown(client)
    status, where = post(client, page_forms["undo-form"])
    assert (status, where) == (303, "/review?deck=web-study&note=undone")
    assert reviews(db) == []
    html = client.get(where).text
    page_forms = forms(html)
    assert "Which river flows through the city of Guwahati?" in html
    assert "Undid the last answer." in html
    assert post(client, page_forms["undo-form"])[1].endswith("note=nothing")
    assert Collection(db).card("web-study:b1").memory.reps == 0


def test_suspend_and_bury_hide_the_card(client: TestClient, db: Path) -> None:
    _, page_forms = shown(client)
    where = post(client, page_forms["suspend-form"])[1]
    assert where.endswith("note=suspended")
    html = client.get(where).text
    page_forms = forms(html)
    assert "Suspended the card." in html and "Chief Election Commissioner" in html
    assert post(client, page_forms["bury-form"])[1].endswith("note=buried")
    col = Collection(db)
    assert col.card("web-study:b1").suspended
    assert col.card("web-study:b2").buried_until == "2026-11-26"
    assert "In which year did India adopt its Constitution?" in shown(client)[0]


def test_a_multiple_choice_answer_is_graded_from_the_letter(client: TestClient, db: Path) -> None:
    col = Collection(db)
    for uid in ("web-study:b1", "web-study:b2", "web-study:b3", "web-study:c1"):
        col.set_flags(uid, suspended=1)
    _, page_forms = shown(client)
    post(client, page_forms["answer-form"], choice="A", rating="auto")  # wrong: B is right
    _, page_forms = shown(client)
    post(client, page_forms["answer-form"], choice="C", rating="auto")  # right
    assert reviews(db) == [("web-study:m1", 1), ("web-study:m2", 3)]


def test_the_session_ends_with_a_summary(client: TestClient, db: Path) -> None:
    for _ in range(6):
        _, page_forms = shown(client)
        post(client, page_forms["answer-form"], rating="4")
    html, _ = shown(client)
    assert "done for now" in html
    assert "6 cards answered, 100% correct" in html, re.sub(r"(?s).*<main>|</main>.*", "", html)
    assert len(reviews(db)) == 6


# -- two tabs, or a tab and a terminal -----------------------------------------------------------


def test_a_second_answer_of_a_card_already_answered_is_refused(
    client: TestClient, db: Path
) -> None:
    _, tab_one = shown(client)
    _, tab_two = shown(client)  # the same card in another tab
    assert tab_one["answer-form"]["uid"] == tab_two["answer-form"]["uid"]
    assert post(client, tab_one["answer-form"], rating="3")[0] == 303
    where = post(client, tab_two["answer-form"], rating="1")[1]
    assert where.endswith("note=stale")
    assert post(client, tab_two["suspend-form"])[1].endswith("note=stale")
    html = client.get(where).text
    assert "answered elsewhere" in html and "Chief Election Commissioner" in html
    assert reviews(db) == [("web-study:b1", 3)]  # exactly the answer that was acknowledged
    assert not Collection(db).card("web-study:b1").suspended


def test_an_answer_given_in_the_terminal_meanwhile_wins(client: TestClient, db: Path) -> None:
    _, tab = shown(client)
    terminal_col = Collection(db)
    terminal = Session(terminal_col, Scheduler(terminal_col.settings()), deck="web-study")
    row = terminal.next_card()
    assert row is not None and row.uid == tab["answer-form"]["uid"]
    terminal.answer(row, Rating.Good)
    assert post(client, tab["answer-form"], rating="1")[1].endswith("note=stale")
    assert reviews(db) == [("web-study:b1", 3)]


def test_a_card_suspended_elsewhere_is_not_answered(client: TestClient, db: Path) -> None:
    _, tab = shown(client)
    Collection(db).set_flags("web-study:b1", suspended=1)
    assert post(client, tab["answer-form"], rating="3")[1].endswith("note=hidden")
    assert reviews(db) == []


# -- escaping ---------------------------------------------------------------------------------


def test_hostile_card_text_is_shown_as_text_never_as_markup(recall_home: Path) -> None:
    db = load_deck(recall_home, HOSTILE_DECK, "hostile")
    with TestClient(create_app(db, TOKEN), base_url=BASE) as c:
        c.cookies.set(COOKIE, TOKEN)
        pages = [c.get("/").text]
        for _ in range(3):
            html, page_forms = shown(c, "hostile")
            pages.append(html)
            post(c, page_forms["answer-form"], rating="3")
        pages.append(c.get("/stats", params={"deck": "hostile"}).text)
    seen = "\n".join(pages)
    for fragment in HOSTILE_MARKUP:
        assert fragment not in seen, fragment
    assert "&lt;script&gt;alert(&#39;front&#39;)&lt;/script&gt;" in seen  # shown, as text
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Hostile &amp; co" in seen
    assert 'class="gap">[&lt;i&gt;hint&lt;/i&gt;]</span>' in seen  # recall's own markup stays live
    assert "is it?" in seen and 'onmouseover="alert' not in seen
    assert len(re.findall(r"<script\b", seen)) == len(pages) - 2  # only keys.js, on review pages


# -- bad requests -----------------------------------------------------------------------------


def test_bad_parameters_get_a_4xx_page_not_a_traceback(client: TestClient, db: Path) -> None:
    missing = client.get("/review", params={"deck": "no-such-deck"})
    assert missing.status_code == 404 and "no such deck" in missing.text
    assert client.get("/stats", params={"deck": "no-such-deck"}).status_code == 404
    _, page_forms = shown(client)
    assert post(client, page_forms["answer-form"], rating="9")[0] == 400
    assert post(client, page_forms["answer-form"], rating="auto")[0] == 400  # not an MCQ
    assert post(client, page_forms["answer-form"] | {"uid": "nope:nope"}, rating="3")[0] == 400
    assert client.get("/static/../pyproject.toml").status_code == 404
    for response in (missing,):
        assert "Traceback" not in response.text
    assert reviews(db) == []


def test_pages_are_small(client: TestClient) -> None:
    for path in (
        "/",
        "/review?deck=web-study",
        "/stats",
        "/static/style.css",
        "/static/keys.js",
        "/browse?q=*",
        "/card?uid=web-study:m1",
        "/settings",
    ):
        assert len(client.get(path).content) < 100_000, path


# -- the command ------------------------------------------------------------------------------


def test_serve_refuses_a_missing_collection_in_one_line(tmp_path: Path) -> None:
    result = run("serve", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"recall: error: {tmp_path / 'none.db'}: no collection here: load a deck with `recall add` first"
    ]
    assert not (tmp_path / "none.db").exists()


def test_serve_refuses_a_corrupt_collection_in_one_line() -> None:
    bad = ROOT / "tests" / "data" / "hostile" / "collection-text-file.db"
    result = run("serve", "--db", str(bad))
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "not a recall collection" in result.output


def test_serve_refuses_a_port_in_use_in_one_line(db: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run("serve", "--db", str(db), "--port", str(port))
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"recall: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )


def test_serve_refuses_a_host_it_cannot_bind(db: Path) -> None:
    result = run("serve", "--db", str(db), "--host", "192.0.2.1", "--port", "0")
    assert result.exit_code == 2
    assert result.output.startswith("recall: error: cannot listen on 192.0.2.1:0: ")
    assert len(result.output.strip().splitlines()) == 1


def test_help_does_not_import_the_web_stack() -> None:
    code = (
        "import sys; from recall.cli import cli; "
        "print(' '.join(m for m in ('starlette','jinja2','uvicorn','recall.web.app') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
