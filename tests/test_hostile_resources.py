"""Resources and leftovers (issue 14, cases 6 and 13-16): bounded reads, all-or-none deck
writes on a full disk, no temporary file left by SIGTERM or SIGINT, pool workers that die
with their parent, long output names, and a finished command that stays finished.

The kill harness of tests/test_your_data.py, extended: SIGTERM and SIGINT (and SIGKILL for
the workers) at random moments of `recall generate` with >= 24 lessons and `recall backup`.
A full disk is a real tmpfs (skipped where `mount` is refused).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from recall.store.backup import STALE_SECONDS, backups
from tests.conftest import LESSONS, SHIPPED, run
from tests.test_hostile_backups import make_collection, one_line_error
from tests.test_hostile_errors import fill, small_disk  # noqa: F401  (a fixture)

KILLS = int(os.environ.get("RECALL_KILLS", "4"))


_started: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def _reap() -> Iterator[None]:
    """A failing test must not leave what it started running (it may be hung)."""
    yield
    for p in _started:
        if p.poll() is None:
            p.kill()
            p.wait()
    _started.clear()


def start(*args: str) -> subprocess.Popen[bytes]:
    p = subprocess.Popen(
        [sys.executable, "-m", "recall", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    _started.append(p)
    return p


def wait_for(ready: Callable[[], bool], p: subprocess.Popen[bytes], limit: float = 60) -> None:
    """Until ``ready()`` or the process ends: a signal sent while Python is still importing
    meets no handler yet, and tells nothing about cleaning up."""
    deadline = time.monotonic() + limit
    while not ready() and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)


def processes_mentioning(marker: str) -> list[int]:
    """Live processes whose command line holds ``marker`` (a unique temporary path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def no_orphans(marker: str) -> None:
    deadline = time.monotonic() + 10
    while processes_mentioning(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_mentioning(marker) == []


def many_lessons(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    lines = SHIPPED.read_text(encoding="utf-8").split("\n")
    title = next(i for i, ln in enumerate(lines) if ln.startswith("India-U.S."))
    out = []
    for i in range(n):
        lines[title] = f"Critical minerals lesson number {i}"
        path = folder / f"lesson{i:03}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        out.append(path)
    return out


def leftovers(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or "tmp" in p.name)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_generate_of_many_lessons_signalled_leaves_no_worker_and_no_half_batch(
    tmp_path: Path, sig: signal.Signals
) -> None:
    lessons = tmp_path / "lessons"
    many_lessons(lessons, 60)
    rng = random.Random(int(sig))
    for i in range(KILLS):
        out = tmp_path / f"decks{i}"
        p = start("generate", str(lessons), "-o", str(out))
        wait_for(out.exists, p)  # the workers have started staging decks
        time.sleep(rng.uniform(0, 1.0))
        p.send_signal(sig)
        # The pipe ends: no worker holds stdout open after its parent is gone.
        _, err = p.communicate(timeout=30)
        no_orphans(str(out))
        written = sorted(out.glob("*.toml")) if out.exists() else []
        if sig == signal.SIGKILL:
            # Uncatchable: staged files may stay; the decks are all renamed or none is.
            assert len(written) in {0, 60}
        elif p.returncode == 0:  # the signal came as the process was ending
            assert len(written) == 60
        else:  # a caught signal cleans up everything
            assert written == [] and leftovers(out) == [], (p.returncode, err)
            assert b"Traceback" not in err and err.count(b"\n") <= 1, err


def big_collection(db: Path) -> None:
    make_collection(db)
    con = sqlite3.connect(db)
    con.execute("create table padding (b blob)")
    con.executemany("insert into padding values (randomblob(1000000))", [()] * 150)
    con.commit()
    con.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_backup_signalled_leaves_no_temporary_file(tmp_path: Path, sig: signal.Signals) -> None:
    db = tmp_path / "collection.db"
    big_collection(db)
    rng = random.Random(int(sig))
    folder = tmp_path / "backups"
    for _ in range(KILLS):
        p = start("backup", "--db", str(db))
        wait_for(lambda: folder.is_dir() and any(folder.glob(".backup-*")), p)
        time.sleep(rng.uniform(0, 0.3))
        p.send_signal(sig)
        _, err = p.communicate(timeout=60)
        assert p.returncode in {0, 2, 130, 128 + int(sig)}, err
        assert leftovers(tmp_path / "backups") == []
        assert b"Traceback" not in err


def test_a_backup_cleans_what_a_killed_backup_left(tmp_path: Path) -> None:
    db = tmp_path / "collection.db"
    make_collection(db)
    folder = tmp_path / "backups"
    folder.mkdir()
    stale = [folder / ".backup-0123456789ab.tmp", folder / ".backup-0123456789ab.tmp-journal"]
    fresh = folder / ".backup-ba9876543210.tmp"  # may be another recall's, still writing
    old = time.time() - STALE_SECONDS - 60
    for path in [*stale, fresh]:
        path.write_bytes(b"x" * 4096)
    for path in stale:
        os.utime(path, (old, old))
    assert run("backup", "--db", str(db)).exit_code == 0
    assert leftovers(folder) == [fresh.name] and len(backups(db)) == 1


def test_disk_full_during_a_small_generate_batch_writes_no_deck(
    small_disk: Path,  # noqa: F811
) -> None:
    lessons = sorted(LESSONS.glob("*.txt"))[:3]
    trial = small_disk / "trial"
    assert run("generate", *map(str, lessons), "-o", str(trial)).exit_code == 0
    sizes = sorted(p.stat().st_size for p in trial.glob("*.toml"))
    for p in trial.iterdir():
        p.unlink()
    trial.rmdir()
    out = small_disk / "decks"
    out.mkdir()
    filler = fill(small_disk)
    with filler.open("r+b") as fh:  # room for the first deck or two, never for all three
        fh.truncate(filler.stat().st_size - sizes[0] - sizes[1] // 2)
    result = run("generate", *map(str, lessons), "-o", str(out))
    one_line_error(result, str(out), "none was written")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("what", ["lesson", "deck"])
def test_a_device_a_fifo_or_a_huge_sparse_file_is_refused_before_reading(
    tmp_path: Path, what: str
) -> None:
    fifo = tmp_path / f"fifo.{'txt' if what == 'lesson' else 'toml'}"
    os.mkfifo(fifo)
    huge = tmp_path / f"huge.{'txt' if what == 'lesson' else 'toml'}"
    with huge.open("wb") as fh:
        fh.truncate(3 * 1024**3)  # 3 GB, sparse: reading it whole would take 3 GB of memory
    for source, needle in [("/dev/zero", "not a regular file"), (str(fifo), "not a regular file"),
                           (str(huge), "too large")]:  # fmt: skip
        if what == "lesson":
            args = ["generate", source, "-o", str(tmp_path / "decks")]
        else:
            args = ["add", "--db", str(tmp_path / "c.db"), source]
        started = time.monotonic()
        p = start(*args)
        _, err = p.communicate(timeout=30)
        assert p.returncode == 2 and needle in err.decode(), err
        assert err.startswith(f"recall: error: {source}: ".encode()) and err.count(b"\n") == 1
        assert time.monotonic() - started < 10


def test_sigint_after_a_command_has_finished_is_ignored(tmp_path: Path) -> None:
    """The moment after `restore` (or `generate`) has done its work and before the process
    ends: a Ctrl-C then must not report "Aborted!" and exit 1 for work that was done."""
    db = tmp_path / "collection.db"
    make_collection(db)
    assert run("backup", "--db", str(db)).exit_code == 0
    script = (
        "import os, signal, sys\n"
        "from recall.cli import cli, install_signal_handlers\n"
        "install_signal_handlers()\n"
        "try:\n"
        f"    cli.main(['restore', '--latest', '--db', {str(db)!r}], standalone_mode=False)\n"
        "finally:\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert b"restored" in done.stdout and done.stderr == b""
