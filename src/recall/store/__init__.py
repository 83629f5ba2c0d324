"""The collection: one SQLite file, and the only package that speaks SQL.

The schema is created and evolved with ``sqlite_utils.Migrations`` (``schema``); opening,
pragmas and write transactions live in ``connection``; each table has its module of named
queries — ``decks``, ``cards``, ``log`` (the review log), ``params`` (settings and fitted
parameter sets) and ``stats`` (grouped counts for the stats) — and :class:`Collection` is all
of them over one connection. Reads that run on every start-up or key press use the connection
directly; sqlite-utils is imported only when something writes or migrates (it costs more to
import than ``recall due`` to run).

The review log is append-only — the one exception is undo of the last answer, which removes
exactly that row — and it is the source of truth: each row holds the rating, the UTC instant,
the duration and the card's state before and after, so a card's state can always be rebuilt
from it (``recall check``). ``backup`` and ``restore`` copy the file with SQLite's online
backup API.
"""

from __future__ import annotations

from recall.store.cards import EXPORT_COLUMNS
from recall.store.connection import BUSY_TIMEOUT_MS, SESSION_LOG_PAGES
from recall.store.decks import AddReport, DeckStore
from recall.store.exams import ExamRecord, ExamStore
from recall.store.imports import History, ImportedReview, ImportStore
from recall.store.log import LogStore
from recall.store.manage import CardText, Removed
from recall.store.params import ParamStore
from recall.store.presets import PresetStore
from recall.store.rows import Entry, Row, memory_from, memory_from_tuple, parse_ts, ts
from recall.store.schema import MIGRATION_NAMES, m001_initial, migrations
from recall.store.search import SearchStore
from recall.store.stats import StatsStore

__all__ = [
    "BUSY_TIMEOUT_MS",
    "EXPORT_COLUMNS",
    "MIGRATION_NAMES",
    "SESSION_LOG_PAGES",
    "AddReport",
    "CardText",
    "Collection",
    "Entry",
    "ExamRecord",
    "History",
    "ImportedReview",
    "Removed",
    "Row",
    "m001_initial",
    "memory_from",
    "memory_from_tuple",
    "migrations",
    "parse_ts",
    "ts",
]


class Collection(
    DeckStore, LogStore, PresetStore, ParamStore, ImportStore, SearchStore, ExamStore, StatsStore
):
    """An open collection file, with the named queries of every table."""
