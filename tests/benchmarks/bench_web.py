"""``recall serve``: server time to show a card and to answer it, at 10k and 100k cards.

* the review page (GET /review: today's queue is kept by the session, the card is read,
  its four intervals previewed, the template rendered), beside a bare Starlette route
  returning "hello" through the same harness: the framework's own floor;
* showing and answering a card (GET the page, POST the answer from its form: the CSRF
  check, the concurrent-answer check, Session.answer's commit), beside ``recall review``'s
  own next card + answer, Session called directly on a copy of the same collection;
* the same over real HTTP on the loopback (uvicorn, one keep-alive connection): the
  review page and a whole card (GET, POST, the redirect), beside the bare route.

"Server time" ends when the response's last byte is handed to the server: the work done
after it (folding the write-ahead log every 50 answers, while the learner reads) is not
counted, as ``recall review`` does not count it either (bench_review reports it apart).
"""

from __future__ import annotations

import asyncio
import http.client
import re
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.benchmarks.common import SIZES, Result
from tests.benchmarks.synthetic import recall_collection

NOW = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)
TOKEN = "bench-token"
CARDS = 30  # cards per batch, five batches (the median is reported): 150 of a day's 220
WEB_SIZES = [n for n in SIZES if n <= 100_000] or SIZES[:1]

Call = Callable[[str, str, bytes], tuple[int, bytes, str, float]]


def _harness(app: Any) -> Call:
    """Call the ASGI app directly: (status, body, location, seconds to the last byte)."""
    loop = asyncio.new_event_loop()
    cookie = f"recall_token={TOKEN}".encode()

    def call(method: str, target: str, body: bytes = b"") -> tuple[int, bytes, str, float]:
        path, _, query = target.partition("?")
        headers = [(b"host", b"127.0.0.1:8000"), (b"cookie", cookie)]
        if method == "POST":
            headers += [(b"content-type", b"application/x-www-form-urlencoded"),
                        (b"content-length", str(len(body)).encode())]  # fmt: skip
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": query.encode(), "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
        }  # fmt: skip
        out: dict[str, Any] = {"body": b"", "location": ""}
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                out["status"] = message["status"]
                out["location"] = dict(message["headers"]).get(b"location", b"").decode()
            elif message["type"] == "http.response.body":
                out["body"] += message.get("body", b"")
                if not message.get("more_body"):
                    out["done"] = time.perf_counter()

        start = time.perf_counter()
        loop.run_until_complete(app(scope, receive, send))
        return out["status"], out["body"], out["location"], out["done"] - start

    return call


def _hello_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse("hello")

    return Starlette(routes=[Route("/", hello)])


def _web_app(db: Path) -> Any:
    from recall.web.app import create_app

    return create_app(db, TOKEN, clock=lambda: NOW)


_FIELD = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def _answer_form(page: bytes) -> bytes:
    """The answer form's fields as the browser would post them, rated Good."""
    html = page.decode()
    form = html[
        html.index('id="answer-form"') : html.index("</form>", html.index('id="answer-form"'))
    ]
    fields = dict(_FIELD.findall(form)) | {"rating": "3"}
    return urlencode(fields).encode()


def _median_per(fn: Callable[[], float], calls: int) -> float:
    """Median over five batches of the mean seconds ``fn`` reports per call."""
    return statistics.median(sum(fn() for _ in range(calls)) / calls for _ in range(5))


def _direct(db: Path) -> float:
    """``recall review``'s next card + answer, Session called directly (idle not counted)."""
    from recall.memory import Rating
    from recall.store import Collection
    from recall.study.schedule import Scheduler
    from recall.study.session import Session

    col = Collection(db)
    session = Session(col, Scheduler(col.settings()), clock=lambda: NOW)

    def one() -> float:
        start = time.perf_counter()
        row = session.next_card()
        assert row is not None
        session.preview(row)  # the screen shows the four intervals too
        mid = time.perf_counter()
        session.idle()
        resumed = time.perf_counter()
        session.answer(row, Rating.Good)
        return (mid - start) + (time.perf_counter() - resumed)

    per = _median_per(one, CARDS)
    col.close()
    return per


def _in_process(db: Path) -> tuple[float, float, float, int]:
    """(review page, hello route, show + answer) seconds per call, and the page's bytes."""
    call, hello = _harness(_web_app(db)), _harness(_hello_app())
    status, page, _, _ = call("GET", "/review", b"")
    assert status == 200 and b'id="answer-form"' in page, page[:300]

    def show() -> float:
        return call("GET", "/review", b"")[3]

    def card() -> float:
        status, body, _, shown = call("GET", "/review", b"")
        assert status == 200
        status, _, where, answered = call("POST", "/review/answer", _answer_form(body))
        assert status == 303 and "note" not in where, where
        return shown + answered

    page_s = _median_per(show, CARDS)
    hello_s = _median_per(lambda: hello("GET", "/", b"")[3], CARDS)
    card_s = _median_per(card, CARDS)
    return page_s, hello_s, card_s, len(page)


class _Client:
    """One keep-alive HTTP/1.1 connection to the loopback server."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.headers = {"Cookie": f"recall_token={TOKEN}"}

    def request(self, method: str, target: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, target, body=body, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()


def _over_http(app: Any, fn: Callable[[_Client], object], calls: int) -> float:
    """Median seconds per ``fn`` over five batches, the app served by uvicorn on 127.0.0.1."""
    import uvicorn

    from recall.web.server import listen

    sock = listen("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    client = _Client(sock.getsockname()[1])
    try:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(calls):
                fn(client)
            times.append((time.perf_counter() - start) / calls)
        return statistics.median(times)
    finally:
        client.conn.close()
        server.should_exit = True
        thread.join(10)
        sock.close()


def _http_card(client: _Client) -> None:
    status, page = client.request("GET", "/review")
    assert status == 200
    status, _ = client.request("POST", "/review/answer", _answer_form(page))
    assert status == 303


def _browse(db: Path) -> list[tuple[str, float, float, int]]:
    """Browse pages (server time), each beside the same work called directly, as
    ``recall cards``/``recall card``/``recall stats`` do it: (what, page s, direct s, bytes)."""
    from recall.store import Collection
    from recall.study.browse import details, search
    from recall.study.schedule import Scheduler
    from recall.study.stats import stats

    call = _harness(_web_app(db))
    col = Collection(db)
    sched = Scheduler(col.settings())
    uid = search(col, sched, "is:review", NOW, 1)[0].uid
    cases: list[tuple[str, str, Callable[[], object]]] = [
        ("search is:due", "/browse?q=is%3Adue", lambda: search(col, sched, "is:due", NOW, 101)),
        ("card page", f"/card?{urlencode({'uid': uid})}",
         lambda: details(col, sched, col.card(uid), NOW)),
        ("stats page", "/stats", lambda: stats(col, sched, NOW)),
    ]  # fmt: skip
    out = []
    for what, target, direct in cases:
        status, body, _, _ = call("GET", target, b"")
        assert status == 200, (target, body[:300])
        calls = 3 if what == "stats page" else 10
        page_s = _median_per(lambda t=target: call("GET", t, b"")[3], calls)  # type: ignore[misc]

        def timed(fn: Callable[[], object] = direct) -> float:
            start = time.perf_counter()
            fn()
            return time.perf_counter() - start

        out.append((what, page_s, _median_per(timed, calls), len(body)))
    col.close()
    return out


def bench_web() -> list[Result]:
    out: list[Result] = []
    for n in WEB_SIZES:
        direct = _direct(recall_collection(n))
        page_s, hello_s, card_s, size = _in_process(recall_collection(n))
        out.append(Result(f"web: review page, server time ({n:,})", page_s, "< 20 ms",
                          page_s < 0.02, "bare Starlette route, same harness", hello_s,
                          f"page {size / 1024:.1f} KB", "web review page", n))  # fmt: skip
        out.append(Result(f"web: show + answer a card, server time ({n:,})", card_s, "< 20 ms",
                          card_s < 0.02, "recall review: Session next card + answer", direct,
                          "GET page + POST answer", "web show + answer", n))  # fmt: skip
        for what, page_s, direct_s, size in _browse(recall_collection(n)):
            out.append(Result(f"web: {what}, server time ({n:,})", page_s, "—", True,
                              "the same data called directly (recall cards/card/stats)",
                              direct_s, f"page {size / 1024:.1f} KB", f"web {what}", n))  # fmt: skip
    n = WEB_SIZES[-1]
    hello = _over_http(_hello_app(), lambda c: c.request("GET", "/"), CARDS)
    page = _over_http(_web_app(recall_collection(n)), lambda c: c.request("GET", "/review"), CARDS)
    card = _over_http(_web_app(recall_collection(n)), _http_card, CARDS)
    out.append(Result(f"web over HTTP: review page ({n:,})", page, "—", True,
                      "bare Starlette route over HTTP", hello,
                      f"{1 / page:.0f} pages/s vs {1 / hello:.0f} hello/s"))  # fmt: skip
    out.append(Result(f"web over HTTP: a whole card, GET + POST ({n:,})", card, "—", True,
                      "two bare Starlette requests over HTTP", 2 * hello,
                      f"{1 / card:.0f} cards/s"))  # fmt: skip
    return out


BENCHMARKS = [bench_web]
