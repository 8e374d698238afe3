"""Survey ingest: extract -> map -> validate -> transform -> load -> report."""
