"""``recall preset``: named presets of scheduling options, and which deck uses which."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from recall.cli.common import cli, db_option, echo, open_collection
from recall.errors import RecallError

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")


@cli.command()
@click.argument("words", nargs=-1)
@click.option("--deck", "deck_name", help="With `use`: the deck that uses the preset.")
@db_option
def preset(words: tuple[str, ...], deck_name: str | None, db_path: Path | None) -> None:
    """Presets per deck, as Anki's deck options: list, set a value, or give a deck one.

    recall preset lists the presets and their decks; recall preset NAME KEY VALUE creates
    preset NAME (a copy of the default's values) or sets one of its values, checked as
    `recall config` checks them; recall preset use NAME --deck D makes deck D use it. A
    preset holds desired_retention, learning_steps, relearning_steps, maximum_interval,
    new_per_day, reviews_per_day and, once set, parameters (else the collection's). The
    default preset is the collection's settings. Past answers keep the values they were
    scheduled with.
    """
    col = open_collection(db_path)
    if not words:
        _list(col)
    elif words[0] == "use":
        if len(words) != 2 or not deck_name:
            raise RecallError("usage: recall preset use NAME --deck DECK")
        _use(col, words[1], deck_name)
    elif len(words) == 3:
        _set(col, *words)
    elif len(words) == 1:
        _list(col, only=_known(col, words[0]))
    else:
        raise RecallError(
            "usage: recall preset [NAME [KEY VALUE]] or recall preset use NAME --deck D"
        )


def _known(col: Any, name: str) -> str:
    from recall.settings import DEFAULT_PRESET

    if name != DEFAULT_PRESET and name not in col.presets():
        names = ", ".join([DEFAULT_PRESET, *col.presets()])
        raise RecallError(f"no preset named {name!r}; the presets are: {names}")
    return name


def _set(col: Any, name: str, key: str, value: str) -> None:
    from recall.settings import DEFAULT_PRESET, PRESET_KEYS, with_preset
    from recall.study.config import parse_setting, shown

    if name == "use" or not _NAME.fullmatch(name):
        raise RecallError(
            f"preset name {name!r} is not valid: up to 40 letters, digits, '.', '_' or '-', "
            "not 'use'"
        )
    if key not in PRESET_KEYS:
        keys = ", ".join(PRESET_KEYS)
        raise RecallError(f"unknown preset key {key!r}; a preset holds: {keys}")
    stored = col.presets().get(name, {})
    current = with_preset(col.settings(), stored)
    parsed = parse_setting(key, value, current)
    if name == DEFAULT_PRESET:
        col.set_setting(key, parsed)
    else:
        col.set_preset(name, key, parsed)
    echo(f"{name}: {key} = {shown(parsed)}")


def _use(col: Any, name: str, deck_name: str) -> None:
    _known(col, name)
    deck = col.find_deck(deck_name)
    col.use_preset(name, deck)
    echo(f"deck {deck} uses preset {name}")


def _list(col: Any, only: str | None = None) -> None:
    from recall.settings import DEFAULT_PRESET, PRESET_KEYS, with_preset
    from recall.study.config import shown

    named, decks = col.presets(), col.deck_presets()
    all_decks = [str(d["slug"]) for d in col.decks()]
    for name in [DEFAULT_PRESET, *named]:
        if only is not None and name != only:
            continue
        settings = with_preset(col.settings(), named.get(name, {}))
        if name == DEFAULT_PRESET:
            users = [d for d in all_decks if decks.get(d) not in named]
        else:
            users = [d for d in all_decks if decks.get(d) == name]
        echo(f"{name}: decks {', '.join(users) if users else '(none)'}")
        for key in PRESET_KEYS:
            if key == "parameters" and "parameters" not in named.get(name, {}):
                echo("  parameters = the collection's")
                continue
            if key == "parameters":
                echo(f"  parameters = its own, {len(settings.parameters)} weights")
                continue
            echo(f"  {key} = {shown(getattr(settings, key))}")
