"""Studying, the learner's half: scheduling and everything that reads the review log.

``schedule`` answers cards with py-fsrs on the learner's calendar, ``session`` builds
today's queue and records answers (no I/O: the terminal and web screens drive it),
``stats`` and ``replay`` (``recall check``) read the log, ``optimize`` fits FSRS to it.
"""
