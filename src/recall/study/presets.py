"""Each deck's preset, as the scheduler sees it: a Scheduler per preset, the decks of each.

Anki's deck options: a deck uses a named preset or the default; the default is the
collection's settings. Calendar, fuzz, burying and the load balancer's switches stay
collection-wide; retention, steps, maximum interval, daily limits and (when a preset has
its own) FSRS parameters come from the deck's preset. Read once per session or queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from recall.settings import DEFAULT_PRESET, Settings, preset_values, with_preset
from recall.study.schedule import Scheduler


@dataclass
class Presets:
    """The presets of one collection, with one scheduler each (sharing the calendar)."""

    base: Scheduler
    named: dict[str, dict[str, Any]]
    decks: dict[str, str]
    _scheds: dict[str, Scheduler] = field(default_factory=dict)

    @classmethod
    def of(cls, col: Any, sched: Scheduler) -> Presets:
        """The presets in ``col``; ``sched`` is the collection's (the default preset's)."""
        return cls(sched, col.presets(), col.deck_presets())

    def name(self, deck: str | None) -> str:
        """The preset deck ``deck`` uses (the default for a deck without one, or no deck)."""
        if deck is None:
            return DEFAULT_PRESET
        name = self.decks.get(deck, DEFAULT_PRESET)
        return name if name in self.named else DEFAULT_PRESET

    def settings(self, deck: str | None) -> Settings:
        return self.sched(deck).settings

    def sched(self, deck: str | None) -> Scheduler:
        """The scheduler for cards of ``deck``: the collection's with its preset's values."""
        name = self.name(deck)
        if name == DEFAULT_PRESET:
            return self.base
        found = self._scheds.get(name)
        if found is None:
            found = Scheduler(with_preset(self.base.settings, self.named[name]))
            found._days, found._offsets = self.base._days, self.base._offsets  # one calendar
            self._scheds[name] = found
        return found

    def values(self, deck: str | None) -> tuple[str, dict[str, Any]]:
        """(preset name, effective values) for the log row of an answer in ``deck``."""
        return self.name(deck), preset_values(self.settings(deck))

    def decks_of(self, name: str) -> tuple[bool, list[str]]:
        """The decks using preset ``name``, as ``CardStore.due_load`` takes them: a named
        preset's own decks, or for the default every deck but those of named presets."""
        if name == DEFAULT_PRESET:
            return False, sorted(d for d, p in self.decks.items() if p in self.named)
        return True, sorted(d for d, p in self.decks.items() if p == name)
