"""FastAPI application: thin routers over the services."""
