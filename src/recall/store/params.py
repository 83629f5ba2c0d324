"""Settings and fitted FSRS parameter sets, with the reschedules each change made."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Set
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

from recall.errors import RecallError
from recall.memory import Memory, State
from recall.settings import Settings
from recall.store.connection import Base
from recall.store.rows import (
    BEFORE_AFTER,
    MEMORY_NAMES,
    SET_MEMORY,
    SET_MEMORY_SAME_STATE,
    insert_sql,
    memory_from,
    memory_values,
    ts,
)

_SETTINGS_KEYS = tuple(Settings.__dataclass_fields__)
_UPDATE_MEMORY = f"{SET_MEMORY} where uid = ?"
_UPDATE_MEMORY_SAME_STATE_BY_UID = f"{SET_MEMORY_SAME_STATE} where uid = ?"
_INSERT_RESCHEDULE = insert_sql("reschedules", "change", "card", "at", *BEFORE_AFTER)


class Reschedule(NamedTuple):
    """One card's reschedule: when, the memory it wrote and the one it replaced, and the
    change's kind (apply and revert move only stability, difficulty and the due day; a
    forget starts the card again)."""

    at: str
    after: Memory
    before: Memory
    kind: str


class ParamStore(Base):
    """Settings, and fitted parameter sets with the reschedules each change made."""

    def settings(self) -> Settings:
        if self._settings is None:
            stored = {
                k: json.loads(v) for k, v in self.conn.execute("select key, value from config")
            }
            values: dict[str, Any] = {
                k: tuple(v) if isinstance(v, list) else v
                for k, v in stored.items()
                if k in _SETTINGS_KEYS
            }
            self._settings = Settings(**values)
        return self._settings

    def set_setting(self, key: str, value: Any) -> None:
        if key not in _SETTINGS_KEYS:
            raise RecallError(f"unknown setting {key!r}; see `recall config`")
        with self._write():
            self.db.table("config").upsert({"key": key, "value": json.dumps(value)}, pk="key")
        self._settings = None

    def parameter_stack(self) -> list[int | None]:
        """Parameter sets in force, oldest first (None: the defaults); the last is current."""
        sql = "select value from config where key = 'parameter_stack'"
        row = self.conn.execute(sql).fetchone()
        return list(json.loads(row[0])) if row else [None]

    def parameter_set(self, set_id: int) -> dict[str, Any]:
        return self._query("select * from parameter_sets where id = ?", [set_id])[0]

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read transaction: everything read inside it sees the collection as it was at
        its first read, whatever other sessions commit meanwhile (WAL keeps that snapshot).
        A reschedule reads the log and the cards' memories together this way, so the
        memories it starts from are the ones that log gives."""
        conn = self.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            self._end_read()

    def _end_read(self) -> None:
        if self.conn.in_transaction:  # (a read transaction: COMMIT just lets the snapshot go)
            self.conn.execute("COMMIT")

    def parameters_in_force(self) -> tuple[float, ...] | None:
        """The parameters stored now (None: the defaults), read afresh, not from the cached
        settings: a session open while ``recall optimize --apply`` ran must see the change."""
        row = self.conn.execute("select value from config where key = 'parameters'").fetchone()
        return tuple(json.loads(row[0])) if row else None

    def change_parameters(
        self,
        parameters: tuple[float, ...],
        memories: dict[str, Memory],
        now: datetime,
        *,
        fit: dict[str, Any] | None = None,
        revert: bool = False,
        basis: dict[str, Memory] | None = None,
        recompute: Callable[[Set[str]], dict[str, Memory]] | None = None,
    ) -> int:
        """Put ``parameters`` in force and reschedule the cards, all in one transaction.

        A new fit becomes a new, dated parameter set on top of the stack; a revert pops the
        stack. Every card whose memory changes gets a reschedule row (before and after), so
        the log still explains its state. Returns the change's id.

        ``memories`` are computed before the write lock is taken (seconds on a lifetime's
        log), from ``basis``, the memories the cards had then. A review session may answer
        (or undo) meanwhile: inside the transaction every card whose memory is no longer its
        basis is handed to ``recompute``, which reads its log as it now stands, so no answer
        is overwritten. The change is dated no earlier than the last answer in the log, so
        every answer counts as given before it, as the log replay expects.
        """
        # The basis in column order, made before the lock is taken: on a lifetime's cards
        # this is seconds that answers in other sessions would otherwise wait through.
        basis_values = (
            {uid: memory_values(m) for uid, m in basis.items()} if basis is not None else None
        )
        with self._write():
            stamp = self._change_stamp(now)
            set_id, stack = self._push_parameters(parameters, stamp, fit, revert)
            change = (
                self.db.table("parameter_changes")
                .insert(
                    {"at": stamp, "parameter_set": set_id, "kind": "revert" if revert else "apply"}
                )
                .last_pk
            )
            config = self.db.table("config")
            config.upsert({"key": "parameters", "value": json.dumps(list(parameters))}, pk="key")
            config.upsert({"key": "parameter_stack", "value": json.dumps(stack)}, pk="key")
            rows = self.conn.execute(f"select uid, {', '.join(MEMORY_NAMES)} from cards")
            before = {uid: tuple(rest) for uid, *rest in rows}
            if basis_values is not None and recompute is not None:
                memories = _brought_up_to_date(memories, basis_values, before, recompute)
            self._write_reschedules(int(change), stamp, memories, before)  # type: ignore[arg-type]
        self._settings = None
        return int(change)  # type: ignore[arg-type]

    def _change_stamp(self, now: datetime) -> str:
        """``now``, or the last answer's instant if an answer was logged after ``now``
        (``now`` is read when the command starts; a session may answer after it)."""
        stamp = ts(now)
        row = self.conn.execute("select max(reviewed_at) from reviews").fetchone()
        return max(stamp, row[0]) if row and row[0] else stamp

    def _push_parameters(
        self, parameters: tuple[float, ...], stamp: str, fit: dict[str, Any] | None, revert: bool
    ) -> tuple[int | None, list[int | None]]:
        """The parameter set now in force and the new stack, read and written under the lock."""
        stack = self.parameter_stack()
        if revert:
            stack.pop()
            return stack[-1], stack
        sets = self.db.table("parameter_sets")
        sets.insert({"created_at": stamp, "parameters": json.dumps(list(parameters)),
                     "fit": json.dumps(fit or {})})  # fmt: skip
        set_id = int(sets.last_pk)  # type: ignore[arg-type]
        stack.append(set_id)
        return set_id, stack

    def _write_reschedules(
        self, change: int, stamp: str, memories: dict[str, Memory], before: dict[str, Any]
    ) -> None:
        updates, same_state, logged = [], [], []
        for uid, memory in memories.items():
            values = memory_values(memory)
            old = before[uid]
            if values == old:
                continue
            if values[0] == old[0]:  # (always, for a reschedule): one index fewer to touch
                same_state.append((*values[1:], uid))
            else:
                updates.append((*values, uid))
            logged.append((change, uid, stamp, *old, *values))
        # A few statements for all the cards, not two per card (a lifetime is 1M cards).
        self.conn.executemany(_UPDATE_MEMORY_SAME_STATE_BY_UID, same_state)
        self.conn.executemany(_UPDATE_MEMORY, updates)
        self.conn.executemany(_INSERT_RESCHEDULE, logged)

    def reschedules_of(self, change: int) -> dict[str, Memory]:
        """The memory each card had just before parameter change ``change`` rescheduled it."""
        rows = self._query("select * from reschedules where change = ?", [change])
        return {r["card"]: memory_from(r, "_before") for r in rows}

    def last_change(self) -> int | None:
        # A learner's forget (store.manage) and an exam's reschedule (store.exams) are changes
        # too, but not ones to revert.
        sql = "select max(id) from parameter_changes where kind not in ('forget', 'exam')"
        row = self.conn.execute(sql).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def answered_since(self, instant: str) -> set[str]:
        sql = "select distinct card from reviews where reviewed_at > ?"
        return {uid for (uid,) in self.conn.execute(sql, [instant])}

    def change_at(self, change: int) -> str:
        sql = "select at from parameter_changes where id = ?"
        return str(self.conn.execute(sql, [change]).fetchone()[0])

    def all_reschedules(self) -> dict[str, list[Reschedule]]:
        """Each card's reschedules, oldest first."""
        out: dict[str, list[Reschedule]] = {}
        sql = """select r.*, p.kind from reschedules r
                 join parameter_changes p on p.id = r.change order by r.card, r.id"""
        for r in self._query(sql):
            entry = Reschedule(
                r["at"], memory_from(r, "_after"), memory_from(r, "_before"), r["kind"]
            )
            out.setdefault(r["card"], []).append(entry)
        return out


def _brought_up_to_date(
    memories: dict[str, Memory],
    basis: dict[str, tuple[Any, ...]],
    stored: dict[str, tuple[Any, ...]],
    recompute: Callable[[Set[str]], dict[str, Memory]],
) -> dict[str, Memory]:
    """``memories`` with every card changed since ``basis`` was read recomputed from its log
    as it stands now. A card not in ``basis`` was new then: it changed if it is not new now.
    A card whose answers were all undone is new again and is left as it is."""
    new = int(State.New)
    changed = {
        uid
        for uid, values in stored.items()
        if (uid in basis and basis[uid] != values) or (uid not in basis and values[0] != new)
    }
    if not changed:
        return memories
    out = {uid: m for uid, m in memories.items() if uid not in changed}
    out.update(recompute(changed))
    return out
