"""Atomic file writes: a temporary file beside the target, fsynced, then renamed.

A reader (or a crash) sees either the old file or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from recall.errors import RecallError

#: Longest file name most file systems allow (bytes): a temporary name must fit too.
NAME_MAX = 255


def default_mode() -> int:
    """The mode a plain ``open()`` would give a new file (0666 less the umask).

    ``mkstemp`` makes files private (0600); a deck file or package is meant to be shared.
    """
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def read_bounded(path: Path, limit: int, name: str, what: str = "file", hint: str = "") -> bytes:
    """Read a regular file of at most ``limit`` bytes, refusing anything else before reading.

    A FIFO would block the open itself and a device (``/dev/zero``) never ends, so the file
    is opened without blocking and checked by its own descriptor; a regular file's size is
    checked before a byte is read, and the read stops one byte past the limit in case the
    file grew meanwhile. ``name`` is what error messages call the file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise RecallError(f"cannot read {what}: {exc.strerror}", name) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RecallError(f"not a regular file, so not a {what}", name)
        if info.st_size <= limit:
            data = fh.read(limit + 1)
        if info.st_size > limit or len(data) > limit:
            size = max(info.st_size, limit + 1) / 1_048_576
            raise RecallError(
                f"{what} is too large ({size:.1f} MB; the limit is {limit / 1_048_576:g} MB)"
                + (f" — {hint}" if hint else ""),
                name,
            )
    return data


def temp_prefix(path: Path) -> str:
    """A prefix for a temporary file beside ``path`` that leaves room for mkstemp's random
    part and ``.tmp`` even when ``path``'s own name is as long as the file system allows."""
    stem = path.name
    while len(os.fsencode(f".{stem}.")) > NAME_MAX - 20:
        stem = stem[:-1]
    return f".{stem}."


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that it appears whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).chmod(default_mode())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise


def stage(path: Path, data: bytes, token: str) -> Path:
    """Write ``data`` beside ``path`` under a temporary name tagged ``token``, for a later
    :func:`commit_all` (or :func:`discard`): the slow part of an atomic write, done early and
    in parallel, while the switch-over stays all-or-nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{token}.tmp")
    tmp.write_bytes(data)
    tmp.chmod(default_mode())
    return tmp


def commit_all(pairs: list[tuple[Path, Path]]) -> None:
    """Rename each staged file onto its target, after one ``sync`` has put every staged
    file's data on disk (a thousand separate fsyncs cost seconds; one sync, a fraction)."""
    if not pairs:
        return
    os.sync()
    for tmp, path in pairs:
        tmp.replace(path)


def discard(directory: Path, token: str) -> None:
    """Remove every file staged with ``token`` in ``directory``."""
    for tmp in directory.glob(f".*.{token}.tmp"):
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is over (then arrive as usual), so creating
    a temporary file and noting its name, or removing it, is never cut in half: a signal in
    the middle would leave a file nobody knows to remove."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # no POSIX masks, or not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
