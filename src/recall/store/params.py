"""Settings and fitted FSRS parameter sets, with the reschedules each change made."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from recall.errors import RecallError
from recall.memory import Memory
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

    def change_parameters(
        self,
        parameters: tuple[float, ...],
        memories: dict[str, Memory],
        now: datetime,
        *,
        fit: dict[str, Any] | None = None,
        revert: bool = False,
    ) -> int:
        """Put ``parameters`` in force and reschedule the cards, all in one transaction.

        A new fit becomes a new, dated parameter set on top of the stack; a revert pops the
        stack. Every card whose memory changes gets a reschedule row (before and after), so
        the log still explains its state. Returns the change's id.
        """
        stamp = ts(now)
        stack = self.parameter_stack()
        with self._write():
            if revert:
                stack.pop()
                set_id = stack[-1]
            else:
                sets = self.db.table("parameter_sets")
                sets.insert({"created_at": stamp, "parameters": json.dumps(list(parameters)),
                             "fit": json.dumps(fit or {})})  # fmt: skip
                set_id = int(sets.last_pk)  # type: ignore[arg-type]
                stack.append(set_id)
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
        self._settings = None
        return int(change)  # type: ignore[arg-type]

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

    def all_reschedules(self) -> dict[str, list[tuple[str, Memory]]]:
        """Each card's reschedules, oldest first, as (instant, memory after)."""
        out: dict[str, list[tuple[str, Memory]]] = {}
        for r in self._query("select * from reschedules order by card, id"):
            out.setdefault(r["card"], []).append((r["at"], memory_from(r, "_after")))
        return out
