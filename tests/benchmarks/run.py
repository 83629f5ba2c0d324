"""Run recall's benchmarks and print a table: recall's median beside its anchor's, same run.

    python tests/benchmarks/run.py            # every benchmark
    python tests/benchmarks/run.py generate   # only those whose name contains "generate"

Results are also written to .benchmarks/results.json. These machines are noisy, so every
figure is a median of several runs and is shown beside an anchor measured in the same run.
"""

from __future__ import annotations

import importlib
import itertools
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from tests.benchmarks.common import Result  # noqa: E402

MODULES = [
    "tests.benchmarks.bench_generate",
    "tests.benchmarks.bench_review",
    "tests.benchmarks.bench_export",
    "tests.benchmarks.bench_optimize",
    "tests.benchmarks.bench_web",
    "tests.benchmarks.bench_import",
]


def grow(results: list[Result]) -> dict[str, list[tuple[int, int, float]]]:
    """Per operation measured at several sizes: time ratio per step, scaled to ×10 in size."""
    import math

    by: dict[str, list[Result]] = {}
    for r in results:
        if r.family:
            by.setdefault(r.family, []).append(r)
    out = {}
    for family, rs in by.items():
        rs.sort(key=lambda r: r.size)
        steps = []
        for a, b in itertools.pairwise(rs):
            per_tenfold = (b.recall_s / a.recall_s) ** (1 / math.log10(b.size / a.size))
            steps.append((a.size, b.size, per_tenfold))
        if steps:
            out[family] = steps
    return out


def main(argv: list[str]) -> int:
    wanted = argv[1] if len(argv) > 1 else ""
    results: list[Result] = []
    for name in MODULES:
        module = importlib.import_module(name)
        for bench in module.BENCHMARKS:
            if wanted in bench.__name__ or wanted in name:
                print(f"running {bench.__name__} …", file=sys.stderr, flush=True)
                results.extend(bench())
    header = f"{'operation':<58} {'recall':>10} {'anchor':>10} {'ratio':>8} {'peak':>8}  {'target':<22} ok"
    print(header)
    print("-" * len(header))
    for r in results:
        anchor = f"{r.anchor_s * 1000:.3g} ms" if r.anchor_s is not None else "—"
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
        peak = f"{r.peak_mb:.0f} MB" if r.peak_mb is not None else ""
        ours = f"{r.recall_s * 1000:.3g} ms"
        ok = "yes" if r.met else "NO"
        print(f"{r.name:<58} {ours:>10} {anchor:>10} {ratio:>8} {peak:>8}  {r.target:<22} {ok}")
        if r.anchor_name:
            print(f"{'':<4}anchor: {r.anchor_name}; {r.note}".rstrip("; "))
    growth = grow(results)
    if growth:
        print("\ngrowth (each ×10 in size may cost at most ×12 in time)")
        for family, steps in growth.items():
            cells = "   ".join(f"{a:,} → {b:,}: ×{f:.2f}" for a, b, f in steps)
            print(f"  {family:<40} {cells}  {'yes' if all(f <= 12 for *_, f in steps) else 'NO'}")
    out = ROOT / ".benchmarks" / "results.json"
    out.parent.mkdir(exist_ok=True)
    payload = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''} Python {platform.python_version()}".strip(),
        "results": [r.__dict__ for r in results],
        "growth": {k: [list(x) for x in v] for k, v in grow(results).items()},
    }
    out.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print(f"\nwritten to {out.relative_to(ROOT)}")
    growth_ok = all(f <= 12 for steps in grow(results).values() for *_, f in steps)
    return 0 if all(r.met for r in results) and growth_ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
