"""Region membership and climate zones from GB/T 2260 district codes."""

from __future__ import annotations

import pandas as pd

NATION_CODE = "000000"


def province_code(district_code: str) -> str:
    """The province-level code (first two digits) a district belongs to."""
    return district_code[:2] + "0000"


def city_code(district_code: str) -> str:
    """The prefecture-level code (first four digits) a district belongs to."""
    return district_code[:4] + "00"


def region_column(region_code: str) -> str | None:
    """Which building column a region code filters on: None for the nation."""
    if region_code == NATION_CODE:
        return None
    if region_code.endswith("0000"):
        return "province_code"
    return "city_code" if region_code.endswith("00") else "district_code"


def climate_zones_for(district_codes: pd.Series, prefix_zones: dict[str, str]) -> pd.Series:
    """Climate zone of each district by the longest matching code prefix (None when unknown)."""
    codes = district_codes.astype("object")
    result = pd.Series(None, index=codes.index, dtype="object")
    for length in sorted({len(p) for p in prefix_zones}):
        mapped = codes.str[:length].map({p: z for p, z in prefix_zones.items() if len(p) == length})
        result = mapped.where(mapped.notna(), result)
    return result
