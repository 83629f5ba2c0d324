"""A POSIX TZ string (issue 14, case 12): `IST-5:30`, `UTC0` or `EST5EDT,M3.2.0,M11.1.0`
are not IANA names, and every dated command used to stop at ZoneInfoNotFoundError. The C
library reads them; recall asks it, and its days match the IANA zone they describe."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.test_hostile_backups import make_collection

POSIX = {
    "IST-5:30": "Asia/Kolkata",
    "UTC0": "UTC",
    "EST5EDT,M3.2.0,M11.1.0": "America/New_York",
}


@pytest.fixture
def tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("posix", sorted(POSIX))
def test_dated_commands_run_under_a_posix_tz_as_under_its_iana_zone(
    tmp_path: Path, posix: str
) -> None:
    db = tmp_path / "collection.db"
    make_collection(db)
    env = {**os.environ, "RECALL_HOME": str(tmp_path)}
    for args in (["due"], ["stats"], ["review"], ["decks"]):
        seen = []
        for zone in (posix, POSIX[posix]):
            done = subprocess.run(
                [sys.executable, "-m", "recall", *args, "--db", str(db)],
                input=b"q\n", capture_output=True, timeout=60, env={**env, "TZ": zone},
            )  # fmt: skip
            assert done.returncode == 0 and done.stderr == b"", (zone, args, done.stderr)
            seen.append(done.stdout)
        assert seen[0] == seen[1], args


@pytest.mark.parametrize("posix", sorted(POSIX))
def test_a_posix_zone_gives_the_iana_zones_offsets_through_a_year(
    tz: pytest.MonkeyPatch, posix: str
) -> None:
    from recall.settings import local_zone

    tz.setenv("TZ", posix)
    time.tzset()
    zone, iana = local_zone(), ZoneInfo(POSIX[posix])
    instant = datetime(2026, 1, 1, tzinfo=UTC)
    while instant.year == 2026:
        assert instant.astimezone(zone).utcoffset() == instant.astimezone(iana).utcoffset()
        wall = instant.astimezone(iana).replace(tzinfo=None)
        if wall.replace(tzinfo=iana).astimezone(UTC) == instant:  # not an ambiguous hour
            assert wall.replace(tzinfo=zone).astimezone(UTC) == instant, wall
        instant += timedelta(hours=7, minutes=13)
