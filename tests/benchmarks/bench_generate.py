"""Generating decks for 1,000 lessons (about 5 MB), as one whole `recall generate` process.

The lessons are the shipped example lessons with their titles and wording varied, so every
one makes its own deck and none is a byte-for-byte copy. Target: under 10 s on the 2-core
machine. Anchor: the same interpreter starting and exiting (`python -c pass`), same run.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path

from tests.benchmarks.common import Result, median_time, process_peak, run_process

ROOT = Path(__file__).resolve().parent.parent.parent
LESSONS = ROOT / "examples" / "lessons"
SUBJECTS = [
    "Lithium",
    "Cobalt",
    "Graphite",
    "Nickel",
    "Niobium",
    "Vanadium",
    "Titanium",
    "Tungsten",
]


def make_lessons(target: Path, count: int = 1000) -> int:
    """Write ``count`` lesson files into ``target``; return their total size in bytes."""
    sources = sorted(LESSONS.iterdir())
    shipped = (LESSONS / "india-us-critical-minerals.txt").read_text(encoding="utf-8")
    total = 0
    for i in range(count):
        base = sources[i % len(sources)]
        text = base.read_text(encoding="utf-8")
        subject = SUBJECTS[i % len(SUBJECTS)]
        if base.name != "india-us-critical-minerals.txt":
            # Pad the shorter lessons with the shipped one's sections to about 5 KB each.
            extra = (
                "\n\nWhy is this Issue Important?"
                + shipped.split("Why is this Issue Important?", 1)[1]
            )
            text = text + extra[: max(0, 5100 - len(text.encode("utf-8")))].rsplit("\n", 1)[0]
        title_line = next(
            ln for ln in text.splitlines() if ln.strip() and not ln.startswith(("📂", "📅"))
        )
        text = text.replace(title_line, f"Part {i} on {subject}: {title_line.lstrip('# ')}", 1)
        text = text.replace("Lithium", subject if i % 3 else "Lithium")
        path = target / f"lesson-{i:04d}{base.suffix}"
        path.write_text(text, encoding="utf-8")
        total += path.stat().st_size
    return total


def bench_generate_1000_lessons() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "lessons").mkdir()
        size = make_lessons(root / "lessons")

        runs = []
        for _ in range(3):
            shutil.rmtree(root / "decks", ignore_errors=True)
            # the fact library ships with recall: no --facts directory is needed
            runs.append(process_peak("-m", "recall", "generate", str(root / "lessons"), "-o",
                                     str(root / "decks")))  # fmt: skip
        recall_s = statistics.median(t for t, _ in runs)
        peak = max(mb for _, mb in runs)
        decks = len(list((root / "decks").glob("*.toml")))
        anchor_s = median_time(lambda: run_process("-c", "pass"), repeat=5)
    return [
        Result(
            name=f"generate 1,000 lessons ({size / 1e6:.1f} MB → {decks} decks)",
            recall_s=recall_s,
            target="< 10 s",
            met=recall_s < 10 and decks == 1000,
            anchor_name="python -c pass",
            anchor_s=anchor_s,
            note=f"{recall_s / 1000 * 1000:.1f} ms a lesson",
            peak_mb=peak,
        )
    ]


BENCHMARKS = [bench_generate_1000_lessons]
