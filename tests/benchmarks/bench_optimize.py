"""`recall optimize --apply` as a whole process, beside the fit alone.

The anchor is fsrs-rs's ``compute_parameters`` on the very items recall trains on, in
process: the engine's own cost, which no wrapper can go below. recall adds reading the log,
building the items, scoring both parameter sets, and rescheduling every card in one
transaction. Target: under 30 s at 100k cards and ~800k reviews. At 1M cards (8M reviews)
with RECALL_BENCH_HEAVY=1, once, with its peak memory.
"""

from __future__ import annotations

import statistics
import time

from tests.benchmarks.common import HEAVY, SIZES, Result, process_peak
from tests.benchmarks.synthetic import recall_collection


def _fit_alone(n: int) -> float:
    import fsrs_rs_python as engine

    from recall.settings import DEFAULT_PARAMETERS
    from recall.store import Collection
    from recall.study import optimize as opt
    from recall.study.schedule import Scheduler

    col = Collection(recall_collection(n))
    items, _, _ = opt.training_items(col, Scheduler(col.settings()))
    col.close()
    items.sort(key=lambda pair: pair[0])
    train = [item for _, item in items[: int(len(items) * (1 - opt.HOLD_OUT))]]
    start = time.perf_counter()
    engine.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(train)
    return time.perf_counter() - start


def bench_optimize() -> list[Result]:
    out = []
    for n in [size for size in SIZES if size <= 100_000 or HEAVY]:  # the issue's: 100k
        fit = _fit_alone(n)

        runs = [
            process_peak("-m", "recall", "optimize", "--apply", "--db", str(recall_collection(n)))
            for _ in range(3 if n < 100_000 else 2 if n < 10**6 else 1)
        ]
        ours = statistics.median(t for t, _ in runs)
        peak = max(mb for _, mb in runs)
        target, met = ("< 30 s", ours < 30) if n <= 100_000 else ("—", True)
        out.append(Result(f"optimize --apply, whole process ({n:,} cards)", ours, target,
                          met, "fsrs-rs compute_parameters alone", fit,
                          family="optimize --apply", size=n, peak_mb=peak))  # fmt: skip
    return out


BENCHMARKS = [bench_optimize]
