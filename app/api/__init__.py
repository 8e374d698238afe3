"""The REST API (FastAPI) and the browser login that fronts the dashboards."""
