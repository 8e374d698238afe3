"""Pure domain logic (standard library, numpy and pandas only): no database, no web."""
