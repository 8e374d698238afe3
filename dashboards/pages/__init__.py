"""One module per page: ``register(app)`` registers the page and its callbacks on the app."""

from __future__ import annotations

from dashboards.pages import (
    building,
    not_found,
    overview,
    quality,
    region,
    reports,
    targets,
    upload,
    upload_report,
)

PAGES = (overview, region, building, targets, quality, upload, upload_report, reports, not_found)
