"""Import a package with scheduling into a fresh real Anki and print today's counts per deck.

Run by tests/test_due_like_anki.py under libfaketime (``FAKETIME=@…``, ``TZ``), so Anki's
"today" is the instant recall's test is frozen at. Arguments: the package, the day-start hour,
the daily new and review limits. Prints ``{deck name: [new, learning, review]}`` as JSON,
read from Anki's v3 scheduler for each deck that holds cards.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.decks import DeckId


def main() -> None:
    package, rollover, new_limit, review_limit = sys.argv[1], *map(int, sys.argv[2:5])
    col = Collection(str(Path(tempfile.mkdtemp()) / "collection.anki2"))
    col.set_config("fsrs", True)
    col.set_config("rollover", rollover)
    options = ImportAnkiPackageOptions(with_scheduling=True)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=package, options=options))
    counts = {}
    for deck in col.decks.all_names_and_ids():
        if not col.find_cards(f"did:{deck.id}"):
            continue
        did = DeckId(deck.id)
        conf = col.decks.config_dict_for_deck_id(did)
        conf["new"]["perDay"], conf["rev"]["perDay"] = new_limit, review_limit
        col.decks.update_config(conf)
        col.decks.select(did)
        counts[deck.name] = list(col.sched.counts())
    col.close()
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
