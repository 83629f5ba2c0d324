"""Study statistics as chart geometry, for SVG drawn on the server (no charting library).

Each chart is a list of marks in a fixed viewBox, each carrying its data key and value so a
reader (or a test) can tell exactly what was drawn. The numbers come from
:func:`recall.study.stats.stats` (cards, forecast) and the store's counting queries
(answers per learner day by rating, true retention per month, minutes per day, stability
and difficulty bins): SQLite groups the rows, so a lifetime collection is never read whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from recall.store import Collection
from recall.study.schedule import Scheduler
from recall.study.stats import answer_days, stats

WIDTH, HEIGHT = 600, 200
LEFT, BOTTOM, TOP = 36, 24, 10  # room for the axis labels
RATING_CLASSES = {1: "again", 2: "hard", 3: "good", 4: "easy"}


@dataclass(frozen=True)
class Mark:
    """A bar (``h`` > 0) or a point (``h`` == 0) with the datum it stands for."""

    x: float
    y: float
    w: float
    h: float
    cls: str
    key: str
    value: float
    title: str


@dataclass
class Chart:
    title: str
    marks: list[Mark] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    y_labels: list[tuple[float, str]] = field(default_factory=list)
    line: tuple[float, str] | None = None  # a horizontal reference line: (y, label)
    polyline: str = ""
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def empty(self) -> bool:
        return not any(m.value for m in self.marks)


def _scale(top: float) -> float:
    """Pixels per unit so that ``top`` fills the plot."""
    return (HEIGHT - BOTTOM - TOP) / top if top else 0.0


def _y_axis(chart: Chart, top: float, fmt: str = "{:g}") -> None:
    for frac in (0, 0.5, 1):
        value = top * frac
        chart.y_labels.append((HEIGHT - BOTTOM - value * _scale(top), fmt.format(value)))


def _nice(top: float) -> float:
    """A round axis top at or above ``top``."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return float(step * 4) if top > step * 2 else float(step * 2)
    return float(top)


def daily_bars(title: str, days: list[date], stacks: Sequence[Mapping[str, float]]) -> Chart:
    """One bar a day, stacked by class (in the order the dicts give them)."""
    chart = Chart(title)
    top = _nice(max((sum(s.values()) for s in stacks), default=0))
    slot = (WIDTH - LEFT) / max(1, len(days))
    scale = _scale(top)
    for i, (day, stack) in enumerate(zip(days, stacks, strict=True)):
        base = float(HEIGHT - BOTTOM)
        for cls, n in stack.items():
            h = n * scale
            base -= h
            key = day.isoformat()
            chart.marks.append(
                Mark(LEFT + i * slot + 1, base, slot - 2, h, cls, key, n, f"{key}: {n} {cls}")
            )
        if i % 7 == 0:
            chart.x_labels.append((LEFT + i * slot + slot / 2, day.strftime("%d %b")))
    _y_axis(chart, top)
    return chart


def forecast_chart(forecast: list[dict[str, Any]]) -> Chart:
    days = [date.fromisoformat(f["day"]) for f in forecast]
    return daily_bars("Due in the next 30 days", days, [{"due": f["due"]} for f in forecast])


#: Answers grouped by learner day: (day, rating, was in review, how many, milliseconds).
DayGroups = list[tuple[date, int, bool, int, int]]


def reviews_chart(answers: DayGroups, today: date) -> Chart:
    days = [today - timedelta(days=29 - i) for i in range(30)]
    counts: Counter[tuple[date, int]] = Counter()
    for day, rating, _, n, _ in answers:
        counts[(day, rating)] += n
    stacks = [
        {RATING_CLASSES[k]: counts[(d, k)] for k in (1, 2, 3, 4) if counts[(d, k)]} for d in days
    ]
    return daily_bars("Reviews per day, by rating (last 30 days)", days, stacks)


def _months(today: date, n: int) -> list[str]:
    out, year, month = [], today.year, today.month
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def retention_chart(answers: DayGroups, today: date, desired: float) -> Chart:
    """True retention (review cards not forgotten) per month, against the desired retention."""
    months = _months(today, 12)
    judged: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for day, rating, in_review, n, _ in answers:
        if in_review:
            month = day.isoformat()[:7]
            judged[month] += n
            passed[month] += n if rating > 1 else 0
    chart = Chart("True retention by month, against the desired retention")
    slot = (WIDTH - LEFT) / len(months)
    scale = _scale(1.0)
    points = []
    for i, month in enumerate(months):
        x = LEFT + i * slot + slot / 2
        chart.x_labels.append((x, month[2:]))
        if judged[month]:
            value = passed[month] / judged[month]
            y = HEIGHT - BOTTOM - value * scale
            title = f"{month}: {value:.1%} of {judged[month]} reviews"
            chart.marks.append(Mark(x, y, 0, 0, "retention", month, round(value, 4), title))
            points.append(f"{x:.1f},{y:.1f}")
    chart.polyline = " ".join(points)
    chart.line = (HEIGHT - BOTTOM - desired * scale, f"desired {desired:.0%}")
    _y_axis(chart, 1.0, "{:.0%}")
    return chart


#: Histogram bins: (label, low, high) with low <= value < high; the last is open above.
STABILITY_BINS = (
    ("<1d", 0.0, 1.0), ("1-3d", 1.0, 3.0), ("3-7d", 3.0, 7.0), ("1-2w", 7.0, 14.0),
    ("2-4w", 14.0, 30.0), ("1-3mo", 30.0, 90.0), ("3-6mo", 90.0, 180.0),
    ("6-12mo", 180.0, 365.0), ("1y+", 365.0, float("inf")),
)  # fmt: skip
DIFFICULTY_BINS = tuple((f"{i}-{i + 1}", float(i), float(i + 1)) for i in range(1, 10))


def histogram(
    title: str, counts: list[int], bins: tuple[tuple[str, float, float], ...], cls: str
) -> Chart:
    """One bar a bin, from how many values fall in each (counted by the store)."""
    chart = Chart(title)
    top = _nice(max(counts, default=0))
    slot, scale = (WIDTH - LEFT) / len(bins), _scale(top)
    for i, ((label, _, _), n) in enumerate(zip(bins, counts, strict=True)):
        h = n * scale
        x = LEFT + i * slot
        y = HEIGHT - BOTTOM - h
        title_text = f"{label}: {n} card{'' if n == 1 else 's'}"
        chart.marks.append(Mark(x + 2, y, slot - 4, h, cls, label, n, title_text))
        chart.x_labels.append((x + slot / 2, label))
    _y_axis(chart, top)
    return chart


def memory_charts(col: Collection, deck: str | None) -> tuple[Chart, Chart]:
    """The distribution of stability and of difficulty over the studied cards (live ones:
    not retired, not suspended, as the learner's memory of what they still study)."""
    stability = col.bin_counts("stability", [(lo, hi) for _, lo, hi in STABILITY_BINS], deck)
    difficulty = col.bin_counts("difficulty", [(lo, hi) for _, lo, hi in DIFFICULTY_BINS], deck)
    return (
        histogram("Stability of studied cards (days)", stability, STABILITY_BINS, "stability"),
        histogram("Difficulty of studied cards (1 easy – 10 hard)", difficulty,
                  DIFFICULTY_BINS, "difficulty"),
    )  # fmt: skip


def time_chart(answers: DayGroups, today: date) -> Chart:
    """Minutes spent answering each day of the last 30 (the answers' recorded durations)."""
    days = [today - timedelta(days=29 - i) for i in range(30)]
    ms: Counter[date] = Counter()
    for day, _, _, _, spent in answers:
        ms[day] += spent
    stacks = [{"minutes": round(ms[d] / 60000, 1)} if ms[d] else {} for d in days]
    return daily_bars("Minutes spent per day (last 30 days)", days, stacks)


def charts(col: Collection, sched: Scheduler, now: datetime, deck: str | None) -> dict[str, Any]:
    """Everything the stats page shows: the last 12 months' answers read once, by day."""
    numbers = stats(col, sched, now, deck)
    today = sched.day(now)
    first_month = date.fromisoformat(_months(today, 12)[0] + "-01")
    answers = answer_days(col, sched, sched.day_start(first_month), sched.next_day_start(now), deck)
    recent = [a for a in answers if a[0] >= today - timedelta(days=29)]
    stability, difficulty = memory_charts(col, deck)
    return {
        "numbers": numbers,
        "forecast": forecast_chart(numbers["forecast"]),
        "reviews": reviews_chart(recent, today),
        "retention": retention_chart(answers, today, sched.settings.desired_retention),
        "stability": stability,
        "difficulty": difficulty,
        "time": time_chart(recent, today),
        "minutes_30_days": round(sum(a[4] for a in recent) / 60000, 1),
    }
