"""Counting queries for the numbers and charts of ``recall stats`` and the Stats page.

Each reads its table once and groups in SQLite, so a lifetime collection sends back a few
thousand small groups instead of every card and log row. Learner days depend on the zone
and the day-start hour, which SQLite does not know: the caller gives each day as a span of
UTC instants, or gets instants back as UTC quarter hours (UNIX seconds // 900; every UTC
offset in use is a whole number of quarter hours, so a quarter hour lies in one day).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from recall.store.connection import Base
from recall.store.rows import ts

# An instant's whole UTC second, from the text ts() writes. The fraction is cut off first:
# SQLite's own reading rounds it to milliseconds, which puts 23:59:59.9999 in the next second.
_SECOND = "cast(strftime('%s', substr({}, 1, 19)) as integer)"
# An instant's UTC quarter hour.
_QUARTER = f"{_SECOND} / 900"


def _deck_filter(deck: str | None, column: str, params: list[Any]) -> str:
    if not deck:
        return ""
    params.append(deck)
    return f" and {column} = ?"


class StatsStore(Base):
    """Named counting queries over cards and the review log (one pass over each)."""

    def card_counts(self, deck: str | None = None) -> list[tuple[int, bool, int]]:
        """(state, suspended, how many) of the live cards (not retired).

        Read from the table, not from an index that holds these columns: the stats are the
        one look a learner takes at the whole collection, so a damaged cards table is
        reported here (as every other command does), not counted around."""
        params: list[Any] = []
        sql = "select state, suspended != 0, count(*) from cards not indexed where retired = 0"
        sql += _deck_filter(deck, "deck", params)
        rows = self.conn.execute(sql + " group by 1, 2", params)
        return [(int(s), bool(susp), int(n)) for s, susp, n in rows]

    def review_memory_groups(
        self, rollover: datetime, deck: str | None = None
    ) -> list[tuple[int, float, int]]:
        """(elapsed days, stability, how many) of live review cards, suspended ones too,
        that have a stability and a last review: what their retrievability needs.

        The elapsed days are whole 24-hour blocks from the last review to ``rollover`` (a
        whole second), 0 when negative. A last review with a fraction of a second (``.ffffff``
        not all zeros) counts as one whole second later than its whole second."""
        frac = "(rtrim(substr(last_review, 20), '.0Z+:') != '')"
        gap = f"({int(rollover.timestamp())} - {_SECOND.format('last_review')} - {frac})"
        params: list[Any] = []
        sql = f"""select max(0, case when {gap} >= 0 then {gap} / 86400 else -1 end), stability,
                         count(*)
                  from cards where retired = 0 and state = 2
                  and stability is not null and last_review is not null"""
        sql += _deck_filter(deck, "deck", params)
        return [
            (int(e), float(s), int(n))
            for e, s, n in self.conn.execute(sql + " group by 1, 2", params)
        ]

    def due_quarters(
        self, overdue_before: datetime, end: datetime, deck: str | None = None
    ) -> list[tuple[int | None, int]]:
        """(UTC quarter hour of due, how many) of live, unsuspended studied cards due before
        ``end``; those due before ``overdue_before`` come as one group with quarter None."""
        params: list[Any] = [ts(overdue_before), ts(end)]
        sql = f"""select case when due < ? then null else {_QUARTER.format("due")} end, count(*)
                  from cards where retired = 0 and suspended = 0 and state != 0
                  and due is not null and due < ?"""
        sql += _deck_filter(deck, "deck", params)
        return [(q, int(n)) for q, n in self.conn.execute(sql + " group by 1", params)]

    def bin_counts(
        self, column: str, bins: Sequence[tuple[float, float]], deck: str | None = None
    ) -> list[int]:
        """How many live, unsuspended cards have ``column`` (stability or difficulty) in each
        ``[low, high)`` bin, first match wins; the last bin also takes everything above."""
        if column not in ("stability", "difficulty"):
            raise ValueError(f"not a memory column: {column}")
        cases: list[str] = []
        params: list[Any] = []
        for i, (low, high) in enumerate(bins):
            last = i == len(bins) - 1
            cases.append(f"when {column} >= ? {'' if last else f'and {column} < ?'} then {i}")
            params.extend([low] if last else [low, high])
        sql = f"""select case {" ".join(cases)} end, count(*) from cards
                  where retired = 0 and suspended = 0 and stability is not null
                  and {column} is not null"""
        sql += _deck_filter(deck, "deck", params)
        counts = [0] * len(bins)
        for i, n in self.conn.execute(sql + " group by 1", params):
            if i is not None:
                counts[i] = n
        return counts

    def answers_in_spans(
        self, spans: Sequence[tuple[datetime, datetime]], deck: str | None = None
    ) -> list[tuple[int, int, bool, int, int]]:
        """The log's answers in each ``[start, end)`` span (the spans must not overlap), as
        (index of the span, rating, whether the card was in review before, how many, total
        milliseconds spent). A span is a learner day: SQLite walks the log's time index once
        per day and never sees a zone."""
        if not spans:
            return []
        values = ", ".join("(?, ?, ?)" for _ in spans)
        params: list[Any] = [v for i, (lo, hi) in enumerate(spans) for v in (i, ts(lo), ts(hi))]
        sql = f"""with spans(i, lo, hi) as (values {values})
                  select s.i, r.rating, r.state_before = 2, count(*), total(r.duration_ms)
                  from spans s join reviews r on r.reviewed_at >= s.lo and r.reviewed_at < s.hi"""
        if deck:  # every log row has its card (foreign keys; a deck goes with its log)
            sql += " join cards c on c.uid = r.card where c.deck = ?"
            params.append(deck)
        return [
            (int(i), int(rating), bool(in_review), int(n), int(ms))
            for i, rating, in_review, n, ms in self.conn.execute(sql + " group by 1, 2, 3", params)
        ]
