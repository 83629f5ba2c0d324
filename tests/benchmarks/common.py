"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Collection sizes, smallest first (RECALL_BENCH_SIZES=10000,100000 for a quicker run).
SIZES = [int(s) for s in os.environ.get("RECALL_BENCH_SIZES", "10000,100000,1000000").split(",")]
#: RECALL_BENCH_HEAVY=1 adds the two whole-log operations at 1M cards (8M log rows), once
#: each with their peak memory: optimize --apply and export --with-scheduling. They take
#: about six minutes more, which would put the default run past ten minutes.
HEAVY = os.environ.get("RECALL_BENCH_HEAVY") == "1"


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
    family: str = ""  # the same operation at several sizes, for the growth table
    size: int = 0
    peak_mb: float | None = None  # peak resident memory of a whole process

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


_PEAK = """
import atexit, os, runpy, sys
def _report():
    with open("/proc/self/status") as f:
        hwm = next(line.split()[1] for line in f if line.startswith("VmHWM:"))
    with open(os.environ["RECALL_PEAK_FILE"], "w") as out:
        out.write(hwm)
atexit.register(_report)
sys.argv = sys.argv[1:]
if sys.argv[0] == "-m":
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


def process_peak(*args: str, stdin: bytes = b"") -> tuple[float, float]:
    """Run ``python ARGS`` once: (wall seconds, peak resident memory in MB).

    The peak is the process's own high-water mark (VmHWM, read as it exits): getrusage's
    maxrss would also count the benchmark's own memory, inherited at fork.
    """
    import os
    import tempfile

    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak_file:
        env = {**os.environ, "RECALL_PEAK_FILE": peak_file.name}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", _PEAK, *args], input=stdin, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        elapsed = time.perf_counter() - start
        kb = int(peak_file.read().strip() or 0)
    return elapsed, kb / 1024
