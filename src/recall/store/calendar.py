"""The calendar a review was scheduled on, kept with it: m005's stamping of old log rows and
the resolution of the zone "local" to the machine's IANA name.

A learner day depends on the zone and the day-start hour; replaying, exporting or fitting
a log with today's settings would move past reviews to other days whenever those settings
changed. So every log row records its day, zone, hour and steps, and "local" becomes a
real zone name the first time a collection is opened.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from functools import lru_cache

from recall.settings import Settings, local_zone_name, steps_text


def _config(conn: sqlite3.Connection) -> dict[str, object]:
    return {k: json.loads(v) for k, v in conn.execute("select key, value from config")}


def resolve_zone_setting(conn: sqlite3.Connection) -> str:
    """Store the machine's IANA zone in place of "local" (or of no setting); return the zone
    in force. A machine whose zone has no IANA name (a POSIX ``TZ`` string) keeps "local"."""
    zone = str(_config(conn).get("timezone", Settings().timezone))
    if zone == "local":
        name = local_zone_name()
        if name is not None:
            conn.execute(
                "insert or replace into config (key, value) values ('timezone', ?)",
                [json.dumps(name)],
            )
            zone = name
    return zone


def stamp_old_rows(conn: sqlite3.Connection) -> int:
    """Give every unstamped log row the calendar and steps in force now; return how many."""
    config = _config(conn)
    defaults = Settings()
    zone = str(config.get("timezone", defaults.timezone))
    hour = int(config.get("day_start_hour", defaults.day_start_hour))  # type: ignore[call-overload]
    learning = steps_text(config.get("learning_steps", defaults.learning_steps))
    relearning = steps_text(config.get("relearning_steps", defaults.relearning_steps))
    tz = Settings(timezone=zone).tz

    @lru_cache(maxsize=4096)
    def day_of_hour(stamp: str) -> str:
        # Every UTC offset in use is a whole number of quarter hours, but the day start is
        # on the hour: an instant's day is fixed by its UTC quarter hour.
        at = datetime.fromisoformat(stamp)
        return (at.astimezone(tz) - timedelta(hours=hour)).date().isoformat()

    def day(reviewed_at: str) -> str:
        minute = int(reviewed_at[14:16]) // 15 * 15
        return day_of_hour(f"{reviewed_at[:14]}{minute:02d}:00+00:00")

    conn.create_function("recall_learner_day", 1, day, deterministic=True)
    cursor = conn.execute(
        """update reviews set day = recall_learner_day(reviewed_at), zone = ?,
                  day_start_hour = ?, learning_steps = ?, relearning_steps = ?
           where day is null""",
        [zone, hour, learning, relearning],
    )
    return cursor.rowcount
