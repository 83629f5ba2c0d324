"""Browse: find cards with the query language of ``recall cards``, look at one card, and fix
it — edit its text, forget it, suspend, unsuspend or bury it.

Every search and change goes through :mod:`recall.study.browse` (the same functions
``recall cards``/``card``/``edit``/``forget`` call), so the browser and the terminal read
and write a card the same way: an edit here is kept like ``recall edit``'s, and ``recall add``
of a newer deck file reports it. A card is named by its uid in a query parameter or form
field and looked up in the collection; no route reads a path from the request.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from recall.cards import LETTERS
from recall.errors import RecallError
from recall.store import Row
from recall.study.schedule import Scheduler
from recall.web.app import Web, web_of
from recall.web.security import checked_form

#: Rows a search page shows; more are counted as "first N" rather than drawn.
PAGE = 100

NOTES = {
    "edited": "Saved your edit. `recall add` of a newer deck file keeps it while the file's "
    "text of this card stays the same.",
    "unchanged": "The text is the same as before; nothing changed.",
    "forgotten": "Reset the card to new; its past reviews stay in the log.",
    "already-new": "The card is already new; nothing changed.",
    "suspended": "Suspended the card.",
    "unsuspended": "Unsuspended the card (and unburied it).",
    "buried": "Buried the card until tomorrow.",
}
#: Where a card page's "back" link and a saved edit lead: fixed places, never a URL from
#: the request.
RETURNS = {"review": "/review", "browse": "/browse"}


def _row(web: Web, uid: str) -> Row:
    try:
        return web.col.card(uid)
    except RecallError as exc:
        raise HTTPException(404, str(exc)) from None


async def browse(request: Request) -> Response:
    """The search form and, for a query, a table of the cards it finds (in deck order)."""
    from recall.study.browse import listing, search

    web = web_of(request)
    text = request.query_params.get("q", "").strip()
    rows: list[dict[str, str]] = []
    error, more = "", False
    if text:
        sched = Scheduler(web.col.settings())
        now = web.clock()
        try:
            found = search(web.col, sched, text, now, PAGE + 1)
        except RecallError as exc:  # a bad query, or nothing found: said on the page
            error = str(exc)
        else:
            more = len(found) > PAGE
            today = sched.day(now).isoformat()
            rows = [listing(r, sched, today) for r in found[:PAGE]]
    status = 400 if error.startswith("bad query") else 200
    return web.render(
        request, "browse.html", status, q=text, rows=rows, error=error, more=more, page=PAGE
    )


def safe_url(url: str) -> str:
    """A source link only when it is a web address: a ``javascript:`` URL in a deck file
    must never become a live link, however well it is escaped."""
    return url if url.lower().startswith(("https://", "http://")) else ""


async def card_page(request: Request) -> Response:
    """One card: its fields, source and as-of, memory, retrievability and review history."""
    from recall.study.browse import details

    web = web_of(request)
    row = _row(web, request.query_params.get("uid", ""))
    sched = Scheduler(web.col.settings())
    info = details(web.col, sched, row, web.clock())
    came_from = request.query_params.get("from", "")
    came_from = came_from if came_from in RETURNS else ""
    deck = request.query_params.get("deck", "")
    deck = deck if deck in web.col.deck_titles() else ""
    return web.render(
        request, "card.html", c=info, link=safe_url(info["url"]), letters=LETTERS,
        note=NOTES.get(request.query_params.get("note", ""), ""), came_from=came_from,
        back=_return(came_from, deck), deck=deck or None,
    )  # fmt: skip


def _return(came_from: str, deck: str) -> str:
    """The page a card page goes back to: the review (of its deck) or the search."""
    if came_from == "review":
        return RETURNS["review"] + (f"?{urlencode({'deck': deck})}" if deck else "")
    return RETURNS["browse"]


def _to_card(uid: str, note: str, form: dict[str, str]) -> RedirectResponse:
    query = {"uid": uid, "note": note}
    if form.get("from") in RETURNS:
        query["from"] = form["from"]
    if form.get("deck"):
        query["deck"] = form["deck"]
    return RedirectResponse("/card?" + urlencode(query), 303)


async def edit(request: Request) -> Response:
    """Save a learner's edit of the card's text, with ``recall edit``'s rules; from the
    review, go back to it (the session shows the edited text)."""
    from recall.study.browse import checked, digest

    web = web_of(request)
    form = await checked_form(request, web.token)
    row = _row(web, form.get("uid", ""))
    name = f"edit of {row.uid}"
    if row.kind == "mcq":
        options = [form.get(f"option_{letter}", "") for letter in LETTERS[: len(row.options)]]
        answer = form.get("answer", row.answer)
    else:
        options, answer = list(row.options), row.answer
    text = checked(
        row.kind, front=form.get("front", row.front), back=form.get("back", row.back),
        options=options, answer=answer, name=name,
    )  # fmt: skip
    if (text.front, text.back, text.options, text.answer) == (
        row.front, row.back, row.options, row.answer,
    ):  # fmt: skip
        return _to_card(row.uid, "unchanged", form)
    web.col.edit_card(row.uid, text, web.col.edit_base(row.uid) or digest(row), web.clock())
    if form.get("from") == "review":
        return RedirectResponse(_return("review", form.get("deck", "")), 303)
    return _to_card(row.uid, "edited", form)


async def forget(request: Request) -> Response:
    from recall.study.browse import forget as reset

    web = web_of(request)
    form = await checked_form(request, web.token)
    row = _row(web, form.get("uid", ""))
    changed = reset(web.col, [row], web.clock())
    return _to_card(row.uid, "forgotten" if changed else "already-new", form)


async def flag(request: Request) -> Response:
    """Suspend, unsuspend (which also unburies, as ``recall unsuspend`` does) or bury."""
    web = web_of(request)
    form = await checked_form(request, web.token)
    row = _row(web, form.get("uid", ""))
    action = request.url.path.rsplit("/", 1)[-1]
    if action == "suspend":
        web.col.set_flags_many([row.uid], suspended=1)
        note = "suspended"
    elif action == "unsuspend":
        web.col.set_flags_many([row.uid], suspended=0, buried_until=None)
        note = "unsuspended"
    else:
        sched = Scheduler(web.col.settings())
        tomorrow = sched.day(web.clock()) + timedelta(days=1)
        web.col.set_flags_many([row.uid], buried_until=tomorrow.isoformat())
        note = "buried"
    return _to_card(row.uid, note, form)


ROUTES = [
    Route("/browse", browse, methods=["GET"]),
    Route("/card", card_page, methods=["GET"]),
    Route("/card/edit", edit, methods=["POST"]),
    Route("/card/forget", forget, methods=["POST"]),
    Route("/card/suspend", flag, methods=["POST"]),
    Route("/card/unsuspend", flag, methods=["POST"]),
    Route("/card/bury", flag, methods=["POST"]),
]
