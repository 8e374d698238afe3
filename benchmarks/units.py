"""What reading units with pint costs on a million rows, three ways.

    PYTHONPATH=. python -m benchmarks.units [--rows 1000000]

1. pint per row (a Quantity per cell), timed on a sample and scaled up;
2. pint per distinct unit on the whole array (one Quantity per unit group);
3. the ETL's way: pint resolves each distinct unit string to a factor once, numpy multiplies.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from etl.units import UnitBook, registry

UNITS = ["m²", "ft²", "万m²", "平方米"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    rng = np.random.default_rng(7)
    values = pd.Series(rng.uniform(100, 50_000, rows))
    units = pd.Series(rng.choice(UNITS, rows))
    t = time.perf_counter()
    ureg = registry()
    book = UnitBook()
    print(f"pint registry built once per process: {time.perf_counter() - t:.2f} s")

    sample = min(rows, 20_000)
    t = time.perf_counter()
    exprs = {u: book.quantity(u) for u in UNITS}  # 1 unit as a quantity (万m² is 10,000 m²)
    for v, u in zip(values[:sample], units[:sample], strict=True):
        (v * exprs[u]).to("m**2").magnitude
    per_row = (time.perf_counter() - t) * rows / sample
    print(f"1. pint per row:            {per_row:7.2f} s for {rows:,} rows (scaled from {sample:,})")

    t = time.perf_counter()
    out = np.empty(rows)
    for u in UNITS:
        here = (units == u).to_numpy()
        out[here] = (values.to_numpy()[here] * exprs[u]).to("m**2").magnitude
    print(f"2. pint per unit group:     {time.perf_counter() - t:7.3f} s")

    t = time.perf_counter()
    book = UnitBook()
    codes, uniques = pd.factorize(units)
    factors = np.array([book.factor(u, "m2", "area")[0] for u in uniques])
    ours = values.to_numpy() * factors[codes]
    factors = dict(zip(uniques, factors, strict=True))
    print(f"3. factor once + numpy:     {time.perf_counter() - t:7.3f} s ({len(factors)} distinct units)")
    assert np.allclose(ours, out)


if __name__ == "__main__":
    main()
