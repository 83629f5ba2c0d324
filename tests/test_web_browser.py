"""recall serve in a real browser: Debian's Chromium, headless, driven by Playwright.

A learner opens the printed link, studies with the keyboard and the mouse (show, rate, undo,
bury, suspend, a cloze, multiple choice by click and by letter, a learning card coming back),
and every answer lands in the collection ``recall review`` uses; the stats page draws the
numbers the review log holds; every page fits a phone. Screenshots of each page at desktop
and phone sizes go to ``.screenshots/`` (not committed) for a person to look at.
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
import uvicorn

from recall.memory import Rating
from recall.store import Collection
from recall.study.schedule import Scheduler
from recall.study.session import Session
from recall.study.stats import stats
from recall.web.app import create_app
from recall.web.charts import STABILITY_BINS
from recall.web.server import link, listen
from tests.conftest import NOW, ROOT, run
from tests.web_support import STUDY_DECK, TOKEN, load_deck

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SHOTS = ROOT / ".screenshots"
SIZES = {"desktop": (1200, 900), "phone": (390, 844)}

if not CHROMIUM.exists():
    reason = "needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must install it: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@dataclass
class Live:
    base: str
    link: str
    db: Path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def ticking() -> Iterator[None]:
    """Time moves (from the tests' fixed day) so answer durations are real."""
    with time_machine.travel(NOW, tick=True):
        yield


def serve(db: Path) -> Iterator[Live]:
    sock = listen("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(db, TOKEN), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.01)
    url = link(sock, "127.0.0.1", TOKEN)
    try:
        yield Live(url.split("/?")[0], url, db)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def live(recall_home: Path, ticking: None) -> Iterator[Live]:
    yield from serve(load_deck(recall_home, STUDY_DECK, "study"))


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def shoot(page: Page, name: str) -> None:
    """The page at each size, for a person to look at."""
    SHOTS.mkdir(exist_ok=True)
    for size, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        page.screenshot(path=SHOTS / f"{name}-{size}.png", full_page=True)
    page.set_viewport_size({"width": 1200, "height": 900})


def log(db: Path) -> list[tuple[str, int, int]]:
    col = Collection(db)
    try:
        sql = "select card, rating, duration_ms from reviews order by id"
        return [tuple(r) for r in col.conn.execute(sql)]
    finally:
        col.close()


def on_card(page: Page, text: str) -> None:
    """Wait for the card whose question contains ``text``, with its keys wired."""
    expect(page.locator("[data-card][data-keys=ready] .question")).to_contain_text(text)


def test_a_learner_studies_with_keys_and_clicks(live: Live, page: Page) -> None:
    page.goto(live.link)
    assert page.url == live.base + "/"  # the token moved into a cookie
    study = page.locator('tr[data-deck="web-study"]')
    expect(study.locator("td.new")).to_have_text("6")
    shoot(page, "decks")
    study.get_by_role("link", name="Study").click()

    on_card(page, "Which river flows through the city of Guwahati?")
    expect(page.locator(".answer")).to_be_hidden()
    shoot(page, "review-question")
    page.keyboard.press(" ")
    expect(page.locator(".answer")).to_have_text("The Brahmaputra.")
    expect(page.locator("button.rate.r3")).to_contain_text("10m")
    shoot(page, "review-answer")
    page.keyboard.press("3")
    on_card(page, "Chief Election Commissioner")

    page.get_by_text("Show answer").click()  # the mouse works as well as the keys
    page.get_by_role("button", name=re.compile("Again")).click()
    on_card(page, "adopt its Constitution")
    page.keyboard.press("u")
    expect(page.locator(".note")).to_have_text("Undid the last answer.")
    on_card(page, "Chief Election Commissioner")
    assert [r[:2] for r in log(live.db)] == [("web-study:b1", 3)]

    page.keyboard.press("-")
    expect(page.locator(".note")).to_have_text("Buried the card until tomorrow.")
    on_card(page, "adopt its Constitution")
    page.keyboard.press("@")
    expect(page.locator(".note")).to_have_text("Suspended the card.")

    # A cloze: the gap, then the filled sentence.
    expect(page.locator(".question .gap")).to_have_text("[…]")
    page.keyboard.press("Enter")
    expect(page.locator(".answer .filled")).to_have_text("lower")
    page.keyboard.press("4")

    # Multiple choice by click (wrong: Enter accepts Again), then by letter (right: Good).
    on_card(page, "landlocked")
    page.get_by_role("button", name="A Kerala").click()
    expect(page.locator("#verdict")).to_have_text("Not quite: the answer is B.")
    expect(page.locator(".option.right")).to_contain_text("Madhya Pradesh")
    expect(page.locator("button.rate.suggested")).to_contain_text("Again")
    shoot(page, "review-mcq")
    page.keyboard.press("Enter")
    on_card(page, "closest to the Sun")
    page.keyboard.press("c")
    expect(page.locator("#verdict")).to_have_text("Correct.")
    page.keyboard.press("Enter")

    # Learning cards come back within the session, soonest first: the missed question
    # (1 minute), answered right by letter and rated Easy, then the first card and the
    # second question (10 minutes each).
    on_card(page, "landlocked")
    page.keyboard.press("b")
    expect(page.locator("#verdict")).to_have_text("Correct.")
    page.keyboard.press("4")
    on_card(page, "Which river flows through the city of Guwahati?")
    page.keyboard.press(" ")
    page.keyboard.press("3")
    on_card(page, "closest to the Sun")
    page.keyboard.press("c")
    page.keyboard.press("4")
    expect(page.locator("[data-done] .summary")).to_contain_text("7 cards answered, 86% correct")
    shoot(page, "done")

    rows = log(live.db)
    assert [r[:2] for r in rows] == [
        ("web-study:b1", 3), ("web-study:c1", 4), ("web-study:m1", 1), ("web-study:m2", 3),
        ("web-study:m1", 4), ("web-study:b1", 3), ("web-study:m2", 4),
    ]  # fmt: skip
    assert all(0 < ms < 60_000 for *_, ms in rows)  # the time each card was on screen
    col = Collection(live.db)
    assert col.card("web-study:b2").buried_until == "2026-11-26"
    assert col.card("web-study:b3").suspended
    assert run("check").exit_code == 0


def _history(db: Path) -> None:
    """Six weeks of study before today, answered through the same Session."""
    col = Collection(db)
    days = [NOW - timedelta(days=d) for d in (55, 40, 26, 12, 3, 1)]
    ratings = [Rating.Good, Rating.Good, Rating.Again, Rating.Easy, Rating.Hard, Rating.Good]
    for i, when in enumerate(days):
        with time_machine.travel(when, tick=False):
            session = Session(col, Scheduler(col.settings()), deck="web-study")
            for j in range(8):
                row = session.next_card()
                if row is None:
                    break
                session.answer(row, ratings[(i + j) % len(ratings)])
    col.close()


def test_the_stats_page_draws_what_the_review_log_holds(
    recall_home: Path, browser: Browser
) -> None:
    db = load_deck(recall_home, STUDY_DECK, "study")
    _history(db)
    col = Collection(db)
    with col.conn:  # the history was answered under a stopped clock: give each answer a time
        col.conn.execute("update reviews set duration_ms = 4000 + 1500 * id")
    sched = Scheduler(col.settings())
    shift = timedelta(hours=5, minutes=30) - timedelta(hours=4)  # Kolkata, day starts at 4
    rows = col.conn.execute("select reviewed_at, rating, state_before from reviews").fetchall()
    when = [(datetime.fromisoformat(at).astimezone(UTC) + shift).date() for at, _, _ in rows]
    today = (NOW + shift).date()
    per_day = Counter(
        (d.isoformat(), rating) for d, (_, rating, _) in zip(when, rows, strict=True)
        if (today - d).days < 30
    )  # fmt: skip
    judged, kept = Counter[str](), Counter[str]()
    for d, (_, rating, state) in zip(when, rows, strict=True):
        if state == 2:
            judged[d.isoformat()[:7]] += 1
            kept[d.isoformat()[:7]] += rating > 1
    forecast = {f["day"]: f["due"] for f in stats(col, sched, NOW)["forecast"] if f["due"]}
    assert per_day and judged and forecast  # the history has something to draw

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    with time_machine.travel(NOW, tick=True):
        for live in serve(db):
            page.goto(live.link.replace("/?", "/stats?"))
            marks = "els => els.map(e => [e.dataset.key, e.classList[1], +e.dataset.value, +(e.getAttribute('height') || 0)])"
            drawn = {
                chart: page.eval_on_selector_all(f"#{chart} .mark", marks)
                for chart in ("forecast", "reviews", "retention", "time", "stability", "difficulty")
            }
            shoot(page, "stats")
    page.close()

    names = {1: "again", 2: "hard", 3: "good", 4: "easy"}
    assert {(k, c): v for k, c, v, _ in drawn["reviews"]} == {
        (day, names[r]): n for (day, r), n in per_day.items()
    }
    assert {k: v for k, _, v, _ in drawn["forecast"]} == forecast
    assert {k: v for k, _, v, _ in drawn["retention"]} == {
        m: round(kept[m] / judged[m], 4) for m in judged
    }
    studied = [r.memory for r in col.live_cards() if r.memory.stability is not None]
    by_bin = Counter(
        next(label for label, low, high in STABILITY_BINS if low <= m.stability < high)
        for m in studied if m.stability is not None
    )  # fmt: skip
    assert {k: v for k, _, v, _ in drawn["stability"] if v} == by_bin
    difficulty = Counter(f"{int(m.difficulty)}-{int(m.difficulty) + 1}" for m in studied
                         if m.difficulty is not None)  # fmt: skip
    assert {k: v for k, _, v, _ in drawn["difficulty"] if v} == difficulty
    ms = Counter[str]()
    for d, (at,) in zip(when, col.conn.execute("select duration_ms from reviews"), strict=True):
        if (today - d).days < 30:
            ms[d.isoformat()] += at
    assert len(ms) >= 3 and all(ms.values())
    assert {k: v for k, _, v, _ in drawn["time"]} == {d: round(n / 60000, 1) for d, n in ms.items()}
    # Bars are drawn to scale: the same pixels per review on every bar of a chart (the
    # page rounds each height to a tenth of a pixel).
    for chart in ("forecast", "reviews", "stability", "difficulty"):
        scales = [h / v for *_, v, h in drawn[chart] if v]
        assert max(scales) - min(scales) < 0.1, (chart, scales)


def test_every_page_fits_a_phone(live: Live, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    page.goto(live.link)
    paths = ("/", "/review?deck=web-study", "/stats", "/browse?q=*", "/card?uid=web-study:m1",
             "/settings")  # fmt: skip
    for path in paths:
        page.goto(live.base + path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 360, (path, wide)
    page.goto(live.base + "/review?deck=web-study")
    page.get_by_text("Show answer").tap()
    heights = page.eval_on_selector_all(
        "button, .button", "els => els.filter(e => e.offsetParent).map(e => e.offsetHeight)"
    )
    assert heights and min(heights) >= 44  # touch targets
    context.close()


def test_a_learner_finds_a_card_in_browse_and_edits_it(live: Live, page: Page) -> None:
    page.goto(live.link)
    page.get_by_role("link", name="Browse").click()
    page.get_by_role("searchbox", name="Search").fill('"Guwahati" deck:web*')
    page.keyboard.press("Enter")
    expect(page.locator("p.found")).to_have_text("1 card found.")
    shoot(page, "browse")
    page.get_by_role("link", name="b1").click()
    expect(page.locator(".fields .front")).to_have_text(
        "Which river flows through the city of Guwahati?"
    )
    expect(page.locator(".memory .card-status")).to_have_text("new")
    page.locator('textarea[name="front"]').fill("Which river flows past Guwahati?")
    page.locator('textarea[name="back"]').fill("The Brahmaputra (Luit in Assamese).")
    shoot(page, "card")
    page.get_by_role("button", name="Save the edit").click()
    expect(page.locator(".note")).to_contain_text("Saved your edit")
    expect(page.locator(".fields .front")).to_have_text("Which river flows past Guwahati?")

    page.get_by_role("link", name="Back to the search").click()
    page.get_by_role("searchbox", name="Search").fill("Luit")
    page.keyboard.press("Enter")
    expect(page.locator("table.cards .front")).to_have_text("Which river flows past Guwahati?")

    row = Collection(live.db).card("web-study:b1")
    assert (row.front, row.back) == (
        "Which river flows past Guwahati?", "The Brahmaputra (Luit in Assamese).",
    )  # fmt: skip
    shown = run("card", "b1")
    assert shown.exit_code == 0
    assert "front: Which river flows past Guwahati?" in shown.output
    assert "(your edit:" in shown.output

    page.get_by_role("link", name="b1").click()
    page.get_by_role("button", name="Suspend").click()
    expect(page.locator(".memory .card-status")).to_have_text("suspended")
    page.get_by_role("button", name="Unsuspend").click()
    expect(page.locator(".memory .card-status")).to_have_text("new")
    assert not Collection(live.db).card("web-study:b1").suspended


def test_e_edits_the_card_under_review_and_u_undoes_a_suspend(live: Live, page: Page) -> None:
    page.goto(live.link.replace("/?", "/review?deck=web-study&"))
    on_card(page, "Which river flows through the city of Guwahati?")
    page.keyboard.press("e")
    expect(page.locator(".fields .front")).to_have_text(
        "Which river flows through the city of Guwahati?"
    )
    page.locator('textarea[name="front"]').fill("Name the river that flows past Guwahati.")
    page.get_by_role("button", name="Save the edit").click()
    on_card(page, "Name the river that flows past Guwahati.")
    page.keyboard.press("@")
    expect(page.locator(".note")).to_have_text("Suspended the card.")
    on_card(page, "Chief Election Commissioner")
    page.keyboard.press("u")
    expect(page.locator(".note")).to_have_text("Undid the suspend: the card is back.")
    on_card(page, "Name the river that flows past Guwahati.")
    page.keyboard.press(" ")
    page.keyboard.press("3")
    on_card(page, "Chief Election Commissioner")
    assert [r[:2] for r in log(live.db)] == [("web-study:b1", 3)]
    assert not Collection(live.db).card("web-study:b1").suspended
    assert run("check").exit_code == 0


def test_settings_refuse_a_bad_value_and_save_a_good_one(live: Live, page: Page) -> None:
    page.goto(live.link.replace("/?", "/settings?"))
    page.locator('input[name="desired_retention"]').fill("1.2")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".setting.invalid .error")).to_contain_text("a number from 0.70 to 0.99")
    expect(page.locator(".note")).to_have_text("Nothing was saved: a value is not valid.")
    shoot(page, "settings-error")
    page.locator('input[name="desired_retention"]').fill("0.87")
    page.locator('input[name="new_per_day"]').fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".note")).to_have_text("Saved desired_retention, new_per_day.")
    settings = Collection(live.db).settings()
    assert (settings.desired_retention, settings.new_per_day) == (0.87, 3)
    page.get_by_role("link", name="Decks").click()
    expect(page.locator('tr[data-deck="web-study"] td.new')).to_have_text("3")
