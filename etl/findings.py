"""Findings of an import (one table of codes with Chinese and English messages) and the report."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

ERROR, WARNING, NOTICE = "error", "warning", "notice"

# code -> (severity, Chinese template, English template); templates use str.format(**params).
MESSAGES: dict[str, tuple[str, str, str]] = {
    # the file as a whole
    "FILE_EMPTY": (ERROR, "文件为空。", "The file is empty."),
    "FILE_BINARY": (ERROR, "文件不是文本表格（CSV）或 XLSX 工作簿。", "The file is neither a text table (CSV) nor an XLSX workbook."),
    "FILE_XLS_UNSUPPORTED": (ERROR, "不支持旧版 .xls 格式，请另存为 .xlsx 或 CSV。", "Legacy .xls is not supported; save as .xlsx or CSV."),
    "FILE_ENCODING": (ERROR, "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030）。", "Unknown text encoding (UTF-8, UTF-8 with BOM and GBK/GB18030 are supported)."),
    "FILE_LINE_TOO_LONG": (ERROR, "第 {row} 行超过 {limit} 字节，文件不是正常的表格。", "Line {row} is longer than {limit} bytes; the file is not a regular table."),
    "FILE_ENCODING_LINE": (ERROR, "第 {row} 行的编码与文件其余部分（{encoding}）不一致，请统一另存为 UTF-8。", "Line {row} is not in the encoding of the rest of the file ({encoding}); save the whole file as UTF-8."),
    "FILE_QUOTE_UNBALANCED": (ERROR, "第 {row} 行的引号没有闭合。", "The quote opened on line {row} is never closed."),
    "FILE_FIELDS_MISMATCH": (ERROR, "第 {row} 行有 {found} 个字段，表头只有 {expected} 列。", "Line {row} has {found} fields; the header has {expected} columns."),
    "FILE_TOO_MANY_ROWS": (ERROR, "文件超过 {limit} 行上限。", "The file has more than {limit} rows (the limit)."),
    "FILE_TOO_MANY_COLUMNS": (ERROR, "文件有 {found} 列，超过 {limit} 列上限。", "The file has {found} columns, more than the limit of {limit}."),
    "FILE_TOO_MANY_CELLS": (ERROR, "工作表超过 {limit} 个单元格上限。", "The worksheet has more than {limit} cells (the limit)."),
    "FILE_XLSX_TOO_LARGE": (ERROR, "XLSX 解压后超过 {limit_mb} MB 上限。", "The XLSX inflates to more than {limit_mb} MB (the limit)."),
    "FILE_XLSX_RATIO": (ERROR, "XLSX 中“{value}”的压缩比超过 {limit} 倍，文件不像正常的工作簿。", "'{value}' in the XLSX is compressed more than {limit} times; this is not a regular workbook."),
    "FILE_UNREADABLE": (ERROR, "无法读取文件：{detail}", "The file cannot be read: {detail}"),
    "FILE_SHEET_MISSING": (ERROR, "工作簿中没有名为“{sheet}”的工作表（现有：{sheets}）。", "The workbook has no sheet named '{sheet}' (it has: {sheets})."),
    "FILE_NO_ROWS": (ERROR, "表头之下没有数据行。", "There are no data rows below the header."),
    "FILE_MISSING_COLUMNS": (ERROR, "缺少必需的列：{columns}。", "Required columns are missing: {columns}."),
    "FILE_MISSING_COLUMNS_CANDIDATES": (ERROR, "缺少必需的列：{columns}。可能的列（置信度）：{candidates}。请在映射中指定。", "Required columns are missing: {columns}. Likely columns (confidence): {candidates}. Name them in a mapping."),
    "FILE_WRONG_KIND": (ERROR, "该文件看起来是“{found}”表，而不是“{expected}”表。", "This file looks like a '{found}' survey, not a '{expected}' survey."),
    "FILE_MAPPING_INVALID": (ERROR, "映射配置无效：{detail}", "The mapping profile is invalid: {detail}"),
    "IMPORT_FAILED": (ERROR, "导入失败，未写入任何数据：{detail}", "The import failed and wrote no data: {detail}"),
    "FILE_DUPLICATE": (NOTICE, "相同内容的文件已于第 {upload_id} 号上传中导入，未做任何更改。", "A file with identical content was already loaded as upload {upload_id}; nothing changed."),
    "FILE_PROFILE_MISFIT": (ERROR, "映射配置与该文件不符：它指定的列（{columns}）文件中都没有。", "The mapping profile does not fit this file: none of the columns it names ({columns}) is in the file."),
    # notices about the layout
    "PROFILE_COLUMN_MISSING": (WARNING, "映射配置指定的列“{value}”在文件中不存在。", "The mapping profile names a column '{value}' that the file does not have."),
    "COLUMN_IGNORED": (NOTICE, "按映射配置忽略列“{value}”。", "Column '{value}' was ignored as the mapping profile says."),
    "HEADER_FUZZY": (NOTICE, "列“{value}”按 {field} 读取，置信度 {confidence}。", "Column '{value}' was read as {field}, confidence {confidence}."),
    "COLUMN_UNKNOWN": (NOTICE, "{count} 个未识别的列已忽略：{value}。", "{count} unknown column(s) ignored: {value}."),
    "FINDINGS_CAPPED": (NOTICE, "“{value}”共 {count} 条，仅列出前 {shown} 条。", "{count} findings '{value}'; only the first {shown} are listed."),
    "TOTAL_ROW_SKIPPED": (NOTICE, "合计行已跳过。", "A totals row was skipped."),
    "HEADER_ROW": (NOTICE, "表头位于第 {row} 行。", "The header is on line {row}."),
    # per-row errors
    "REQUIRED": (ERROR, "必填项“{column}”为空。", "Required field '{column}' is empty."),
    "NOT_A_NUMBER": (ERROR, "“{value}”不是数字。", "'{value}' is not a number."),
    "NOT_FINITE": (ERROR, "数值“{value}”不是有限数。", "'{value}' is not a finite number."),
    "FORMULA_CELL": (ERROR, "单元格是公式“{value}”，请粘贴为数值。", "The cell holds the formula '{value}'; paste it as a value."),
    "NOT_AN_INTEGER": (ERROR, "“{value}”不是整数。", "'{value}' is not a whole number."),
    "OUT_OF_RANGE": (ERROR, "“{column}”的值 {value} 超出允许范围 {range}。", "{column} value {value} is outside the allowed range {range}."),
    "NEGATIVE": (ERROR, "“{column}”不能为负数：{value}。", "{column} cannot be negative: {value}."),
    "ABSURD_QUANTITY": (ERROR, "数量 {value} 大得不合理（超过 {limit}）。", "Quantity {value} is absurdly large (over {limit})."),
    "PERIOD_INVALID": (ERROR, "无法识别的时间“{value}”（可用 2007-03、2007年3月、200703 或 2007）。", "Unrecognised period '{value}' (use 2007-03, 2007年3月, 200703 or 2007)."),
    "MONTH_OUT_OF_RANGE": (ERROR, "月份 {value} 不在 1–12 之间。", "Month {value} is not between 1 and 12."),
    "YEAR_OUT_OF_RANGE": (ERROR, "年份 {value} 不在 {range} 之间。", "Year {value} is not within {range}."),
    "CARRIER_UNKNOWN": (ERROR, "未知的能源品种“{value}”。", "Unknown energy carrier '{value}'."),
    "UNIT_UNKNOWN": (ERROR, "列“{column}”中未知的计量单位“{value}”。", "Unknown unit '{value}' in column '{column}'."),
    "UNIT_DIMENSION": (ERROR, "列“{column}”的单位“{value}”不是{dimension}单位（它量的是 {found}），该列应以 {unit} 计。", "The unit '{value}' of column '{column}' is not a unit of {dimension} (it measures {found}); the column is stored in {unit}."),
    "UNIT_MISMATCH": (ERROR, "单位“{value}”不适用于该能源品种（标准单位 {unit}）。", "Unit '{value}' does not fit this carrier (canonical unit {unit})."),
    "UNIT_NEEDS_DENSITY": (ERROR, "以升计量需要密度（density_kg_per_l）。", "Litres need a density (density_kg_per_l)."),
    "FACTOR_EXTRAPOLATED": (NOTICE, "{year} 年的电力等价值折标系数尚未公布，按最近公布的 {source_year} 年数值计算。", "The {year} generation-method electricity factor is not published yet; the {source_year} value is used."),
    "FACTOR_MISSING": (ERROR, "{year} 年没有“{value}”的折标系数。", "No standard-coal factor for '{value}' in {year}."),
    "SUB_ITEM_INVALID": (ERROR, "分项“{value}”无效（A 照明插座、B 空调、C 动力、D 特殊，仅限电力）。", "Sub-item '{value}' is invalid (A lighting, B HVAC, C power, D special; electricity only)."),
    "BUILDING_UNKNOWN": (ERROR, "建筑编号“{value}”不存在。", "Building code '{value}' does not exist."),
    "BUILDING_OUT_OF_SCOPE": (ERROR, "建筑“{value}”不在您负责的地区 {scope_zh} 内。", "Building '{value}' lies outside your region {scope_en}."),
    "BUILDING_CODE_INVALID": (ERROR, "建筑编号“{value}”格式无效（6 位行政区划代码 + 类别字母 + 序号）。", "Building code '{value}' is malformed (6-digit district code + class letter + sequence)."),
    "BUILDING_CODE_ASSIGNED": (NOTICE, "已分配建筑编号“{value}”（外部编号 {external}）。", "Building code '{value}' was assigned (external ID {external})."),
    "BUILDING_CODE_DISTRICT": (WARNING, "建筑编号“{value}”的前 6 位与行政区划代码 {district} 不一致。", "Building code '{value}' does not start with its district code {district}."),
    "DISTRICT_INVALID": (ERROR, "行政区划代码“{value}”在 GB/T 2260（{year} 版）中不存在。", "District code '{value}' does not exist in GB/T 2260 ({year} revision)."),
    "CLASS_UNKNOWN": (ERROR, "未知的建筑类别“{value}”（A 办公 … H 其他）。", "Unknown building class '{value}' (A office ... H other)."),
    "BOOLEAN_INVALID": (ERROR, "“{value}”不是“是/否”。", "'{value}' is not yes/no."),
    "DUPLICATE_KEY": (ERROR, "与第 {first_row} 行重复（同一建筑、时间、能源品种）。", "Duplicates line {first_row} (same building, period and carrier)."),
    "DUPLICATE_BUILDING": (ERROR, "建筑编号与第 {first_row} 行重复。", "The building code repeats line {first_row}."),
    "INTERVAL_OVERLAP": (ERROR, "读数区间“{value}”与第 {first_row} 行的区间重叠，未计入。", "The reading interval '{value}' overlaps the one on line {first_row}; it was left out."),
    "INTERVAL_DUPLICATE": (ERROR, "读数区间“{value}”与第 {first_row} 行重复，未计入。", "The reading interval '{value}' repeats line {first_row}; it was left out."),
    "INTERVAL_BACKWARDS": (ERROR, "区间结束“{value}”不晚于开始“{start}”。", "The interval end '{value}' is not after its start '{start}'."),
    "INTERVAL_GAP": (WARNING, "{value} 的读数只覆盖该月的 {coverage}%（缺 {hours} 小时），该月按不完整存储，不计为已上报月份。", "Readings cover {coverage}% of {value} ({hours} hours missing); the month is stored as incomplete and not counted as reported."),
    "GRAIN_MIXED": (ERROR, "同一建筑、年份和能源品种在文件中同时有月度和年度数据。", "Monthly and annual figures are mixed for the same building, year and carrier in the file."),
    "GRAIN_CONFLICT": (ERROR, "该建筑 {year} 年的“{value}”已按{grain_zh}数据入库，不能混入{other_zh}数据。", "{value} for this building in {year} is stored as {grain_en} data; {other_en} figures cannot be mixed in."),
    "AREA_INCONSISTENT": (ERROR, "{column} 大于建筑面积。", "{column} is larger than the floor area."),
    "INTENSITY_IMPLAUSIBLE": (WARNING, "单位面积电耗约 {value} kWh/(m²·a)，与 GB/T 51161 约束值 {limit} 相比不合理。", "Electricity intensity of about {value} kWh/(m²·a) is implausible against the GB/T 51161 constraint value {limit}."),
    "SUB_ITEMS_EXCEED_TOTAL": (WARNING, "分项电耗之和 {value} kWh 大于总电耗 {limit} kWh。", "Electricity sub-items add up to {value} kWh, more than the total {limit} kWh."),
    "AUDIT_REJECTED_WITH_ROW": (ERROR, "同一审计（建筑、年份）的第 {first_row} 行有错误，整份审计未导入。", "Line {first_row} of the same audit (building and year) has an error, so the whole audit was not loaded."),
    "MEASURE_INCOMPLETE": (ERROR, "改造措施缺少名称。", "A retrofit measure has no name."),
}


@dataclass
class FindingOut:
    """One data-quality finding as shown to the user."""

    row: int | None
    column: str | None
    value: str | None
    code: str
    severity: str
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        return f"{self.message_zh} / {self.message_en}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "message": self.message}


def _fmt(template: str, params: dict[str, Any]) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def make_finding(code: str, *, row: int | None = None, column: str | None = None, value: Any = None,
                 severity: str | None = None, **params: Any) -> FindingOut:
    """Build a finding from the code table; ``value`` is kept as the raw text the user wrote.

    ``severity`` overrides the table's when what happens to the row differs: a row that loads carries
    warnings, a row that is rejected carries errors.
    """
    default, zh, en = MESSAGES[code]
    severity = severity or default
    text = None if value is None else str(value)
    if text is not None and len(text) > 200:
        text = text[:200] + "…"
    params = {"row": row, "column": column, "value": text, **params}
    return FindingOut(row=row, column=column, value=text, code=code, severity=severity,
                      message_zh=_fmt(zh, params), message_en=_fmt(en, params))


class FindingLog(list):
    """Findings of one run, the first ``per_code`` of each code kept, every one counted."""

    def __init__(self, per_code: int | None = None):
        super().__init__()
        self.per_code = per_code
        self.counts: Counter[str] = Counter()
        self.severities: Counter[str] = Counter()  # findings per severity, kept or not

    def room(self, code: str, n: int, severity: str | None = None) -> int:
        """Count ``n`` new findings of ``code`` (of ``severity``, the code's own by default); how many may be kept."""
        before = self.counts[code]
        self.counts[code] += n
        self.severities[severity or MESSAGES[code][0]] += n
        if self.per_code is None:
            return n
        return max(0, min(n, self.per_code - before))

    def append(self, finding: FindingOut) -> None:  # type: ignore[override]
        if self.room(finding.code, 1, finding.severity):
            super().append(finding)

    def capped(self) -> list[FindingOut]:
        """One notice per code with more findings than were kept."""
        if self.per_code is None:
            return []
        return [make_finding("FINDINGS_CAPPED", value=code, count=n, shown=self.per_code)
                for code, n in sorted(self.counts.items()) if n > self.per_code]


def finding_counts(findings: list[FindingOut]) -> dict[str, int]:
    """Exact findings per code: those listed, or the count a FINDINGS_CAPPED notice gives."""
    counts = Counter(f.code for f in findings if f.code != "FINDINGS_CAPPED")
    for f in findings:
        if f.code == "FINDINGS_CAPPED" and f.value:
            head = f.message_en.split(" ", 1)[0]
            if head.isdigit():
                counts[f.value] = int(head)
    return dict(sorted(counts.items()))


@dataclass
class ImportReport:
    """What an import did: counts, status and every finding."""

    upload_id: int | None
    status: str
    kind: str
    filename: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_changed: int = 0
    warnings: int = 0
    findings: list[FindingOut] = field(default_factory=list)
    content_sha256: str | None = None

    @property
    def file_rejected(self) -> bool:
        if any(f.severity == ERROR and (f.code.startswith("FILE_") or f.code == "IMPORT_FAILED") for f in self.findings):
            return True
        # a file stopped at its header (a required column with an unusable unit, ...) read no rows
        return self.status == "rejected" and self.rows_read == 0 and any(f.severity == ERROR for f in self.findings)

    @property
    def message_zh(self) -> str:
        return (f"读取 {self.rows_read} 行，接受 {self.rows_accepted} 行，拒绝 {self.rows_rejected} 行，"
                f"变更 {self.rows_changed} 条记录，警告 {self.warnings} 条。")

    @property
    def message_en(self) -> str:
        return (f"{self.rows_read} rows read, {self.rows_accepted} accepted, {self.rows_rejected} rejected, "
                f"{self.rows_changed} records changed, {self.warnings} warnings.")

    def to_dict(self) -> dict[str, Any]:
        return {
            "upload_id": self.upload_id,
            "status": self.status,
            "kind": self.kind,
            "filename": self.filename,
            "content_sha256": self.content_sha256,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "rows_changed": self.rows_changed,
            "warnings": self.warnings,
            "file_rejected": self.file_rejected,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "message": f"{self.message_zh} / {self.message_en}",
            "finding_counts": finding_counts(self.findings),
            "findings": [f.to_dict() for f in self.findings],
        }


class FileRejected(Exception):
    """The file as a whole cannot be imported; carries the finding that says why."""

    def __init__(self, finding: FindingOut):
        super().__init__(finding.message_en)
        self.finding = finding
