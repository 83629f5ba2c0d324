"""The fact library that ships with recall: one TOML fact sheet per area of the syllabus.

Package data, read with :mod:`importlib.resources` by :mod:`recall.author.sheetload`, so an
installed recall matches lessons to the same facts as a checkout does. Every fact names its
sources, the date it is true *as of* and the day it was *checked*; `recall facts check`
validates them all.
"""
