"""Anki packages: ``export`` writes ``.apkg`` files (the only module that imports genanki)."""
