"""Write the sample survey files of seeds/samples/: the layouts, encodings and headers auditors send."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SAMPLES_DIR = Path(__file__).parent / "samples"
CLASS_ZH = {"A": "办公", "B": "商场", "C": "宾馆饭店", "D": "文化教育", "E": "医疗卫生", "G": "综合"}

# (code, name, district, class, government, floor area m2, climate has heating)
SAMPLE_BUILDINGS = [
    ("110105A901", "北京市朝阳区政府办公楼", "110105", "A", True, 18_500.0),
    ("110105B902", "朝阳大悦购物中心", "110105", "B", False, 86_000.0),
    ("110108D903", "海淀区文化中心", "110108", "D", False, 24_300.0),
    ("210102A904", "沈阳市和平区行政中心", "210102", "A", True, 32_000.0),
    ("210102C905", "沈阳和平宾馆", "210102", "C", False, 21_800.0),
    ("510104E906", "成都市锦江区人民医院", "510104", "E", False, 45_600.0),
    ("510104A907", "锦江商务大厦", "510104", "A", False, 27_400.0),
    ("440305G908", "深圳南山科技综合楼", "440305", "G", False, 52_000.0),
]


def _frame() -> pd.DataFrame:
    frame = pd.DataFrame(SAMPLE_BUILDINGS, columns=["code", "name", "district", "cls", "gov", "area"])
    frame["north"] = frame.district.str[:2].isin(["11", "21"])
    return frame


def buildings_zh() -> pd.DataFrame:
    """Registry with Chinese headers and Chinese values."""
    b = _frame()
    return pd.DataFrame({
        "建筑编码": b.code, "建筑名称": b.name, "行政区划代码": b.district, "建筑类型": b.cls.map(CLASS_ZH),
        "是否国家机关办公建筑": np.where(b.gov, "是", "否"), "是否大型公共建筑": np.where(b.area > 20_000, "是", "否"),
        "建筑面积(m²)": b.area.map("{:,.0f}".format), "空调面积(m²)": (b.area * 0.8).round(0),
        "采暖面积(m²)": np.where(b.north, (b.area * 0.95).round(0), np.nan), "建成年份": 1998, "地上层数": 12,
        "使用人数": (b.area / 15).round(0).astype(int), "年运行时间(h)": np.where(b.cls == "A", 2600, 4200),
        "能耗基准分类": "B",
    })


def buildings_en() -> pd.DataFrame:
    """Registry with English headers."""
    zh = buildings_zh()
    return pd.DataFrame({
        "Building code": zh["建筑编码"], "Building name": zh["建筑名称"], "District code": zh["行政区划代码"],
        "Class": [c for c in _frame().cls], "Government office": np.where(_frame().gov, "Y", "N"),
        "Large public": np.where(_frame().area > 20_000, "Y", "N"), "Floor area (m2)": _frame().area,
        "Air-conditioned area (m2)": zh["空调面积(m²)"], "Heated area (m2)": zh["采暖面积(m²)"],
        "Year built": zh["建成年份"], "Floors": zh["地上层数"], "Occupants": zh["使用人数"],
        "Operating hours (h/a)": zh["年运行时间(h)"], "Benchmark class": zh["能耗基准分类"],
    })


def _monthly(year: int) -> pd.DataFrame:
    rng = np.random.default_rng(year)
    b = _frame()
    rows = []
    for month in range(1, 13):
        cooling = 1.3 if month in (6, 7, 8) else 1.0
        for item in b.itertuples(index=False):
            rows.append({"code": item.code, "month": month,
                         "kwh": round(item.area * 90 / 12 * cooling * rng.uniform(0.9, 1.1), 0),
                         "gas_m3": round(item.area * 1.5 / 12 * rng.uniform(0.8, 1.2), 0),
                         "heat_gj": round(item.area * 0.3 / 5 * rng.uniform(0.9, 1.1), 1) if item.north and month in (1, 2, 3, 11, 12) else None})
    return pd.DataFrame(rows)


def consumption_long_en(year: int = 2008) -> pd.DataFrame:
    """Long layout, English headers: one row per building, month and carrier."""
    m = _monthly(year)
    parts = [
        pd.DataFrame({"Building code": m.code, "Period": [f"{year}-{x:02d}" for x in m.month], "Carrier": "electricity",
                      "Quantity": m.kwh, "Unit": "kWh"}),
        pd.DataFrame({"Building code": m.code, "Period": [f"{year}-{x:02d}" for x in m.month], "Carrier": "natural gas",
                      "Quantity": m.gas_m3, "Unit": "m3"}),
    ]
    heat = m[m.heat_gj.notna()]
    parts.append(pd.DataFrame({"Building code": heat.code, "Period": [f"{year}-{x:02d}" for x in heat.month],
                               "Carrier": "district heat", "Quantity": heat.heat_gj, "Unit": "GJ"}))
    return pd.concat(parts, ignore_index=True)


def consumption_wide_zh(year: int = 2007) -> pd.DataFrame:
    """Wide layout, Chinese headers, units in the headers, a totals row at the end."""
    m = _monthly(year)
    frame = pd.DataFrame({
        "建筑编码": m.code, "统计期": [f"{year}年{x}月" for x in m.month],
        "用电量(万kWh)": (m.kwh / 10_000).round(4), "天然气(立方米)": m.gas_m3, "集中供热(GJ)": m.heat_gj,
    })
    total = pd.DataFrame({"建筑编码": ["合计"], "统计期": [""], "用电量(万kWh)": [frame["用电量(万kWh)"].sum().round(4)],
                          "天然气(立方米)": [round(frame["天然气(立方米)"].sum(), 1)], "集中供热(GJ)": [round(frame["集中供热(GJ)"].sum(), 1)]})
    return pd.concat([frame, total], ignore_index=True)


def consumption_annual_zh(year: int = 2006) -> pd.DataFrame:
    """Annual figures, long layout, Chinese headers and Chinese unit names."""
    b = _frame()
    return pd.DataFrame({
        "建筑编码": list(b.code) * 2, "年份": year, "能源种类": ["电力"] * len(b) + ["天然气"] * len(b),
        "用量": list((b.area * 95 / 10_000).round(2)) + list((b.area * 1.4).round(0)),
        "单位": ["万千瓦时"] * len(b) + ["立方米"] * len(b),
    })


def consumption_hourly_en(year: int = 2009) -> pd.DataFrame:
    """Hourly meter-system export of two buildings for January and February: timestamps, kWh per hour."""
    b = _frame().head(2)
    hours = pd.date_range(f"{year}-01-01", f"{year}-03-01", freq="h", inclusive="left")
    frames = []
    for code, area in zip(b.code, b.area, strict=True):
        base = area * 100 / 8760  # about 100 kWh/(m²·a), higher in working hours
        profile = [1.6 if 8 <= h.hour < 19 and h.dayofweek < 5 else 0.6 for h in hours]
        frames.append(pd.DataFrame({"Building code": code, "Timestamp": hours.strftime("%Y-%m-%d %H:%M"),
                                    "Electricity (kWh)": [round(base * p, 1) for p in profile]}))
    return pd.concat(frames, ignore_index=True)


def write_samples(directory: Path = SAMPLES_DIR) -> list[Path]:
    """Write every sample file; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []

    def save(frame: pd.DataFrame, name: str, encoding: str = "utf-8") -> None:
        path = directory / name
        if name.endswith(".xlsx"):
            frame.to_excel(path, index=False, sheet_name="buildings")
        else:
            frame.to_csv(path, index=False, encoding=encoding, lineterminator="\r\n" if encoding == "gbk" else "\n")
        written.append(path)

    save(buildings_zh(), "buildings_zh_utf8.csv", "utf-8-sig")
    save(buildings_en(), "buildings_en.xlsx")
    save(consumption_long_en(), "consumption_long_en_utf8.csv")
    save(consumption_wide_zh(), "consumption_wide_zh_gbk.csv", "gbk")
    save(consumption_annual_zh(), "consumption_annual_zh_utf8.csv")
    save(consumption_hourly_en(), "consumption_hourly_en_utf8.csv")
    return written
