"""The README's commands are the ones CI runs, and its walkthrough matches the shipped deck."""

from __future__ import annotations

import re

from recall.deckfile import read_deck
from tests.conftest import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_gives_exactly_two_commands_and_ci_runs_the_second() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert "recall generate examples/lessons/india-us-critical-minerals.txt" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines()


def test_readme_summary_matches_the_shipped_deck() -> None:
    deck = read_deck(
        ROOT / "decks" / "india-us-critical-minerals-diplomacy-supply-chain-resilience.toml"
    )
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    live = [c for c in deck.cards if not c.retired]
    kinds = {k: sum(1 for c in live if c.kind == k) for k in ("basic", "reverse", "cloze", "mcq")}
    line = f"{len(live)} cards ({kinds['basic']} basic, {kinds['reverse']} reverse, {kinds['cloze']} cloze, {kinds['mcq']} mcq)"
    assert line in text
    assert any(
        c.id == "26226887c69c23bf" and c.options == ("Niobium", "Titanium", "Vanadium", "Bauxite")
        for c in deck.cards
    )
