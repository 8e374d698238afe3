"""The REST API (FastAPI): thin routers over the services, and the browser login that fronts the dashboards."""
