"""Pure domain logic: no database, no web."""
