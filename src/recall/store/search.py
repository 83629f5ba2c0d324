"""Searching cards: a structured query (:mod:`recall.terms`) compiled into SQL.

The query arrives as terms, never as text or SQL: each term picks its column from the
tables below and passes the learner's values as bound parameters, so nothing typed in a
search can change a statement. ``*`` in a pattern is SQL's ``%``; ``%``, ``_`` and ``\\``
typed by the learner are matched as themselves.
"""

from __future__ import annotations

from typing import Any

from recall.store.connection import Base
from recall.store.rows import ROW_COLUMNS, Row, row_from_tuple
from recall.terms import (
    COMPARISONS,
    All,
    Any_,
    BuriedOn,
    CardIs,
    CardRef,
    Compare,
    DueBetween,
    Field,
    Flag,
    InDeck,
    Node,
    Not,
    OfKind,
    Prop,
    Tagged,
    Text,
)

_FLAGS = {
    Flag.New: "state = 0",
    Flag.Learning: "state in (1, 3)",
    Flag.Review: "state in (2, 3)",
    Flag.Relearning: "state = 3",
    Flag.Suspended: "suspended = 1",
    Flag.Retired: "retired = 1",
}
_PROPS = {
    Prop.Lapses: "lapses",
    Prop.Reps: "reps",
    Prop.Stability: "stability",
    Prop.Difficulty: "difficulty",
    Prop.Position: "(position + 1)",  # 1 for the first card, as `recall cards` shows it
}
_TEXT_COLUMNS = {
    Field.Any: ("front", "back", "options"),
    Field.Front: ("front",),
    Field.Back: ("back",),
    Field.Fact: ("fact",),
    Field.Source: ("source",),
}
#: A card's columns that :class:`Row` leaves out, for the one-card view (``recall card``).
DETAIL_COLUMNS = ("tags", "source", "url", "as_of", "added_at", "changed_at", "hash")


def like(pattern: str, *, anywhere: bool) -> str:
    """A LIKE pattern (escape ``\\``) for a learner's pattern, where ``*`` is a wildcard."""
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    escaped = escaped.replace("*", "%")
    return f"%{escaped}%" if anywhere else escaped


def compile_query(node: Node) -> tuple[str, list[Any]]:
    """The SQL condition for ``node`` over the cards table, and its parameters."""
    if isinstance(node, All | Any_):
        parts = [compile_query(p) for p in node.parts]
        glue = " and " if isinstance(node, All) else " or "
        return "(" + glue.join(sql for sql, _ in parts) + ")", [v for _, ps in parts for v in ps]
    if isinstance(node, Not):
        sql, params = compile_query(node.part)
        # A comparison with a missing value (a new card's stability) is NULL, not false:
        # "not" must still count the card as not matching.
        return f"not coalesce({sql}, 0)", params
    return _term(node)


def _term(node: Node) -> tuple[str, list[Any]]:
    if isinstance(node, Text):
        pattern = like(node.pattern, anywhere=True)
        columns = _TEXT_COLUMNS[node.field]
        sql = " or ".join(f"{c} like ? escape '\\'" for c in columns)
        return f"({sql})", [pattern] * len(columns)
    if isinstance(node, InDeck):
        pattern = like(node.pattern, anywhere=False)
        sql = (
            "deck in (select slug from decks"
            " where slug like ? escape '\\' or title like ? escape '\\')"
        )
        return sql, [pattern, pattern]
    if isinstance(node, Tagged):
        sql = "exists (select 1 from json_each(cards.tags) where value like ? escape '\\')"
        return sql, [like(node.pattern, anywhere=False)]
    if isinstance(node, OfKind):
        return "kind = ?", [node.kind]
    if isinstance(node, CardIs):
        if node.flag not in _FLAGS:
            raise ValueError(f"unbound query term: is:{node.flag}")
        return _FLAGS[node.flag], []
    if isinstance(node, BuriedOn):
        return "(buried_until is not null and buried_until > ?)", [node.today]
    if isinstance(node, CardRef):
        return "(uid = ? or id = ?)", [node.ref, node.ref]
    if isinstance(node, Compare):
        if node.op not in COMPARISONS:
            raise ValueError(f"unknown comparison {node.op!r}")
        return f"{_PROPS[node.prop]} {node.op} ?", [node.number]
    if isinstance(node, DueBetween):
        sql, params = "(state != 0 and due is not null", []
        if node.start is not None:
            sql, params = sql + " and due >= ?", [node.start]
        if node.end is not None:
            sql, params = sql + " and due < ?", [*params, node.end]
        return sql + ")", params
    raise ValueError(f"unbound query term: {node!r}")


class SearchStore(Base):
    """Named queries that find cards by a structured query, and one card's every column."""

    def search_cards(self, query: Node, limit: int | None = None) -> list[Row]:
        """The cards matching ``query``, in deck order (deck, then position in its file)."""
        where, params = compile_query(query)
        sql = f"select {ROW_COLUMNS} from cards where {where} order by deck, position"
        if limit is not None:
            sql += f" limit {int(limit)}"
        return [row_from_tuple(t) for t in self.conn.execute(sql, params)]

    def count_cards(self, query: Node) -> int:
        where, params = compile_query(query)
        return int(
            self.conn.execute(f"select count(*) from cards where {where}", params).fetchone()[0]
        )

    def card_details(self, uid: str) -> dict[str, Any]:
        """The columns of one card that :class:`Row` leaves out (tags, source, as of…)."""
        sql = f"select {', '.join(DETAIL_COLUMNS)} from cards where uid = ?"
        row = self.conn.execute(sql, [uid]).fetchone()
        return dict(zip(DETAIL_COLUMNS, row, strict=True)) if row else {}
