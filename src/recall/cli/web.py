"""The web app: ``recall serve``."""

from __future__ import annotations

from pathlib import Path

import click

from recall.cli.common import cli, collection_path, db_option, echo, open_collection


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; another address lets other machines in (still "
                   "only with the token).")  # fmt: skip
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")  # fmt: skip
@click.option("--open", "open_browser", is_flag=True, help="Open the link in a browser.")
@db_option
def serve(host: str, port: int, open_browser: bool, db_path: Path | None) -> None:
    """Review, see your decks and your stats in a web browser.

    Serves a local web app on the same collection `recall review` uses: the same queue,
    limits and undo, Anki's keys (space show, 1-4 rate, a-d choose, u undo, @ suspend,
    - bury), and charts of your reviews. It prints a link with an access token; every
    request without that token is refused. Ctrl-C stops it.
    """
    from recall.errors import RecallError
    from recall.web.app import create_app
    from recall.web.security import new_token
    from recall.web.server import link, listen
    from recall.web.server import serve as run

    path = collection_path(db_path)
    if not path.exists():
        raise RecallError("no collection here: load a deck with `recall add` first", str(path))
    open_collection(path).close()  # a damaged or foreign file is refused now, in one line
    sock = listen(host, port)
    token = new_token()
    url = link(sock, host, token)
    echo(f"recall serve: open {url}  (Ctrl-C stops)")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    run(create_app(path, token), sock)
