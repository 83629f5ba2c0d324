"""Shared fixtures: no test touches the real data directory or depends on the wall clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner, Result

from recall.cli import cli

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "examples" / "lessons"
SHIPPED = LESSONS / "india-us-critical-minerals.txt"
SHIPPED_DECK_FILE = (
    ROOT / "decks" / "india-us-critical-minerals-diplomacy-supply-chain-resilience.toml"
)


def _live_cards(path: Path) -> int:
    import tomllib

    cards = tomllib.loads(path.read_text(encoding="utf-8")).get("card", [])
    return sum(1 for c in cards if not c.get("retired"))


#: Live cards in the shipped deck: counted, not written down, since a better generator
#: changes the number.
SHIPPED_CARDS = _live_cards(SHIPPED_DECK_FILE)
#: A fixed instant for every test: 25 Nov 2026, 06:30 UTC (noon in Asia/Kolkata).
NOW = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def recall_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point RECALL_HOME at a temporary directory for every test."""
    home = tmp_path / "recall-home"
    monkeypatch.setenv("RECALL_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[time_machine.Traveller]:
    """Freeze the clock at :data:`NOW` (tests that need to move it use the traveller)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory with decks/, as the cwd (the fact library ships with recall)."""
    (tmp_path / "decks").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, input: bytes | str | None = None) -> Result:
    """Invoke the CLI in-process; exceptions propagate so a traceback fails the test."""
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
