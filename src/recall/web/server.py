"""Listening and serving: the socket is bound here first, so a port in use or a host that
cannot be bound is one clear error before anything starts, then uvicorn serves the app on it."""

from __future__ import annotations

import logging
import socket
import sys

from starlette.applications import Starlette

from recall.errors import RecallError


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise RecallError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise RecallError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def link(sock: socket.socket, host: str, token: str) -> str:
    """The address to open, with the token."""
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def serve(app: Starlette, sock: socket.socket) -> None:
    """Serve until Ctrl-C. Requests are logged one line each by uvicorn; errors one line each
    by the app (``recall.web``)."""
    import uvicorn

    logging.basicConfig(stream=sys.stderr, format="recall serve: %(message)s", level=logging.INFO)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])
