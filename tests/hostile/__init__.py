"""Hostile input: malformed, huge, nested, oddly encoded and entity-laden answers."""
