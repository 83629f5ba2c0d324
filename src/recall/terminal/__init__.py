"""The terminal front end of a review session: one key per action, drawn with click."""
