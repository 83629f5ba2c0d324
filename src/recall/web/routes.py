"""The pages: decks, the review session and its actions, statistics, and the two static files.

State changes are POSTs whose form passes :func:`~recall.web.security.checked_form`, then
redirect (303) back to a page, so a reload never answers twice. A message after a redirect
is named by a fixed key (``?note=undone``), never echoed from the request.
"""

from __future__ import annotations

from importlib.resources import files
from urllib.parse import urlencode

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from recall.cards import LETTERS
from recall.errors import RecallError
from recall.memory import Rating
from recall.study.schedule import Scheduler
from recall.study.session import Session
from recall.web.app import Web, web_of
from recall.web.browse import ROUTES as BROWSE_ROUTES
from recall.web.browse import safe_url
from recall.web.desk import card_view, version
from recall.web.security import checked_form
from recall.web.settings_page import ROUTES as SETTINGS_ROUTES

NOTES = {
    "undone": "Undid the last answer.",
    "unsuspended": "Undid the suspend: the card is back.",
    "unburied": "Undid the bury: the card is back.",
    "nothing": "Nothing to undo.",
    "stale": "That card was answered elsewhere since this page showed it; your answer was "
    "not saved. Here is the next card.",
    "hidden": "That card was suspended or buried elsewhere; your answer was not saved.",
    "suspended": "Suspended the card.",
    "buried": "Buried the card until tomorrow.",
}

#: The note after an undo, by what :meth:`Session.last_action` said was undone.
UNDONE = {"answer": "undone", "suspend": "unsuspended", "bury": "unburied"}


def _deck(web: Web, name: str | None) -> str | None:
    """The deck slug named in a request, or None for every deck (an unknown name is a 404)."""
    if not name:
        return None
    try:
        return web.col.find_deck(name)
    except RecallError as exc:
        raise HTTPException(404, str(exc)) from None


def _back(deck: str | None, note: str = "") -> RedirectResponse:
    query = {k: v for k, v in (("deck", deck or ""), ("note", note)) if v}
    return RedirectResponse("/review" + ("?" + urlencode(query) if query else ""), 303)


async def decks(request: Request) -> Response:
    from recall.study.stats import due

    web = web_of(request)
    data = due(web.col, Scheduler(web.col.settings()), web.clock(), None)
    return web.render(request, "decks.html", data=data)


async def review(request: Request) -> Response:
    web = web_of(request)
    deck = _deck(web, request.query_params.get("deck"))
    session = web.desk.session(deck)
    note = NOTES.get(request.query_params.get("note", ""), "")
    row = session.next_card()
    titles = web.col.deck_titles()
    title = titles.get(deck, deck) if deck else "All decks"
    if row is None:
        summary = session.summary()
        return web.render(request, "done.html", deck=deck, title=title, s=summary, note=note)
    new, learning, due_reviews = session.counts()
    done = len(session.answered)
    left = new + learning + due_reviews
    view = card_view(session, row, titles.get(row.deck, row.deck))
    origin = web.col.card_details(row.uid)  # the source link shown with the answer

    async def idle() -> None:  # on the loop's thread, after the page has gone out
        session.idle()

    response = web.render(
        request, "review.html", deck=deck, title=title, card=view, note=note,
        counts={"new": new, "learning": learning, "review": due_reviews}, done=done,
        total=done + left, source=origin.get("source") or "", as_of=origin.get("as_of") or "",
        link=safe_url(origin.get("url") or ""),
    )  # fmt: skip
    response.background = BackgroundTask(idle)
    return response


async def _card_action(request: Request) -> tuple[Web, Session, dict[str, str]]:
    web = web_of(request)
    form = await checked_form(request, web.token)
    return web, web.desk.session(_deck(web, form.get("deck"))), form


async def answer(request: Request) -> Response:
    web, session, form = await _card_action(request)
    row = web.col.card(form.get("uid", ""))
    if version(row) != form.get("version"):
        return _back(session.deck, "stale")
    today = session.sched.day(web.clock()).isoformat()
    if row.suspended or row.retired or (row.buried_until or "") > today:
        return _back(session.deck, "hidden")
    choice = form.get("choice", "").upper()
    correct = None
    if row.kind == "mcq" and choice in tuple(LETTERS[: len(row.options)]):
        correct = choice == row.answer
    given = form.get("rating", "")
    if given in {"1", "2", "3", "4"}:
        rating = Rating(int(given))
    elif given == "auto" and correct is not None:
        rating = Rating.Good if correct else Rating.Again
    else:
        raise HTTPException(400, "An answer needs a rating from 1 to 4.")
    session.answer(row, rating, correct=correct)
    return _back(session.deck)


async def undo(request: Request) -> Response:
    _web, session, _form = await _card_action(request)
    action = session.last_action()
    try:
        undone = session.undo()
    except RecallError:  # answered again since (say, in the terminal): keep both
        return _back(session.deck, "nothing")
    if undone is None:
        return _back(session.deck, "nothing")
    return _back(session.deck, UNDONE.get(action or "", "undone"))


async def suspend_or_bury(request: Request) -> Response:
    web, session, form = await _card_action(request)
    row = web.col.card(form.get("uid", ""))
    if version(row) != form.get("version"):
        return _back(session.deck, "stale")
    bury = request.url.path.endswith("/bury")
    (session.bury if bury else session.suspend)(row)
    return _back(session.deck, "buried" if bury else "suspended")


async def stats_page(request: Request) -> Response:
    from recall.web.charts import charts

    web = web_of(request)
    deck = _deck(web, request.query_params.get("deck"))
    sched = Scheduler(web.col.settings())
    data = charts(web.col, sched, web.clock(), deck)
    title = web.col.deck_titles().get(deck, deck) if deck else "All decks"
    return web.render(request, "stats.html", deck=deck, title=title, **data)


def _static(name: str, media_type: str) -> Route:
    """One named file from the package: no route reads a path from the request."""
    body = (files("recall.web") / "static" / name).read_bytes()

    async def serve(request: Request) -> Response:
        return Response(body, media_type=media_type, headers={"Cache-Control": "max-age=3600"})

    return Route(f"/static/{name}", serve, methods=["GET"])


ROUTES = [
    Route("/", decks, methods=["GET"]),
    Route("/review", review, methods=["GET"]),
    Route("/review/answer", answer, methods=["POST"]),
    Route("/review/undo", undo, methods=["POST"]),
    Route("/review/suspend", suspend_or_bury, methods=["POST"]),
    Route("/review/bury", suspend_or_bury, methods=["POST"]),
    Route("/stats", stats_page, methods=["GET"]),
    *BROWSE_ROUTES,
    *SETTINGS_ROUTES,
    _static("style.css", "text/css"),
    _static("keys.js", "text/javascript"),
]
