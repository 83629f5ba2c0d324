"""Who may use the app, and proof that a form was posted by one of its own pages.

Every request needs the access token that ``recall serve`` prints, as Jupyter does: any
process on the machine (or, bound elsewhere, the network) can reach the port, and the
collection is the learner's. The printed link carries it once in the URL; the app then keeps
it in an HttpOnly, SameSite=Strict cookie and redirects to the same page without it, so it
does not linger in the address bar or the history.

A state-changing request is a POST that must carry a CSRF field derived from the token; a
page on another site can neither read it nor (SameSite) send the cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlencode

from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "recall_token"
REFUSED = """<!doctype html><html lang="en"><meta charset="utf-8">
<title>recall: link needed</title><body style="font-family:sans-serif;margin:2em">
<h1>Open the link that <code>recall serve</code> printed</h1>
<p>This page needs the access token from that link.</p></body></html>"""


def new_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_for(token: str) -> str:
    """The CSRF field of every form: derived from the token, so nothing is stored."""
    return hmac.new(token.encode(), b"recall-csrf", hashlib.sha256).hexdigest()


class TokenGate:
    """ASGI middleware: refuse every request without the token (403), take it from
    ``?token=`` once and move it into the cookie."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        given = request.query_params.get("token")
        if given is not None and _same(given, self.token):
            await _into_cookie(request.url, self.token)(scope, receive, send)
            return
        if not _same(request.cookies.get(COOKIE, ""), self.token):
            await HTMLResponse(REFUSED, status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _same(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


def _into_cookie(url: URL, token: str) -> Response:
    rest = [(k, v) for k, v in _query_pairs(url) if k != "token"]
    target = url.path + ("?" + urlencode(rest) if rest else "")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


def _query_pairs(url: URL) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(url.query, keep_blank_values=True)


async def checked_form(request: Request, token: str) -> dict[str, str]:
    """The posted form, after the CSRF check (403 when it fails). Every POST route reads its
    form through here; a test walks the routes to make sure."""
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(403, "This form came from another site.")
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not hmac.compare_digest(fields.get("csrf", "").encode(), csrf_for(token).encode()):
        raise HTTPException(403, "This form is out of date: reload the page and try again.")
    return fields
