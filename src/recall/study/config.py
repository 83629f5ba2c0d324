"""What each setting accepts: one parser per key, with the range it checks and the words an
error shows, so `recall config` refuses a bad value in one line naming what is valid.

Steps take Anki's units everywhere (``1m 10m``, ``1h``, ``1d``, or plain seconds); numbers
are checked against the range Anki's deck options allow, so nothing out of range reaches the
scheduler (a day-start hour of 24 or a negative limit used to crash `recall due`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from recall.errors import RecallError
from recall.settings import Settings

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_STEP = re.compile(r"(\d+(?:\.\d+)?)([smhd]?)")
_TRUE, _FALSE = {"true", "on", "1", "yes"}, {"false", "off", "0", "no"}


@dataclass(frozen=True)
class Rule:
    """How to read one setting, and what to say when a value is refused."""

    parse: Callable[[str], Any]
    valid: str


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text.strip())
        if not low <= value <= high:
            raise ValueError(text)
        return value

    return parse


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.7 <= value <= 0.99:
        raise ValueError(text)
    return value


def _boolean(text: str) -> bool:
    word = text.strip().lower()
    if word not in _TRUE | _FALSE:
        raise ValueError(text)
    return word in _TRUE


def parse_steps(text: str) -> list[int]:
    """``"1m 10m"`` (or ``"60 600"``, ``"1h, 1d"``) as seconds; each step 1 s to 365 days."""
    out = []
    for part in text.replace(",", " ").split():
        match = _STEP.fullmatch(part.lower())
        if match is None:
            raise ValueError(part)
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
        if not 1 <= seconds <= 365 * 86400:
            raise ValueError(part)
        out.append(round(seconds))
    if len(out) > 20:
        raise ValueError(text)
    return out


_LEVELS = {"normal": 100, "reduced": 50, "minimum": 0}


def parse_easy_days(text: str) -> list[int]:
    """Seven weekday loads, Monday first: 100, 50 or 0 (or normal, reduced, minimum), the
    three levels Anki's load balancer knows."""
    out = []
    for part in text.replace(",", " ").split():
        word = part.lower().rstrip("%")
        value = _LEVELS.get(word)
        if value is None and word in ("100", "50", "0"):
            value = int(word)
        if value is None:
            raise ValueError(part)
        out.append(value)
    if len(out) != 7:
        raise ValueError(text)
    return out


def _zone(text: str) -> str:
    if text != "local":
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(text)
        except (KeyError, ValueError, OSError):
            raise ValueError(text) from None
    return text


def _weights(text: str) -> list[float]:
    values = [float(x) for x in text.replace(",", " ").split()]
    if len(values) != 21 or not all(math.isfinite(v) for v in values):
        raise ValueError(text)
    import fsrs

    fsrs.Scheduler(parameters=values)  # py-fsrs checks each weight's bounds
    return values


RULES: dict[str, Rule] = {
    "desired_retention": Rule(_fraction, "a number from 0.70 to 0.99"),
    "learning_steps": Rule(parse_steps, 'steps such as "1m 10m" (s, m, h, d; up to 365d)'),
    "relearning_steps": Rule(parse_steps, 'steps such as "10m" (s, m, h, d; up to 365d)'),
    "maximum_interval": Rule(_integer(1, 36500), "a whole number of days from 1 to 36500"),
    "fuzz": Rule(_boolean, "on or off"),
    "new_per_day": Rule(_integer(0, 9999), "a whole number from 0 to 9999"),
    "reviews_per_day": Rule(_integer(0, 9999), "a whole number from 0 to 9999"),
    "day_start_hour": Rule(_integer(0, 23), "an hour from 0 to 23"),
    "timezone": Rule(_zone, 'an IANA zone such as Asia/Kolkata, or "local"'),
    "learn_ahead_minutes": Rule(_integer(0, 1440), "a whole number of minutes from 0 to 1440"),
    "bury_siblings": Rule(_boolean, "on or off"),
    "load_balancer": Rule(_boolean, "on or off"),
    "easy_days": Rule(
        parse_easy_days,
        'seven weekday loads, Monday first, each 100, 50 or 0 (e.g. "100 100 100 100 100 100 50")',
    ),
    "parameters": Rule(_weights, "21 FSRS-6 weights within py-fsrs's bounds"),
}


def calendar_change(old: Settings, new: Settings, dues: list[Any]) -> str | None:
    """What a change of day start or zone does to review cards' due days (``dues``: their
    due instants), or None when the calendar did not change. Past reviews keep the days
    their log rows recorded; only what is due from now on moves."""
    if (old.timezone, old.day_start_hour) == (new.timezone, new.day_start_hour):
        return None
    from recall.study.schedule import Scheduler

    before, after = Scheduler(old), Scheduler(new)
    moved = [abs((after.day(d) - before.day(d)).days) for d in dues]
    n = sum(1 for m in moved if m)
    if not n:
        return "no review card's due day moves; past reviews keep their days"
    most = max(moved)
    return (
        f"due days of {n} review card{'s' if n != 1 else ''} move by up to {most} "
        f"day{'s' if most != 1 else ''}; past reviews keep their days"
    )


def shown(value: Any) -> str:
    """A setting's value as `recall config` prints it."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (list, tuple)):
        return " ".join(str(x) for x in value)
    return str(value)


def parse_setting(key: str, text: str, current: Settings) -> Any:
    """The value ``text`` gives ``key``, or a one-line error naming what is valid and the
    value in force."""
    rule = RULES.get(key)
    if rule is None or key not in Settings.__dataclass_fields__:
        names = ", ".join(sorted(RULES))
        raise RecallError(f"unknown setting {key!r}; the settings are: {names}")
    try:
        return rule.parse(text)
    except (ValueError, OverflowError):
        now = shown(getattr(current, key))
        raise RecallError(f"{key}: {text!r} is not valid: {rule.valid} (now {now})") from None
