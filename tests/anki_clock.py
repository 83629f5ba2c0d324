"""Drive a real Anki collection on a faked clock (libfaketime, Debian's ``faketime``).

:class:`AnkiClock` starts ``tests/anki_worker.py`` with libfaketime preloaded and answers
cards in it at given instants. The library is installed with apt-get when missing (CI runs
as root); elsewhere the test is skipped with the command to run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

_PATTERN = "*/faketime/libfaketime.so.1"


def _find() -> list[str]:
    return sorted(str(p) for p in Path("/usr/lib").glob(_PATTERN))


def libfaketime() -> str:
    """The path of libfaketime, installing Debian's ``faketime`` first if it is missing."""
    found = _find()
    if not found and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "faketime"], capture_output=True, check=False
        )
        found = _find()
    if not found:
        if os.environ.get("CI"):
            raise RuntimeError("libfaketime is missing: apt-get install -y faketime")
        pytest.skip("libfaketime is missing: apt-get install -y faketime")
    return found[0]


class AnkiClock:
    """A real Anki collection in a child process whose clock we set before each answer."""

    def __init__(self, zone: str, *, fuzz: bool) -> None:
        self._dir = tempfile.mkdtemp(prefix="anki-clock-")
        clock_file = Path(self._dir) / "now"
        clock_file.write_text("0\n")
        env = {
            **os.environ,
            "TZ": zone,
            "LD_PRELOAD": libfaketime(),
            "FAKETIME_TIMESTAMP_FILE": str(clock_file),
            "FAKETIME_NO_CACHE": "1",
            "FAKETIME_FMT": "%s",
        }
        env.pop("ANKI_TEST_MODE", None)
        if not fuzz:
            env["ANKI_TEST_MODE"] = "1"  # Anki then draws no fuzz seed (rslib/src/lib.rs)
        worker = Path(__file__).with_name("anki_worker.py")
        self._proc = subprocess.Popen(
            [sys.executable, str(worker)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )

    def call(self, **cmd: Any) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(cmd) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the Anki worker stopped (exit {self._proc.wait()})")
        result: dict[str, Any] = json.loads(line)
        return result

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait(timeout=60)
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        shutil.rmtree(self._dir, ignore_errors=True)
