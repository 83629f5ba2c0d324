"""Named presets (Anki's deck options), which deck uses which, and the versions answers used.

A preset's values are stored whole, as Anki stores a deck-options preset: created as a copy
of the default's values (the collection's settings), then set key by key. ``parameters`` is
the exception: a preset holds them only once set, else it uses the collection's, so a fit
applied to the collection reaches every preset that has no fit of its own.

Each answer's log row records the version of its deck's preset in force (the effective
values, parameters included); a version is stored once and found again by its values.
"""

from __future__ import annotations

import json
from typing import Any

from recall.errors import RecallError
from recall.settings import DEFAULT_PRESET, PRESET_KEYS, preset_values
from recall.store.params import ParamStore


class PresetStore(ParamStore):
    """Named queries of presets, deck-to-preset choices and preset versions."""

    def presets(self) -> dict[str, dict[str, Any]]:
        """Each named preset's stored values, by name (the default is not among them)."""
        rows = self.conn.execute("select name, settings from presets order by name")
        return {name: json.loads(values) for name, values in rows}

    def deck_presets(self) -> dict[str, str]:
        """The preset each deck with one of its own uses, by deck slug."""
        rows = self.conn.execute("select slug, preset from decks where preset is not null")
        return {str(slug): str(preset) for slug, preset in rows}

    def set_preset(self, name: str, key: str, value: Any) -> None:
        """Set one value of preset ``name``, creating it as a copy of the default's values."""
        if key not in PRESET_KEYS:
            keys = ", ".join(PRESET_KEYS)
            raise RecallError(f"unknown preset key {key!r}; a preset holds: {keys}")
        values = self.presets().get(name)
        if values is None:
            values = preset_values(self.settings())
            del values["parameters"]  # the collection's, until the preset has its own
        values[key] = list(value) if isinstance(value, tuple) else value
        with self._write():
            self.db.table("presets").upsert(
                {"name": name, "settings": json.dumps(values, sort_keys=True)}, pk="name"
            )

    def use_preset(self, name: str, deck: str) -> None:
        """Deck ``deck`` uses preset ``name`` from now on (the default: the collection's)."""
        preset = None if name == DEFAULT_PRESET else name
        with self._write():
            self.conn.execute("update decks set preset = ? where slug = ?", [preset, deck])

    def preset_version(self, name: str, values: dict[str, Any]) -> int:
        """The id of this version of preset ``name`` (its effective values), stored once."""
        text = json.dumps(values, sort_keys=True)
        cache: dict[tuple[str, str], int] = self.__dict__.setdefault("_preset_version_ids", {})
        found = cache.get((name, text))
        if found is not None:
            return found
        sql = "select id from preset_versions where name = ? and settings = ?"
        row = self.conn.execute(sql, [name, text]).fetchone()
        if row is None:
            # Another session may store the same version at the same moment: ignore its
            # insert's conflict and read the id back inside the one transaction.
            with self._write():
                self.conn.execute(
                    "insert or ignore into preset_versions (name, settings) values (?, ?)",
                    [name, text],
                )
                row = self.conn.execute(sql, [name, text]).fetchone()
        version = int(row[0])
        cache[(name, text)] = version
        return version

    def preset_versions(self) -> dict[int, dict[str, Any]]:
        """Every preset version's values, by id (what replay schedules a recorded row with)."""
        rows = self.conn.execute("select id, settings from preset_versions")
        return {int(i): json.loads(values) for i, values in rows}
