"""User-facing text in Chinese (default) and English, and number formatting."""

from __future__ import annotations

import math
from typing import Literal

from app.domain.comparison import LABELS

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"
LANG_COOKIE = "jieneng_lang"

TEXT: dict[str, tuple[str, str]] = {
    # shell
    "app.title": ("建筑能效监测平台", "Building Energy-Efficiency Monitoring"),
    "app.subtitle": ("国家机关办公建筑和大型公共建筑节能监管", "Government office and large public buildings"),
    "nav.overview": ("全国概览", "National overview"),
    "nav.region": ("地区", "Region"),
    "nav.building": ("建筑", "Building"),
    "nav.targets": ("节能目标", "Targets"),
    "nav.quality": ("数据质量", "Data quality"),
    "nav.upload": ("数据上传", "Upload"),
    "nav.reports": ("年度报告", "Reports"),
    "nav.logout": ("退出", "Sign out"),
    "nav.lang": ("English", "中文"),
    "role.admin": ("管理员", "Administrator"),
    "role.official": ("主管部门", "Official"),
    "role.auditor": ("审计员", "Auditor"),
    "scope.national": ("全国", "National"),
    "a11y.skip": ("跳到主要内容", "Skip to main content"),
    "a11y.nav": ("主导航", "Main navigation"),
    "a11y.account": ("账户与语言", "Account and language"),
    # filters
    "filter.year": ("年份", "Year"),
    "filter.region": ("地区", "Region"),
    "filter.class": ("建筑类型", "Building class"),
    "filter.government": ("仅国家机关办公建筑", "Government offices only"),
    "filter.method": ("折标方法", "Conversion method"),
    "filter.all_classes": ("全部类型", "All classes"),
    "filter.colour_by": ("地图着色", "Colour map by"),
    "method.calorific": ("当量值", "Calorific equivalent"),
    "method.generation": ("等价值", "Generation equivalent"),
    # KPIs
    "kpi.buildings": ("上报建筑", "Buildings reporting"),
    "kpi.buildings_of": ("共 {total} 栋登记", "of {total} registered"),
    "kpi.energy": LABELS["complete_year_total"],
    "kpi.all_reported": ("{label} {value} tce", "{label} {value} tce"),
    "label.all_reported": LABELS["all_reported_total"],
    "kpi.intensity": ("平均单位面积能耗", "Average energy intensity"),
    "kpi.saving": ("累计节能量（可比口径）", "Saving so far (like-for-like)"),
    "kpi.saving_of": ("可比口径目标 {target} tce 的 {pct}", "{pct} of the {target} tce target on the basis"),
    "kpi.complete": ("数据完整", "Complete"),
    "kpi.area": ("建筑面积", "Floor area"),
    "kpi.score": ("考核得分", "Assessment score"),
    "kpi.grade": ("等级", "Grade"),
    "kpi.no_target": ("尚未分解目标", "No target decomposed yet"),
    "kpi.incomplete": ("本年数据不完整，暂不对标", "Year incomplete; not benchmarked"),
    # units
    "unit.tce": ("吨标准煤", "tce"),
    "unit.kgce_m2": ("kgce/(m²·a)", "kgce/(m²·a)"),
    "unit.kwh_m2": ("kWh/(m²·a)", "kWh/(m²·a)"),
    "unit.m2": ("m²", "m²"),
    "unit.buildings": ("栋", "buildings"),
    "unit.rows": ("行", "rows"),
    "map.south_china_sea": ("南海诸岛", "South China Sea Islands"),
    "unit.percent": ("%", "%"),
    # charts
    "chart.progress_rank": ("示范地区节能目标完成进度", "Demonstration regions by progress towards target"),
    "chart.map": ("示范地区分布", "Demonstration regions"),
    "chart.national_trend": ("逐月能耗与基准年对比", "Monthly energy against the baseline year"),
    "chart.region_trend": ("分能源品种逐月能耗", "Monthly energy by carrier"),
    "chart.by_class": ("按建筑类型", "By building class"),
    "chart.by_owner": ("国家机关与大型公共建筑", "Government offices and large public buildings"),
    "chart.distribution": ("单位面积能耗分布与 GB/T 51161 约束值、引导值", "Energy intensity by class with GB/T 51161 constraint and guide values"),
    "chart.target_path": ("目标路径与实际", "Target path against actual"),
    "chart.assessment": ("考核评价得分", "Assessment score"),
    "chart.building_monthly": ("逐月能耗（按年对比）", "Monthly consumption, year over year"),
    "chart.sub_items": ("电耗分项", "Electricity sub-items"),
    "chart.benchmark": ("能耗指标对标", "Benchmark position"),
    "chart.uploads": ("上传记录（按日）", "Uploads over time"),
    "chart.completeness": ("数据完整率（地区 × 月份）", "Completeness, region × month"),
    "chart.findings": ("最常见的问题代码", "Most frequent finding codes"),
    "axis.month": ("月份", "Month"),
    "axis.year": ("年份", "Year"),
    "axis.energy_tce": ("能耗（吨标准煤）", "Energy (tce)"),
    "axis.progress_pct": ("目标完成率（%）", "Target reached (%)"),
    "axis.intensity_kwh": ("单位面积能耗 kWh/(m²·a)", "Energy intensity kWh/(m²·a)"),
    "axis.intensity_kgce": ("单位面积能耗 kgce/(m²·a)", "Energy intensity kgce/(m²·a)"),
    "axis.rows": ("行数", "Rows"),
    "axis.count": ("次数", "Count"),
    "axis.score": ("得分", "Points"),
    "axis.quantity_kwh": ("电量 kWh", "Electricity kWh"),
    "axis.region": ("地区", "Region"),
    "axis.date": ("日期", "Date"),
    "legend.actual": ("实际", "Actual"),
    "legend.baseline": ("基准年 {year}", "Baseline {year}"),
    "legend.path": ("目标路径", "Target path"),
    "legend.milestone": ("本年里程碑", "Milestone this year"),
    "legend.constraint": ("约束值", "Constraint"),
    "legend.guide": ("引导值", "Guide"),
    "legend.accepted": ("接受", "Accepted"),
    "legend.rejected": ("拒绝", "Rejected"),
    "legend.government": ("国家机关办公建筑", "Government offices"),
    "legend.large_public": ("大型公共建筑", "Large public buildings"),
    "legend.other": ("其他", "Other"),
    "legend.score_max": ("满分", "Maximum"),
    "legend.building": ("本建筑", "This building"),
    "colour.progress": ("目标完成率", "Progress"),
    "colour.intensity": ("单位面积能耗", "Intensity"),
    "status.on_track": ("进度正常", "On track"),
    "status.at_risk": ("存在风险", "At risk"),
    "status.off_track": ("进度滞后", "Off track"),
    "status.insufficient_basis": ("可比口径不足", "Basis too small"),
    "status.better_than_guide": ("优于引导值", "Better than guide"),
    "status.between": ("介于引导值与约束值之间", "Between guide and constraint"),
    "status.above_constraint": ("超过约束值", "Above constraint"),
    "status.no_benchmark": ("无对标值", "No benchmark"),
    "status.not_covered": ("标准未覆盖", "Not covered by GB/T 51161"),
    # tables
    "col.rank": ("排名", "Rank"),
    "col.region": ("地区", "Region"),
    "col.code": ("编码", "Code"),
    "col.name": ("名称", "Name"),
    "col.class": ("类型", "Class"),
    "col.government": ("国家机关", "Government"),
    "col.floor_area_m2": ("建筑面积 m²", "Floor area m²"),
    "col.energy_tce": ("能耗 tce", "Energy tce"),
    "col.intensity_kgce_m2": ("单位面积能耗 kgce/m²", "Intensity kgce/m²"),
    "col.intensity_kwh_m2": ("单位面积能耗 kWh/m²", "Intensity kWh/m²"),
    "col.constraint_kwh_m2": ("约束值 kWh/m²", "Constraint kWh/m²"),
    "col.benchmark_status": ("对标结果", "Benchmark status"),
    "col.progress_pct": ("完成率 %", "Progress %"),
    "col.milestone_tce": ("本年里程碑 tce", "Milestone tce"),
    "col.saving_tce": ("节能量 tce", "Saving tce"),
    "col.target_tce": ("目标节能量 tce", "Target saving tce"),
    "col.basis": LABELS["basis"],
    "col.baseline_tce": ("基准能耗 tce", "Baseline tce"),
    "col.cut_percent": ("下降率 %", "Cut %"),
    "col.status": ("状态", "Status"),
    "col.level": ("层级", "Level"),
    "col.method": ("分解方法", "Method"),
    "col.years": ("基准年–目标年", "Baseline–target year"),
    "col.file": ("文件", "File"),
    "col.kind": ("类型", "Kind"),
    "col.uploaded_at": ("上传时间", "Uploaded at"),
    "col.uploaded_by": ("上传人", "Uploaded by"),
    "col.rows_read": ("读取行", "Rows read"),
    "col.rows_accepted": ("接受", "Accepted"),
    "col.rows_rejected": ("拒绝", "Rejected"),
    "col.warnings": ("警告", "Warnings"),
    "col.report": ("报告", "Report"),
    "col.row": ("行", "Row"),
    "col.column": ("列", "Column"),
    "col.value": ("值", "Value"),
    "col.finding": ("问题代码", "Finding"),
    "col.severity": ("级别", "Severity"),
    "col.message": ("说明", "Message"),
    "col.accepted": ("可接受的值", "Accepted"),
    "col.rows_changed": ("新增或更新记录", "Records added or updated"),
    "col.building": ("建筑编号", "Building"),
    "col.sub_item": ("分项", "Sub-item"),
    "col.old_attributes": ("原属性", "Former attributes"),
    "col.year": ("年份", "Year"),
    "col.carrier": ("能源品种", "Carrier"),
    "col.month": ("月份", "Month"),
    "col.old_value": ("原值", "Old value"),
    "col.new_value": ("现值", "Current value"),
    "col.changed_at": ("变更时间", "Changed at"),
    "col.measure": ("改造措施", "Measure"),
    "col.investment": ("投资（万元）", "Investment (10k CNY)"),
    "col.saving_tce_a": ("预计节能 tce/a", "Expected saving tce/a"),
    "col.payback": ("回收期（年）", "Payback (years)"),
    "col.auditor": ("审计单位", "Auditor"),
    "col.audit_year": ("审计年份", "Audit year"),
    "col.score": ("得分", "Points"),
    "col.max_score": ("满分", "Maximum"),
    "col.explanation": ("说明", "Explanation"),
    "col.count": ("次数", "Count"),
    # sections
    "section.largest": ("能耗最大的建筑", "Largest consumers"),
    "section.worst": ("能效最差的建筑", "Worst performers"),
    "section.assessment": ("考核评价", "Assessment"),
    "section.audits": ("能源审计与改造措施", "Audits and retrofit measures"),
    "section.uploads_supplied": ("数据来源（上传记录）", "Uploads that supplied its data"),
    "section.history": ("数值变更历史", "History of changed values"),
    "section.decomposition": ("目标分解", "Target decomposition"),
    "section.whatif": ("分解方案预览", "What-if preview"),
    "section.upload_list": ("上传记录", "Uploads"),
    "section.upload_report": ("导入报告", "Import report"),
    "section.rejected_rows": ("被拒绝的行及原因", "Rejected rows and reasons"),
    "section.report_download": ("下载年度报告", "Download the annual report"),
    "section.building_info": ("建筑信息", "Building"),
    # targets
    "targets.method": ("分解方法", "Decomposition method"),
    "targets.method.baseline": ("按基准能耗比例", "Share of baseline use"),
    "targets.method.potential": ("按节能潜力比例", "Share of saving potential"),
    "targets.method.equal": ("等比例下降", "Equal rate"),
    "targets.method.weights": ("自定义权重", "Custom weights"),
    "targets.method.mix": ("加权组合", "Weighted mix"),
    "targets.preview": ("预览", "Preview"),
    "targets.apply": ("应用该方案", "Apply this decomposition"),
    "targets.applied": ("已保存新的目标分解（编号 {id}）", "Saved the new decomposition (id {id})"),
    "targets.admin_only": ("仅管理员可以应用分解方案", "Only an administrator can apply a decomposition"),
    "targets.none": ("尚无目标分解。管理员可在下方预览并应用一个方案。", "No target has been decomposed yet. An administrator can preview and apply one below."),
    "targets.saving_tce": ("目标节能量（tce）", "Target saving (tce)"),
    "targets.cut_percent": ("或下降率（%）", "or cut (%)"),
    "targets.baseline_year": ("基准年", "Baseline year"),
    "targets.target_year": ("目标年", "Target year"),
    "targets.diff": ("与现行方案之差 tce", "Difference from the current plan tce"),
    # upload
    "upload.drop": ("将文件拖放到此处，或点击选择文件", "Drag and drop a file here, or click to choose"),
    "upload.kind": ("数据类型", "Kind of data"),
    "upload.kind.buildings": ("建筑基本信息", "Buildings"),
    "upload.kind.consumption": ("能耗数据", "Consumption"),
    "upload.kind.audits": ("能源审计", "Audits"),
    "upload.profile": ("字段映射（可选，YAML/JSON）", "Mapping profile (optional, YAML/JSON)"),
    "upload.profile_drop": ("拖放映射文件", "Drop a mapping file"),
    "upload.all_or_nothing": ("有任何错误则整批不导入", "Load nothing if any row is rejected"),
    "upload.dry_run": ("仅校验，不写入", "Validate only, write nothing"),
    "upload.start": ("开始导入", "Import"),
    "upload.processing": ("正在导入，请稍候 …", "Importing, please wait …"),
    "upload.progress": ("已读取 {done} / {total} 行（{share}%）", "{done} of {total} rows read ({share} %)"),
    "upload.writing": ("已读取全部 {total} 行，正在写入数据库 …", "All {total} rows read, writing to the database …"),
    "upload.no_file": ("请先选择文件", "Choose a file first"),
    "upload.chosen": ("已选择：{name}（{size}）", "Chosen: {name} ({size})"),
    "upload.status": ("结果", "Result"),
    "upload.status.loaded": ("全部导入", "Loaded"),
    "upload.status.partial": ("部分导入", "Partly loaded"),
    "upload.status.rejected": ("全部拒绝", "Rejected"),
    "upload.status.duplicate": ("重复文件，未重新导入", "Duplicate file, not imported again"),
    "upload.status.dry_run": ("校验完成（未写入）", "Validated (nothing written)"),
    "upload.saved_report": ("已保存的导入报告 #{id}", "Saved import report #{id}"),
    "upload.duplicate_of": ("与第 {id} 号上传内容相同：查看其导入报告", "Same content as upload {id}: see its import report"),
    "upload.changed_values": ("本次上传替换的已存数值（{count} 条）", "Stored values this upload replaced ({count})"),
    "upload.no_findings": ("没有被拒绝的行，也没有提示。", "No row was rejected and there are no notices."),
    "upload.changed_none": ("没有替换任何已存数值。", "No stored value was replaced."),
    "upload.changed_more": ("仅列出前 {shown} 条。", "The first {shown} are listed."),
    "upload.download": ("下载问题清单（CSV）", "Download the findings (CSV)"),
    "upload.forbidden": ("只有审计员和管理员可以上传数据。", "Only auditors and administrators can upload data."),
    "upload.bad_profile": ("映射文件无法解析：{error}", "The mapping file cannot be read: {error}"),
    "upload.too_large": ("文件超过 {mb} MB 上限", "The file exceeds the {mb} MB limit"),
    "upload.failed": ("导入失败：{error}", "The import failed: {error}"),
    # reports
    "reports.format": ("格式", "Format"),
    "reports.scope": ("范围", "Scope"),
    "reports.download": ("下载", "Download"),
    # quality
    "quality.no_uploads": ("暂无上传记录", "No uploads yet"),
    # generic
    "empty": ("暂无数据", "No data"),
    "error.generic": ("数据暂时无法显示，请稍后再试。", "The data cannot be shown right now; please try again later."),
    "error.not_found": ("未找到该建筑：{code}", "No building with code {code}"),
    "error.out_of_scope": ("您无权查看该地区的数据。", "You may not view this region."),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "all": ("全部", "All"),
    "nation": ("全国", "Nation"),
    "not_found.title": ("页面不存在", "Page not found"),
    "not_found.back": ("返回全国概览", "Back to the national overview"),
}

MONTHS = {
    "zh": ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


UNIT_LABELS = {"m3": "m³", "m2": "m²", "MJ": "MJ", "kWh": "kWh", "kg": "kg", "t": "t"}


def unit_label(code: str) -> str:
    """How a canonical unit code is written for people (m3 -> m³)."""
    return UNIT_LABELS.get(code, code)


def normalise_lang(value: str | None) -> Lang:
    """The language for a cookie or query value; Chinese unless English is asked for."""
    return "en" if (value or "").lower().startswith("en") else "zh"


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{name}`` placeholders filled."""
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def fmt_num(value: float | None, digits: int = 0) -> str:
    """A number with thousands separators; an en dash for missing values."""
    if value is None:
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(number) or math.isinf(number):
        return "–"
    return f"{number:,.{digits}f}"


def fmt_pct(value: float | None, digits: int = 1) -> str:
    """A percentage (value already in percent) with one decimal."""
    text = fmt_num(value, digits)
    return text if text == "–" else f"{text}%"


def fmt_bytes(size: int) -> str:
    """A file size in B, KB or MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:,.1f} KB"
    return f"{size / 1024 / 1024:,.1f} MB"
