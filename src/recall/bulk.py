"""Whole-collection work (export, optimize): what keeps it linear in the collection's size.

A lifetime's collection is a million cards and eight million log rows; reading them makes
millions of small Python objects that live until the job ends. Python's cycle collector
runs a full pass over every live object each time enough new ones pile up, so with the
collector on, the cost of such a job grows faster than the collection: optimize took ×12.8
from 100k to 1M cards with it, and none of these objects form cycles.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Hold Python's cycle collector for the duration (reference counting still frees
    everything as usual; only cycles wait until the end)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
