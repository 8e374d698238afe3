"""Interval readings (15-minute, hourly, daily; timestamps or date ranges) summed exactly into months.

A reading covers [start, end). A reading given by a timestamp alone starts there and lasts the step of
its series (the most common gap between its consecutive timestamps; a day for dates, an hour for a
lone timestamp). A reading whose range crosses a month boundary is shared between the months in
proportion to its time in each. A month's coverage is the time its readings cover over its length:
a month below full coverage is stored as incomplete, with its coverage, and does not count as a
reported month. Readings that overlap an earlier reading of the same series are findings and are
left out of the sums.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SERIES = ["building_id", "carrier_code", "sub_item"]
SUMS = ["quantity", "kgce_calorific", "kgce_generation"]
DAY_NS = 86_400 * 10**9
HOUR_NS = 3_600 * 10**9
COMPLETE = 1 - 1e-9


def _series_codes(frame: pd.DataFrame) -> np.ndarray:
    return frame.groupby(SERIES, sort=False, dropna=False).ngroup().to_numpy()


def fill_ends(frame: pd.DataFrame) -> pd.DataFrame:
    """Sort by series and start; readings without an end get start + their series' step."""
    out = frame.assign(_series=_series_codes(frame)).sort_values(["_series", "start", "_row"], kind="stable")
    missing = out["end"].to_numpy() < 0
    if missing.any():
        series = out["_series"].to_numpy()
        start = out["start"].to_numpy()
        gap = np.diff(start, prepend=start[0])
        same = np.r_[False, series[1:] == series[:-1]] & (gap > 0)
        gaps = pd.DataFrame({"s": series[same], "g": gap[same]})
        step = gaps.groupby("s")["g"].agg(lambda g: g.mode().iloc[0]) if not gaps.empty else pd.Series(dtype="int64")
        fallback = np.where(out["timed"].to_numpy(), HOUR_NS, DAY_NS)
        per_row = pd.Series(series).map(step).to_numpy(dtype="float64")
        per_row = np.where(np.isnan(per_row), fallback, per_row).astype("int64")
        end = out["end"].to_numpy().copy()
        end[missing] = start[missing] + per_row[missing]
        out["end"] = end
    return out


def overlaps(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a frame from ``fill_ends``: (overlapping, duplicate, row of the earlier reading) per reading."""
    series = frame["_series"].to_numpy()
    start, end, rows = frame["start"].to_numpy(), frame["end"].to_numpy(), frame["_row"].to_numpy()
    n = len(frame)
    if n == 0:
        empty = np.zeros(0, dtype=bool)
        return empty, empty, np.zeros(0, dtype=np.int64)
    # the latest end of the earlier readings of the same series
    by = pd.Series(series)
    running = pd.Series(end).groupby(by).shift(1).groupby(by).cummax().to_numpy()
    overlapping = ~np.isnan(running) & (start < np.nan_to_num(running, nan=0).astype("int64"))
    duplicate = np.r_[False, (series[1:] == series[:-1]) & (start[1:] == start[:-1]) & (end[1:] == end[:-1])]
    # the earlier reading: the latest one before in the series whose end passes this start (nearest is enough)
    earlier = np.r_[0, rows[:-1]]
    return overlapping | duplicate, duplicate, np.where(overlapping | duplicate, earlier, 0)


def to_months(frame: pd.DataFrame) -> pd.DataFrame:
    """Readings (with start, end, the SUMS columns and _row) summed per series and month, with coverage."""
    start = frame["start"].to_numpy().astype("datetime64[ns]")
    end = frame["end"].to_numpy().astype("datetime64[ns]")
    first_month = start.astype("datetime64[M]")
    last_month = (end - np.timedelta64(1, "ns")).astype("datetime64[M]")
    inside = first_month == last_month
    parts = [frame.loc[inside].assign(_month=first_month[inside].astype("int64"), _share=1.0,
                                      _covered=(frame["end"] - frame["start"]).loc[inside].to_numpy())]
    crossing = frame.loc[~inside]
    if not crossing.empty:  # ranges over a month boundary: shared in proportion to time in each month
        pieces = []
        for rec, s, e in zip(crossing.to_dict("records"), start[~inside], end[~inside], strict=True):
            total = (e - s).astype("int64")
            month = s.astype("datetime64[M]")
            while month.astype("datetime64[ns]") < e:
                lo = max(s, month.astype("datetime64[ns]"))
                hi = min(e, (month + np.timedelta64(1, "M")).astype("datetime64[ns]"))
                piece = dict(rec)
                piece.update(_month=int(month.astype("int64")), _share=(hi - lo).astype("int64") / total, _covered=(hi - lo).astype("int64"))
                pieces.append(piece)
                month = month + np.timedelta64(1, "M")
        parts.append(pd.DataFrame(pieces))
    flat = pd.concat(parts, ignore_index=True)
    for column in SUMS:
        flat[column] = flat[column] * flat["_share"]
    grouped = flat.groupby([*SERIES, "_month"], sort=True).agg(
        **{c: (c, "sum") for c in SUMS}, covered=("_covered", "sum"), _row=("_row", "min"), readings=("_row", "size"))
    out = grouped.reset_index()
    month = out["_month"].to_numpy().astype("int64").astype("datetime64[M]")
    length = ((month + np.timedelta64(1, "M")).astype("datetime64[ns]") - month.astype("datetime64[ns]")).astype("int64")
    out["coverage"] = np.minimum(out["covered"].to_numpy() / length, 1.0)
    out["year"] = month.astype("datetime64[Y]").astype("int64") + 1970
    out["month"] = month.astype("int64") % 12 + 1
    out["missing_hours"] = np.maximum(length - out["covered"].to_numpy(), 0) / HOUR_NS
    return out.drop(columns=["_month"])
