"""`recall example`: a collection with months of simulated history that check, stats and
optimize can work on from day one."""

from __future__ import annotations

import json
from pathlib import Path

from recall.deckfile import read_deck
from tests.conftest import ROOT, run


def test_example_collection_has_a_history_that_replays_and_can_be_fitted(
    tmp_path: Path,
) -> None:
    target = tmp_path / "example.db"
    shipped = sum(
        1 for f in (ROOT / "decks").glob("*.toml") for c in read_deck(f).cards if not c.retired
    )
    result = run("example", "--decks", str(ROOT / "decks"), "--days", "90", str(target))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"wrote {target}: {shipped} cards, ")
    check = run("check", "--db", str(target))
    assert (
        check.exit_code == 0
        and f"cards checked against their review log: {shipped}, mismatches: 0" in check.stdout
    )
    stats = json.loads(run("stats", "--json", "--db", str(target)).stdout)
    assert stats["reviews"]["30_days"] > 100 and stats["true_retention_30_days"] is not None
    assert stats["cards"]["new"] < shipped and any(d["due"] for d in stats["forecast"])
    fit = json.loads(run("optimize", "--json", "--db", str(target)).stdout)
    assert fit["train_items"] >= 400


def test_example_refuses_an_existing_file_and_a_missing_deck_directory(tmp_path: Path) -> None:
    existing = tmp_path / "mine.db"
    existing.write_bytes(b"precious")
    refused = run("example", "--decks", str(ROOT / "decks"), str(existing))
    assert refused.exit_code == 2 and "already exists" in refused.stderr
    assert existing.read_bytes() == b"precious"
    missing = run("example", "--decks", str(tmp_path / "nope"), str(tmp_path / "x.db"))
    assert missing.exit_code == 2 and "no such directory of deck files" in missing.stderr
    assert not (tmp_path / "x.db").exists()
