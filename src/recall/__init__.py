"""recall: spaced-repetition flashcards for UPSC current affairs."""

__version__ = "0.1.0"
