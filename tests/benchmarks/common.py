"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    """One row of the table."""

    name: str
    recall_s: float
    target: str
    met: bool
    anchor_name: str = ""
    anchor_s: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.recall_s / self.anchor_s if self.anchor_s else None


def median_time(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_process(*args: str) -> None:
    subprocess.run([sys.executable, *args], check=True, capture_output=True)
