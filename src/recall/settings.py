"""What a learner can set, with Anki's defaults, and the machine's time zone.

Kept apart from the scheduler so that commands which only count cards by day (`recall due`)
need not import py-fsrs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

# FSRS-6's default parameters, as py-fsrs ships them (a test keeps the two equal). Kept here
# so that commands which only count cards by day (`recall due`) need not import py-fsrs.
DEFAULT_PARAMETERS = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """What a learner can set, with Anki's defaults."""

    desired_retention: float = 0.9
    learning_steps: tuple[int, ...] = (60, 600)  # seconds
    relearning_steps: tuple[int, ...] = (600,)
    maximum_interval: int = 36500
    fuzz: bool = True
    new_per_day: int = 20
    reviews_per_day: int = 200
    day_start_hour: int = 4
    timezone: str = "local"
    learn_ahead_minutes: int = 20
    bury_siblings: bool = True
    # Anki 24.11+: among the days fuzz allows, prefer the least loaded (on by default, as
    # in Anki); easy days are per-weekday review loads, Monday first, in Anki's three
    # levels (100 normal, 50 reduced, 0 minimum).
    load_balancer: bool = True
    easy_days: tuple[int, ...] = (100, 100, 100, 100, 100, 100, 100)
    parameters: tuple[float, ...] = DEFAULT_PARAMETERS

    @property
    def tz(self) -> tzinfo:
        """The learner's time zone; "local" is the machine's."""
        if self.timezone == "local":
            return local_zone()
        return ZoneInfo(self.timezone)


#: What a named preset (Anki's deck options) holds; every other setting is the collection's.
#: A preset without its own ``parameters`` uses the collection's.
PRESET_KEYS = (
    "desired_retention", "learning_steps", "relearning_steps", "maximum_interval",
    "new_per_day", "reviews_per_day", "parameters",
)  # fmt: skip
DEFAULT_PRESET = "default"


def with_preset(settings: Settings, values: dict[str, Any]) -> Settings:
    """``settings`` (the collection's) with a preset's values in force."""
    known: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in PRESET_KEYS
    }
    return replace(settings, **known)


def preset_values(settings: Settings) -> dict[str, Any]:
    """The preset keys' values in ``settings``, as JSON stores them (lists, not tuples)."""
    out: dict[str, Any] = {}
    for key in PRESET_KEYS:
        value = getattr(settings, key)
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def steps_text(steps: object) -> str:
    """Steps in seconds as a log row records them: ``"60 600"``."""
    if isinstance(steps, (list, tuple)):
        return " ".join(str(int(x)) for x in steps)
    return str(steps)


def local_zone_name() -> str | None:
    """The machine's IANA zone name (``TZ``, else /etc/localtime), or None when it has none
    (a POSIX ``TZ`` string such as ``IST-5:30``)."""
    import os
    from pathlib import Path

    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        link = Path("/etc/localtime")
        if link.is_symlink() and "zoneinfo/" in str(link.resolve()):
            name = str(link.resolve()).split("zoneinfo/", 1)[1]
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None
    return name


def local_zone() -> tzinfo:
    """The machine's IANA zone (so DST moves the day boundary), else its current offset."""
    name = local_zone_name()
    if name is not None:
        return ZoneInfo(name)
    import os

    if os.environ.get("TZ", "").lstrip(":"):
        # Not an IANA name but a POSIX rule (`IST-5:30`, `EST5EDT,M3.2.0,M11.1.0`): the C
        # library already reads those, daylight saving included.
        return LibcZone()
    return datetime.now().astimezone().tzinfo or UTC


class LibcZone(tzinfo):
    """The zone the C library makes of ``TZ``, asked instant by instant (``localtime``), so
    a POSIX rule's daylight-saving changes move the learner's day as an IANA zone's do."""

    def fromutc(self, dt: datetime) -> datetime:
        stamp = (dt.replace(tzinfo=None) - _EPOCH).total_seconds()
        return dt + timedelta(seconds=_localtime(stamp).tm_gmtoff)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(seconds=self._wall(dt).tm_gmtoff)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=1) if self._wall(dt).tm_isdst > 0 else timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return str(self._wall(dt).tm_zone)

    @staticmethod
    def _wall(dt: datetime | None) -> time.struct_time:
        """The C library's view of a local wall time (``mktime`` picks the offset)."""
        if dt is None:
            return _localtime(time.time())
        fields = (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, 0, 0, -1)
        try:
            return _localtime(time.mktime(fields))
        except (OverflowError, ValueError):
            return _localtime(time.time())


_EPOCH = datetime(1970, 1, 1)


def _localtime(stamp: float) -> time.struct_time:
    try:
        return time.localtime(stamp)
    except (OverflowError, ValueError, OSError):
        return time.localtime()
