"""The README's "Finding and fixing cards" commands print what the README shows, run in a
fresh collection; its shell-completion line really makes a completion script."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from recall.cli import cli
from tests.conftest import ROOT


def console_blocks(section: str) -> list[tuple[str, str]]:
    """(command, expected output) for each ``$ recall …`` line of a section's console block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    block = body.split("```console\n", 1)[1].split("```", 1)[0]
    steps: list[tuple[str, str]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], ""))
        else:
            command, out = steps[-1]
            steps[-1] = (command, out + line + "\n")
    return steps


def test_finding_and_fixing_cards_prints_what_the_readme_shows(
    recall_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not recall_home.exists()  # a fresh RECALL_HOME, as a first run has
    monkeypatch.chdir(ROOT)
    steps = console_blocks("Finding and fixing cards")
    assert len(steps) >= 5
    for command, expected in steps:
        words = shlex.split(command)
        assert words[0] == "recall"
        result = CliRunner().invoke(cli, words[1:], catch_exceptions=False)
        assert result.output == expected, command


def test_the_completion_line_makes_a_bash_completion_script() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'eval "$(_RECALL_COMPLETE=bash_source recall)"' in text
    env = {**os.environ, "_RECALL_COMPLETE": "bash_source"}
    script = subprocess.run(
        [sys.executable, "-c", "from recall.cli import main; main()"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "complete -o nosort -F _recall_completion recall" in script
