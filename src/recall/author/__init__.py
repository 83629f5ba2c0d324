"""Authoring, the teacher's half: lesson text → facts → cards → deck files.

``lesson`` parses a lesson's text into sections, ``facts`` extracts typed facts from it,
``sheets`` loads the curated fact sheets and matches a lesson's Prelims topics to them,
``generate`` turns facts into cards, ``quality`` holds the rules every card must pass, and
``batch`` runs many lessons at once and writes their deck files all-or-nothing.
"""
