"""Atomic file writes: a temporary file beside the target, fsynced, then renamed.

A reader (or a crash) sees either the old file or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def default_mode() -> int:
    """The mode a plain ``open()`` would give a new file (0666 less the umask).

    ``mkstemp`` makes files private (0600); a deck file or package is meant to be shared.
    """
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that it appears whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
