"""The README's walkthroughs and "Finding and fixing cards" print what the README shows, run
in a fresh collection as a first run is; its shell-completion line really makes a completion
script."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from recall.cli import cli
from tests.conftest import ROOT


def console_blocks(section: str, first_only: bool = False) -> list[tuple[str, str]]:
    """(command, expected output) for each ``$ …`` line of a section's console blocks (or
    of its first one only: later blocks may show what follows an edit by hand)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", body, re.DOTALL)
    steps: list[tuple[str, str]] = []
    for block in blocks[:1] if first_only else blocks:
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], ""))
            else:
                command, out = steps[-1]
                steps[-1] = (command, out + line + "\n")
    return steps


_PIPED = re.compile(r"printf '([^']*)' \| (recall .*)")


def run_readme_command(command: str) -> str:
    """What a README command prints (standard output and error): ``recall ARGS``, or
    ``printf 'KEYS' | recall ARGS``, the keys read one a line as the review screen reads a
    script when its input is not a terminal."""
    keys = None
    piped = _PIPED.fullmatch(command)
    if piped:
        keys = piped.group(1).replace("\\n", "\n")
        command = piped.group(2)
    words = shlex.split(command)
    assert words[0] == "recall", command
    return CliRunner().invoke(cli, words[1:], input=keys, catch_exceptions=False).output


def walkthrough_project(where: Path) -> Path:
    """A copy of what a fresh clone has for the walkthroughs: the lessons and the decks
    (the teacher's ``generate`` writes into ``decks/``, so not the repository's own)."""
    for name in ("examples", "decks"):
        shutil.copytree(ROOT / name, where / name)
    return where


@pytest.mark.parametrize(
    ("section", "first_only"),
    [
        ("A learner's walkthrough: a daily review in the terminal", False),
        ("A teacher's walkthrough: from lesson to deck file", True),
    ],
)
def test_a_walkthrough_prints_what_the_readme_shows_on_a_first_run(
    section: str,
    first_only: bool,
    recall_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not recall_home.exists()  # a fresh RECALL_HOME, as a first run has
    monkeypatch.chdir(walkthrough_project(tmp_path / "clone"))
    steps = console_blocks(section, first_only)
    assert steps
    for command, expected in steps:
        assert run_readme_command(command) == expected, command


def test_the_walkthroughs_say_how_to_run_recall_from_the_venv() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for section in ("A teacher's walkthrough", "A learner's walkthrough"):
        body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
        assert ". .venv/bin/activate" in body and "`.venv/bin/recall`" in body, section


def test_finding_and_fixing_cards_prints_what_the_readme_shows(
    recall_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not recall_home.exists()  # a fresh RECALL_HOME, as a first run has
    monkeypatch.chdir(ROOT)
    steps = console_blocks("Finding and fixing cards")
    assert len(steps) >= 5
    for command, expected in steps:
        assert run_readme_command(command) == expected, command


def test_the_completion_line_makes_a_bash_completion_script() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'eval "$(_RECALL_COMPLETE=bash_source recall)"' in text
    env = {**os.environ, "_RECALL_COMPLETE": "bash_source"}
    script = subprocess.run(
        [sys.executable, "-c", "from recall.cli import main; main()"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "complete -o nosort -F _recall_completion recall" in script
