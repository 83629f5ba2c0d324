"""The Starlette application: one collection, the token gate, templates and error pages.

Handlers are ``async`` and do their (millisecond) SQLite work on the event loop itself: the
collection's connection belongs to the loop's thread, and requests are served one at a time,
so two tabs answering at once are taken in turn — which is what the answer check in
:mod:`recall.web.desk` relies on. The collection is opened when the app starts (its
lifespan), in that thread, and closed when it stops.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from recall.errors import RecallError
from recall.store import Collection
from recall.web.desk import Desk
from recall.web.security import TokenGate, csrf_for

log = logging.getLogger("recall.web")


class Web:
    """What every route shares."""

    def __init__(self, db: Path, token: str, clock: Callable[[], datetime]) -> None:
        self.db, self.token, self.clock = db, token, clock
        self.csrf = csrf_for(token)
        env = Environment(
            loader=PackageLoader("recall.web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates = Jinja2Templates(env=env)
        self._col: Collection | None = None
        self._desk: Desk | None = None

    @property
    def col(self) -> Collection:
        if self._col is None:
            self._col = Collection(self.db)
        return self._col

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            self._desk = Desk(self.col, self.clock)
        return self._desk

    def close(self) -> None:
        if self._col is not None:
            self._col.close()
        self._col = self._desk = None

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("csrf", self.csrf)
        return self.templates.TemplateResponse(request, name, context, status_code=status)


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


class OneLineErrors:
    """An unexpected error becomes a 500 page and one line in the server's log, never a
    traceback in the browser or the terminal."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sending(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            where = f"{scope.get('method')} {scope.get('path')}"
            log.error("%s: %s: %s", where, type(exc).__name__, exc)
            if not started and scope["type"] == "http":
                page = _page("Something went wrong", "The server could not show this page.")
                await HTMLResponse(page, status_code=500)(scope, receive, send)


def _page(title: str, text: str) -> str:
    from markupsafe import escape

    return (
        f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<link rel="stylesheet" href="/static/style.css"><main><h1>{escape(title)}</h1>'
        f'<p>{escape(text)}</p><p><a href="/">Back to your decks</a></p></main></html>'
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    log.warning("%s %s: %d %s", request.method, request.url.path, exc.status_code, exc.detail)
    return HTMLResponse(_page(f"Error {exc.status_code}", str(exc.detail)), exc.status_code)


async def _recall_error(request: Request, exc: Exception) -> Response:
    log.warning("%s %s: 400 %s", request.method, request.url.path, exc)
    return HTMLResponse(_page("That did not work", str(exc)), status_code=400)


def create_app(
    db: Path, token: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Starlette:
    """The app on the collection at ``db``; every request needs ``token``."""
    from recall.web.routes import ROUTES

    web = Web(db, token, clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        web.col  # noqa: B018  (open it in the server's thread, and fail early)
        try:
            yield
        finally:
            web.close()

    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(TokenGate, token=token), Middleware(OneLineErrors)],
        exception_handlers={HTTPException: _http_error, RecallError: _recall_error},
        lifespan=lifespan,
    )
    app.state.web = web
    return app
