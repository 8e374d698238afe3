"""How the dashboards name import findings for people: a short label per code, the severity, and what is accepted.

The full messages (with the row's values) live in ``etl.findings.MESSAGES``; this module only adds the words a
chart axis or a table column needs, and for each rejection what the field accepts, in Chinese and English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from app.domain.units import NON_ENERGY_CATEGORY
from dashboards.i18n import unit_label

SEVERITY = {"error": ("错误（已拒绝）", "Error (rejected)"), "warning": ("警告（已导入）", "Warning (loaded)"),
            "notice": ("提示", "Notice")}

LABELS: dict[str, tuple[str, str]] = {
    "FILE_EMPTY": ("文件为空", "Empty file"),
    "FILE_BINARY": ("不是表格文件", "Not a table file"),
    "FILE_XLS_UNSUPPORTED": ("旧版 .xls 格式", "Legacy .xls format"),
    "FILE_ENCODING": ("无法识别编码", "Unknown encoding"),
    "FILE_LINE_TOO_LONG": ("行过长", "Line too long"),
    "FILE_UNREADABLE": ("文件无法读取", "Unreadable file"),
    "FILE_SHEET_MISSING": ("工作表不存在", "Sheet missing"),
    "FILE_NO_ROWS": ("没有数据行", "No data rows"),
    "FILE_MISSING_COLUMNS": ("缺少必需列", "Required columns missing"),
    "FILE_WRONG_KIND": ("表格类型不符", "Wrong kind of table"),
    "FILE_MAPPING_INVALID": ("映射配置无效", "Invalid mapping"),
    "IMPORT_FAILED": ("导入失败", "Import failed"),
    "FILE_DUPLICATE": ("重复上传", "Duplicate upload"),
    "COLUMN_UNKNOWN": ("未识别的列", "Unknown column"),
    "FILE_ENCODING_LINE": ("某行编码不一致", "Mixed encodings"),
    "FILE_QUOTE_UNBALANCED": ("引号未闭合", "Unbalanced quote"),
    "FILE_FIELDS_MISMATCH": ("字段数与表头不符", "Field count differs from header"),
    "FILE_TOO_MANY_ROWS": ("行数超过上限", "Too many rows"),
    "FILE_TOO_MANY_COLUMNS": ("列数超过上限", "Too many columns"),
    "FILE_TOO_MANY_CELLS": ("单元格数超过上限", "Too many cells"),
    "FILE_XLSX_TOO_LARGE": ("解压后过大", "Inflates too large"),
    "FILE_XLSX_RATIO": ("压缩比异常", "Suspicious compression"),
    "FINDINGS_CAPPED": ("同类问题仅列出部分", "Findings capped"),
    "FACTOR_EXTRAPOLATED": ("沿用最近公布的折标系数", "Latest published factor used"),
    "TOTAL_ROW_SKIPPED": ("合计行已跳过", "Totals row skipped"),
    "HEADER_ROW": ("表头位置", "Header row"),
    "REQUIRED": ("必填项为空", "Required value missing"),
    "NOT_A_NUMBER": ("不是数字", "Not a number"),
    "NOT_FINITE": ("不是有限数", "Not a finite number"),
    "FORMULA_CELL": ("公式单元格", "Formula cell"),
    "NOT_AN_INTEGER": ("不是整数", "Not an integer"),
    "OUT_OF_RANGE": ("超出范围", "Out of range"),
    "NEGATIVE": ("负数", "Negative value"),
    "ABSURD_QUANTITY": ("数量大得不合理", "Implausibly large quantity"),
    "PERIOD_INVALID": ("无法识别的时间", "Unreadable period"),
    "MONTH_OUT_OF_RANGE": ("月份无效", "Invalid month"),
    "YEAR_OUT_OF_RANGE": ("年份超出范围", "Year out of range"),
    "CARRIER_UNKNOWN": ("未知能源品种", "Unknown carrier"),
    "UNIT_UNKNOWN": ("未知计量单位", "Unknown unit"),
    "UNIT_MISMATCH": ("单位与能源品种不符", "Unit does not fit carrier"),
    "UNIT_NEEDS_DENSITY": ("缺少密度", "Density needed"),
    "FACTOR_MISSING": ("缺少折标系数", "Conversion factor missing"),
    "SUB_ITEM_INVALID": ("分项无效", "Invalid sub-item"),
    "BUILDING_UNKNOWN": ("建筑编号不存在", "Unknown building"),
    "BUILDING_OUT_OF_SCOPE": ("建筑不在本地区", "Building outside your region"),
    "BUILDING_CODE_INVALID": ("建筑编号格式无效", "Invalid building code"),
    "BUILDING_CODE_DISTRICT": ("编号与区划不一致", "Code and district differ"),
    "DISTRICT_INVALID": ("行政区划代码无效", "Invalid district code"),
    "CLASS_UNKNOWN": ("未知建筑类别", "Unknown building class"),
    "BOOLEAN_INVALID": ("不是“是/否”", "Not yes/no"),
    "DUPLICATE_KEY": ("重复记录", "Duplicate record"),
    "DUPLICATE_BUILDING": ("重复建筑", "Duplicate building"),
    "GRAIN_MIXED": ("月度与年度混用", "Monthly and annual mixed"),
    "GRAIN_CONFLICT": ("与已入库粒度冲突", "Conflicts with stored grain"),
    "AREA_INCONSISTENT": ("面积不一致", "Inconsistent areas"),
    "INTENSITY_IMPLAUSIBLE": ("电耗强度不合理", "Implausible intensity"),
    "SUB_ITEMS_EXCEED_TOTAL": ("分项大于总量", "Sub-items exceed total"),
    "MEASURE_INCOMPLETE": ("改造措施不完整", "Incomplete measure"),
    # mapping profiles and headers
    "FILE_MISSING_COLUMNS_CANDIDATES": ("缺少必需列（有候选列）", "Required columns missing (candidates named)"),
    "FILE_PROFILE_MISFIT": ("映射配置与文件不符", "Mapping does not fit the file"),
    "PROFILE_COLUMN_MISSING": ("映射指定的列不存在", "Mapped column missing"),
    "COLUMN_IGNORED": ("按映射忽略的列", "Column ignored by the mapping"),
    "HEADER_FUZZY": ("表头近似匹配", "Header matched approximately"),
    "UNIT_DIMENSION": ("单位量纲不符", "Unit of another dimension"),
    "BUILDING_CODE_ASSIGNED": ("已分配建筑编号", "Building code assigned"),
    # interval readings and audits
    "INTERVAL_BACKWARDS": ("区间结束早于开始", "Interval ends before it starts"),
    "INTERVAL_DUPLICATE": ("重复的读数区间", "Repeated reading interval"),
    "INTERVAL_OVERLAP": ("读数区间重叠", "Overlapping reading intervals"),
    "INTERVAL_GAP": ("读数未覆盖整月", "Readings do not cover the month"),
    "AUDIT_REJECTED_WITH_ROW": ("同一审计有错误行", "Audit rejected with another row"),
}

# What a field accepts, for every code that rejects a row or a file (codes listed in DYNAMIC are built from
# the reference tables instead).
ACCEPTED: dict[str, tuple[str, str]] = {
    "FILE_EMPTY": ("有表头和数据行的 CSV 或 XLSX 文件", "a CSV or XLSX file with a header and data rows"),
    "FILE_ENCODING_LINE": ("整个文件使用同一种编码（建议 UTF-8）", "one encoding for the whole file (UTF-8 is best)"),
    "FILE_QUOTE_UNBALANCED": ("成对的引号", "quotes that open and close on the same record"),
    "FILE_FIELDS_MISMATCH": ("每行字段数与表头相同", "as many fields on each line as header columns"),
    "FILE_TOO_MANY_ROWS": ("不超过上限行数的文件（可分多个文件上传）", "files within the row limit (split the upload)"),
    "FILE_TOO_MANY_COLUMNS": ("不超过上限列数的表格", "tables within the column limit"),
    "FILE_TOO_MANY_CELLS": ("不超过单元格上限的工作表", "sheets within the cell limit"),
    "FILE_XLSX_TOO_LARGE": ("解压后不超过上限的 XLSX，或改用 CSV", "an XLSX within the size limit once inflated, or a CSV"),
    "FILE_XLSX_RATIO": ("正常保存的 Excel 工作簿", "a workbook saved normally by a spreadsheet program"),
    "FILE_BINARY": ("CSV 文本表格或 XLSX 工作簿", "a CSV text table or an XLSX workbook"),
    "FILE_XLS_UNSUPPORTED": (".xlsx 或 .csv（在 Excel 中另存为）", ".xlsx or .csv (Save As in Excel)"),
    "FILE_ENCODING": ("UTF-8、带 BOM 的 UTF-8、GBK/GB18030", "UTF-8, UTF-8 with BOM, GBK/GB18030"),
    "FILE_LINE_TOO_LONG": ("每行一条记录的表格", "a table with one record per line"),
    "FILE_UNREADABLE": ("可打开的 CSV 或 XLSX 文件", "a CSV or XLSX file that opens"),
    "FILE_SHEET_MISSING": ("工作簿中已有的工作表名", "the name of a sheet in the workbook"),
    "FILE_NO_ROWS": ("表头下至少一行数据", "at least one data row under the header"),
    "FILE_MISSING_COLUMNS": ("包含全部必需列（中文或英文表头均可）", "every required column (Chinese or English headers)"),
    "FILE_WRONG_KIND": ("与所选类型一致的调查表", "a survey of the kind chosen"),
    "FILE_MAPPING_INVALID": ("YAML/JSON 映射：header_row、fields、wide、values",
                             "a YAML/JSON mapping: header_row, fields, wide, values"),
    "IMPORT_FAILED": ("修正后重新上传同一文件", "the same file again once corrected"),
    "REQUIRED": ("非空值", "a value"),
    "NOT_A_NUMBER": ("数字，如 1234.5、1,234.5 或全角数字", "a number such as 1234.5, 1,234.5 or full-width digits"),
    "NOT_FINITE": ("有限的数字（不是 NaN 或 inf）", "a finite number (not NaN or inf)"),
    "FORMULA_CELL": ("数值（粘贴为数值）", "a value (paste as values)"),
    "NOT_AN_INTEGER": ("整数，如 2007", "a whole number such as 2007"),
    "OUT_OF_RANGE": ("消息中给出的范围内的值", "a value inside the range the message names"),
    "NEGATIVE": ("0 或正数", "zero or a positive number"),
    "ABSURD_QUANTITY": ("实际计量的数量（检查单位）", "a quantity as metered (check the unit)"),
    "PERIOD_INVALID": ("2007-03、2007年3月、200703、2007（全年）或日期", "2007-03, 2007年3月, 200703, 2007 (whole year) or a date"),
    "MONTH_OUT_OF_RANGE": ("月份 1–12", "months 1–12"),
    "YEAR_OUT_OF_RANGE": ("消息中给出的年份范围", "a year inside the range the message names"),
    "UNIT_NEEDS_DENSITY": ("千克或吨，或给出密度列 density_kg_per_l", "kg or t, or a density_kg_per_l column"),
    "FACTOR_MISSING": ("有折标系数的年份（见参考数据 conversion_factors）", "a year with a conversion factor (reference data)"),
    "SUB_ITEM_INVALID": ("A 照明插座、B 空调、C 动力、D 特殊（仅电力）",
                         "A lighting and sockets, B HVAC, C power, D special (electricity only)"),
    "BUILDING_UNKNOWN": ("已登记的建筑编号（先导入建筑表）", "a registered building code (import the buildings first)"),
    "BUILDING_OUT_OF_SCOPE": ("您负责地区内的建筑", "a building inside your region"),
    "BUILDING_CODE_INVALID": ("6 位行政区划代码 + 类别字母 + 序号，如 110105A001",
                              "6-digit district code + class letter + number, e.g. 110105A001"),
    "DISTRICT_INVALID": ("调查年份 GB/T 2260 中的 6 位区县代码", "a 6-digit GB/T 2260 district code of the survey year"),
    "BOOLEAN_INVALID": ("是/否、yes/no、true/false、1/0", "是/否, yes/no, true/false, 1/0"),
    "DUPLICATE_KEY": ("每个建筑、时间、能源品种只有一行", "one row per building, period and carrier"),
    "DUPLICATE_BUILDING": ("每个建筑编号只有一行", "one row per building code"),
    "GRAIN_MIXED": ("同一建筑、年份、能源品种只用月度或只用年度数据",
                    "monthly or annual figures, not both, per building, year and carrier"),
    "GRAIN_CONFLICT": ("与已入库数据相同的粒度（月度或年度）", "the grain already stored (monthly or annual)"),
    "AREA_INCONSISTENT": ("不大于建筑面积的空调/采暖面积", "air-conditioned and heated areas no larger than the floor area"),
    "MEASURE_INCOMPLETE": ("有名称的改造措施", "a measure with a name"),
    "FILE_MISSING_COLUMNS_CANDIDATES": ("全部必需列，或在映射中指定候选列", "every required column, or a mapping naming the likely ones"),
    "FILE_PROFILE_MISFIT": ("与文件表头相符的映射配置", "a mapping profile whose columns are in the file"),
    "UNIT_DIMENSION": ("该列所计量纲的单位（消息中给出）", "a unit of the dimension the message names"),
    "INTERVAL_BACKWARDS": ("结束晚于开始的读数区间", "an interval that ends after it starts"),
    "INTERVAL_DUPLICATE": ("每个读数区间只有一行", "one row per reading interval"),
    "INTERVAL_OVERLAP": ("互不重叠的读数区间", "reading intervals that do not overlap"),
    "AUDIT_REJECTED_WITH_ROW": ("同一审计的每一行都无错误", "every row of the same audit free of errors"),
}
DYNAMIC = ("CARRIER_UNKNOWN", "UNIT_UNKNOWN", "UNIT_MISMATCH", "CLASS_UNKNOWN")


def label(code: str, lang: str) -> str:
    """The short name of a finding code ('Unknown unit'); the code itself when it has none."""
    pair = LABELS.get(code)
    return code if pair is None else pair[1 if lang == "en" else 0]


def severity(value: str | None, lang: str) -> str:
    pair = SEVERITY.get(value or "")
    return (value or "") if pair is None else pair[1 if lang == "en" else 0]


def accepted_units(units: pd.DataFrame, carriers: pd.DataFrame, names: Mapping[str, tuple[str, str]],
                   lang: str) -> str:
    """'电力：kWh、MWh、万kWh；天然气、焦炉煤气：m³、万m³；…' from the units and carriers reference tables.

    units: code, dimension; carriers: code, canonical_unit, density_kg_per_l[, category]. A carrier that is a
    quantity only (water, category 02) is named apart from the energy carriers that share its units.
    """
    dimension_of = dict(zip(units["code"], units["dimension"], strict=True))
    by_dimension = units.groupby("dimension", sort=False)["code"].apply(list).to_dict()
    categories = carriers["category"] if "category" in carriers else pd.Series(None, index=carriers.index)
    groups: dict[tuple[tuple[str, ...], bool], list[str]] = {}
    for code, canonical, density, category in zip(carriers["code"], carriers["canonical_unit"],
                                                  carriers["density_kg_per_l"], categories, strict=True):
        accepted = list(by_dimension.get(dimension_of.get(canonical), [canonical]))
        if pd.notna(density) and "L" not in accepted:
            accepted.append("L")
        name = names.get(code, (code, code))[1 if lang == "en" else 0]
        groups.setdefault((tuple(accepted), category == NON_ENERGY_CATEGORY), []).append(name)
    sep, colon, comma = ("; ", ": ", ", ") if lang == "en" else ("；", "：", "、")
    return sep.join(f"{comma.join(carrier_names)}{colon}{comma.join(_unit_text(u, lang) for u in accepted)}"
                    for (accepted, _quantity_only), carrier_names in groups.items())


def _unit_text(code: str, lang: str) -> str:
    if code.startswith("10k_"):
        return ("10k " if lang == "en" else "万") + unit_label(code.removeprefix("10k_"))
    return unit_label(code)


def accepted(code: str, lang: str, *, carriers: Iterable[str] = (), units: str = "", classes: Iterable[str] = ()) -> str:
    """What the field of a rejected row accepts; '' for findings that reject nothing."""
    sep = ", " if lang == "en" else "、"
    if code == "CARRIER_UNKNOWN":
        return sep.join(carriers)
    if code in ("UNIT_UNKNOWN", "UNIT_MISMATCH"):
        return units
    if code == "CLASS_UNKNOWN":
        return sep.join(classes)
    pair = ACCEPTED.get(code)
    return "" if pair is None else pair[1 if lang == "en" else 0]
