"""An installed recall (a wheel, not the checkout) finds the same facts and makes the same deck.

The wheel is built from the repository, installed into a fresh virtual environment outside
it, and run in an empty directory on a copy of the shipped lesson: the deck must equal the
committed one card for card. Before the library was package data, this gave 34 cards and no
multiple choice. recall's dependencies are borrowed from the test environment through a path
file, so nothing is downloaded; recall itself comes only from the wheel.
"""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

from recall.deckfile import read_deck
from tests.conftest import ROOT, SHIPPED

SLUG = "india-us-critical-minerals-diplomacy-supply-chain-resilience"
LIBRARY = sorted(p.name for p in (ROOT / "src" / "recall" / "library").glob("*.toml"))


def _sh(*args: str | Path, cwd: Path | None = None) -> str:
    out = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_an_installed_wheel_generates_the_shipped_deck(tmp_path: Path) -> None:
    build = tmp_path / "build"
    shutil.copytree(
        ROOT, build, ignore=shutil.ignore_patterns(".venv", ".git", "*.egg-info", "build", "dist")
    )
    _sh(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation",
        "-q", "-w", tmp_path / "dist", cwd=build)  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("recall-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("recall/library/")) == sorted(
        [*LIBRARY, "__init__.py"]
    )

    venv = tmp_path / "venv"
    _sh(sys.executable, "-m", "venv", "--without-pip", venv)
    py = venv / "bin" / "python"
    purelib = Path(
        _sh(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    )
    (purelib / "borrowed-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    _sh(sys.executable, "-m", "pip", "--python", py, "install", "-q", "--no-deps", wheel)

    work = tmp_path / "empty"
    (work / "examples" / "lessons").mkdir(parents=True)
    shutil.copy(SHIPPED, work / "examples" / "lessons" / SHIPPED.name)
    where = _sh(py, "-c", "import recall; print(recall.__file__)", cwd=work)
    assert where.startswith(str(purelib)), where  # the wheel's recall, not the checkout's
    out = _sh(venv / "bin" / "recall", "generate", f"examples/lessons/{SHIPPED.name}", cwd=work)
    assert f"fact library: {len(LIBRARY)} sheets" in out
    assert "Prelims topics with facts: 3 of 3" in out

    made = read_deck(work / "decks" / f"{SLUG}.toml")
    shipped = read_deck(ROOT / "decks" / f"{SLUG}.toml")

    def key(deck: object) -> list[tuple[object, ...]]:
        return [
            (c.id, c.kind, c.fact, c.front, c.back, c.options, c.answer, c.tags, c.source, c.url)
            for c in deck.active  # type: ignore[attr-defined]
        ]

    assert key(made) == key(shipped)
    assert sum(1 for c in made.cards if c.kind == "mcq") >= 20
