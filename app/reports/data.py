"""Assemble an annual report's figures from the analytics services.

The year's building indicators are read once per year shown and handed to the rollup, progress and
assessment services (their ``frame`` argument), so every figure in the report comes from the same
building-year rows. Totals cover complete building-years only, as the services define them;
buildings that did not report, or reported part of the year, are listed as excluded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.comparison import LABELS, REASONS, Basis
from app.domain.regions import NATION_CODE
from app.domain.targets import STATUS_LABELS, milestones
from app.models import BuildingClass, EnergyCarrier, Region, Upload
from app.reports.model import (
    BUILDING_COLUMNS,
    CLASS_COLUMNS,
    EXCLUDED_COLUMNS,
    REGION_COLUMNS,
    SUMMARY_COLUMNS,
    TARGET_PATH_COLUMNS,
    AnnualReportData,
    Note,
)
from app.domain.assessment import AssessmentConfig
from app.services.assessment import assess, assessment_config
from app.services.indicators import (
    BENCHMARK_EDITION,
    building_year_indicators,
    electricity_factor,
    region_rollup,
)
from app.services.comparison import Comparison, compare, compare_regions
from app.services.reference import conversion_tables, extrapolated_from, non_energy_carriers
from app.services.targets import path_actuals, target_progress
from app.reports.disclosure import published_list

Progress = Callable[[str, float], None]
METHOD = "calorific"


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _scope_row(rollup: pd.DataFrame, code: str) -> pd.Series:
    """The rollup row of the scope; the nation row aggregates exactly the frame it was given."""
    rows = rollup[rollup["region_code"] == code]
    if rows.empty:
        rows = rollup[rollup["region_code"] == NATION_CODE]
    return rows.iloc[0]


def _class_rollup(frame: pd.DataFrame) -> pd.DataFrame:
    """Per building class, as ``rollup_by(by="building_class")`` defines it: complete building-years only.

    Computed from the frame already read, which saves reading the year's indicators a second time.
    """
    complete = frame[frame["is_complete"]]
    grouped = complete.groupby("building_class")
    out = pd.DataFrame({
        "buildings_complete": grouped.size(),
        "floor_area_m2": grouped["floor_area_m2"].sum(),
        "kgce_calorific": grouped["kgce_calorific"].sum(),
        "energy_kwh_eq": grouped["energy_kwh_eq"].sum(),
    }).reindex(sorted(frame["building_class"].dropna().unique()))
    out["buildings_complete"] = out["buildings_complete"].fillna(0).astype("int64")
    out[["floor_area_m2", "kgce_calorific", "energy_kwh_eq"]] = out[
        ["floor_area_m2", "kgce_calorific", "energy_kwh_eq"]].fillna(0.0)
    out["energy_kwh_m2"] = out["energy_kwh_eq"] / out["floor_area_m2"].where(out["floor_area_m2"] > 0)
    return out.rename_axis("building_class").reset_index()


def _class_table(*, session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    by_class = _class_rollup(frame)
    names = pd.read_sql(select(BuildingClass.code, BuildingClass.name_zh, BuildingClass.name_en), session.connection())
    # Benchmarks differ by subtype, class A/B and climate zone: compare floor-area-weighted means.
    judged = frame[frame["benchmark_status"].notna() & frame["constraint_kwh_m2"].notna()]
    area = judged["floor_area_m2"]
    weighted = judged.assign(
        _comparable=judged["comparable_kwh_m2"] * area,
        _constraint=judged["constraint_kwh_m2"] * area,
        _guide=judged["guide_kwh_m2"] * area,
    ).groupby("building_class")[["_comparable", "_constraint", "_guide", "floor_area_m2"]].sum()
    out = by_class.merge(names, left_on="building_class", right_on="code", how="left")
    out = out.rename(columns={"name_zh": "class_name_zh", "name_en": "class_name_en",
                              "buildings_complete": "buildings", "energy_kwh_m2": "intensity_kwh_m2"})
    bench = weighted.div(weighted["floor_area_m2"].where(weighted["floor_area_m2"] > 0), axis=0)
    for source, target in (("_comparable", "comparable_kwh_m2"), ("_constraint", "constraint_kwh_m2"),
                           ("_guide", "guide_kwh_m2")):
        out[target] = out["building_class"].map(bench[source])
    return out.sort_values("building_class")[CLASS_COLUMNS].reset_index(drop=True)


def _building_table(frame: pd.DataFrame, yoy: Comparison) -> pd.DataFrame:
    """The buildings that reported, each with its change against last year where it is comparable."""
    reporting = frame[frame["is_reporting"]].copy()
    changes = yoy.rows.set_index("building_id")
    reporting["change_vs_last_year_pct"] = reporting["building_id"].map(changes["change_pct"])
    reasons = reporting["building_id"].map(changes["reason"])
    reporting["change_note"] = reasons.map(lambda r: f"{REASONS[r][0]} {REASONS[r][1]}" if isinstance(r, str) else None)
    reporting["intensity_kwh_m2"] = reporting["energy_kwh_m2"]
    out = reporting.sort_values("code")[BUILDING_COLUMNS].reset_index(drop=True)
    numeric = ["floor_area_m2", "kgce_calorific", "kgce_generation", "intensity_kwh_m2", "comparable_kwh_m2",
               "change_vs_last_year_pct"]
    # A year nobody reported leaves an empty frame whose columns must still be numeric.
    out[numeric] = out[numeric].astype("float64")
    return out


def _excluded_table(frame: pd.DataFrame) -> pd.DataFrame:
    silent = frame[~frame["is_reporting"]]
    partial = frame[frame["is_reporting"] & ~frame["is_complete"]]
    rows = [
        pd.DataFrame({"code": silent["code"], "name": silent["name"], "reason_zh": "本年度未上报能耗数据",
                      "reason_en": "no energy statistics reported for the year"}),
        pd.DataFrame({
            "code": partial["code"], "name": partial["name"],
            "reason_zh": "数据不完整（上报 " + partial["months_reported"].astype(str)
            + " 条月度/年度记录），未计入合计",
            "reason_en": "incomplete year (" + partial["months_reported"].astype(str)
            + " monthly/annual records), left out of the totals",
        }),
    ]
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values("code")[EXCLUDED_COLUMNS].reset_index(drop=True) if not out.empty else pd.DataFrame(
        columns=EXCLUDED_COLUMNS)


def _target_path(*, session: Session, year: int, code: str, target: pd.Series | None) -> pd.DataFrame:
    """The milestone path and each year's like-for-like use (app.services.targets.path_actuals)."""
    if target is None:
        return pd.DataFrame(columns=TARGET_PATH_COLUMNS)
    shape = target.get("milestone_shape")
    path = milestones(
        baseline_year=int(target["baseline_year"]), target_year=int(target["target_year"]),
        baseline_kgce=float(target["baseline_kgce"]), saving_kgce=float(target["saving_target_kgce"]),
        shape=shape if isinstance(shape, str) and shape else "linear",
    )
    actual = path_actuals(session=session, region_code=code, baseline_year=int(target["baseline_year"]),
                          baseline_kgce=float(target["baseline_kgce"]),
                          years=[int(y) for y in path["year"] if y <= year], method=METHOD)
    return pd.DataFrame({"year": path["year"], "path_kgce": path["expected_kgce"],
                         "actual_kgce": [actual.get(int(y)) for y in path["year"]]})


def _last_upload_at(*, session: Session) -> datetime | None:
    """When the newest upload that loaded data finished."""
    return session.scalar(select(func.max(Upload.finished_at)).where(Upload.status.in_(("loaded", "partial"))))


def _factor_note(*, session: Session, year: int) -> Note:
    tables = conversion_tables(session=session)
    carriers = pd.read_sql(select(EnergyCarrier.code, EnergyCarrier.name_zh, EnergyCarrier.name_en,
                                  EnergyCarrier.canonical_unit).order_by(EnergyCarrier.code), session.connection())
    zh, en = [], []
    quantity_only = non_energy_carriers(session=session)
    for row in carriers.itertuples(index=False):
        if row.code in quantity_only:
            zh.append(f"{row.name_zh}只计量（{row.canonical_unit}），不折标准煤、不计入能耗合计")
            en.append(f"{row.name_en} is a quantity only ({row.canonical_unit}), never converted nor in energy totals")
            continue
        calorific = tables.factor(row.code, year, "calorific")
        generation = tables.factor(row.code, year, "generation")
        if calorific is None:
            continue
        both = f"{calorific:g}" if generation in (None, calorific) else f"{calorific:g} / {generation:g}"
        zh.append(f"{row.name_zh} {both} kgce/{row.canonical_unit}")
        en.append(f"{row.name_en} {both} kgce/{row.canonical_unit}")
    elec_cal = electricity_factor(session=session, year=year, method="calorific")
    elec_gen = electricity_factor(session=session, year=year, method="generation")
    source_year = extrapolated_from(tables, carrier_code="electricity", year=year, method="generation")
    gen_zh = f"等价值取 {year} 年全国供电标准煤耗 {elec_gen:g} kgce/kWh"
    gen_en = f"{elec_gen:g} kgce/kWh generation (等价值, the {year} national coal rate of power supply)"
    if source_year is not None:
        gen_zh = (f"等价值取全国供电标准煤耗 {elec_gen:g} kgce/kWh——注意：{year} 年数值尚未公布，"
                  f"沿用最近公布的 {source_year} 年数值（外推）")
        gen_en = (f"{elec_gen:g} kgce/kWh generation (等价值) — note: the {year} national coal rate of power supply "
                  f"is not published yet, the latest published value ({source_year}) is used (extrapolated)")
    return Note(
        "折标系数与方法", "Conversion factors and method",
        f"按 GB/T 2589 折算标准煤（1 kgce = 29.307 MJ）。电力当量值 {elec_cal:g} kgce/kWh，"
        f"{gen_zh}；两种方法的合计均列出，"
        f"单位面积能耗与对标按当量值折算。各能源折标系数（当量值 / 等价值）：" + "；".join(zh) + "。",
        f"Standard coal per GB/T 2589 (1 kgce = 29.307 MJ). Electricity {elec_cal:g} kgce/kWh calorific "
        f"(当量值) and {gen_en}; "
        "totals are given by both methods, intensities and benchmarking use the calorific method. "
        "Factors (calorific / generation): " + "; ".join(en) + ".",
    )


def _assessment_note(assessment, config: AssessmentConfig | None = None) -> Note:
    config = config or assessment_config()
    own = {m.key for m in config.measures if m.is_platform_choice}
    zh = [f"{s.name_zh}{'（平台自定项目）' if s.key in own else ''} {s.points:.1f}/{s.max_points:g}：{s.explanation_zh}"
          for s in assessment.sub_scores]
    en = [f"{s.name_en}{' (the platform’s own item)' if s.key in own else ''} {s.points:.1f}/{s.max_points:g}: "
          f"{s.explanation_en}" for s in assessment.sub_scores]
    bands = config.grade_bands()
    bands_zh = "、".join(f"{g.name_zh} {low:g} 分及以上" if high is None else f"{g.name_zh} {low:g}–{high:g} 分（不含）"
                        for g, low, high in bands)
    bands_en = ", ".join(f"{g.name_en} {low:g} points and above" if high is None else f"{g.name_en} {low:g} to below {high:g}"
                         for g, low, high in bands)
    scheme_zh = (f"评分框架：节能目标 {config.target_points:g} 分、措施 {100 - config.target_points:g} 分，"
                 f"等级 {bands_zh}"
                 + ("；未完成节能目标即评为未完成（一票否决）" if config.is_veto else "")
                 + f"（依据：{config.source.split(':')[0].strip()}）。")
    scheme_en = (f"Scheme: {config.target_points:g} points for the saving target, {100 - config.target_points:g} for "
                 f"measures; grades {bands_en}"
                 + ("; a missed target is graded not met whatever the score" if config.is_veto else "")
                 + f" (after {config.source.split(':')[0].strip()}).")
    if own:
        scheme_zh += "标注“平台自定项目”的措施项目、分值与阈值由本平台设定，并非所引考核办法原文规定。"
        scheme_en += (" Measure items marked as the platform's own, with their points and thresholds, are set by "
                      "jieneng, not by the cited scheme.")
    return Note("考核评分", "Assessment score", "\n".join([assessment.reason_zh, *zh, scheme_zh]),
                "\n".join([assessment.reason_en, *en, scheme_en]))


def _notes(*, session: Session, year: int, generated_at: datetime, cutoff: datetime | None,
           excluded: pd.DataFrame, target: pd.Series | None, national: bool) -> list[Note]:
    read_at = generated_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    upload_zh = f"最近一次数据上传完成于 {cutoff:%Y-%m-%d %H:%M:%S}" if cutoff else "尚无经上传入库的数据"
    upload_en = (f"the newest upload finished at {cutoff:%Y-%m-%d %H:%M:%S}" if cutoff
                 else "no data came through uploads yet")
    notes = [
        _factor_note(session=session, year=year),
        Note("对标标准", "Benchmark edition",
             f"{BENCHMARK_EDITION}《民用建筑能耗标准》非供暖能耗约束值与引导值（kWh/(m²·a)），按建筑类型、"
             "A/B 类与气候区取值，办公建筑按运行时间与人均面积修正；严寒和寒冷地区供暖能耗单独评价。"
             "分类表中的标准值为参与对标建筑按面积加权的平均值。",
             f"{BENCHMARK_EDITION} non-heating constraint and guide values (kWh/(m²·a)) by type, class A/B and "
             "climate zone, with the office correction for operating hours and floor area per person; heating "
             "in the severe-cold and cold zones is judged separately. Class-level benchmark values are "
             "floor-area-weighted means over the benchmarked buildings."),
        Note("数据截止时间", "Data cut-off", f"本报告的 {year} 年能耗数据读取于 {read_at}；{upload_zh}。",
             f"The {year} energy statistics were read at {read_at}; {upload_en}."),
        Note("统计口径", "Coverage",
             "合计与强度只计全年数据完整的建筑（12 个月或全年数据覆盖其上报的每种能源）；"
             f"未上报或数据不完整的建筑共 {len(excluded)} 栋，列于“未纳入统计的建筑”表。"
             "“全部上报能耗（含不完整年度）”另列，不用于强度与变化。"
             "较上年、较基准年的变化与目标进度均按可比口径计算：只计两期均全年完整、上报能源品种相同且未变更地区的建筑，"
             "并注明可比建筑数与面积；无可比建筑时不给出变化。"
             + ("全国合计每栋建筑只计一次，各示范地区（如沈阳与辽宁）相互重叠，不可相加。" if national else ""),
             "Totals and intensities cover complete building-years only (twelve months or an annual figure for "
             f"every carrier reported); {len(excluded)} buildings that did not report or reported part of the "
             "year are listed under 'Buildings excluded'. 'All reported (incl. part years)' is shown apart and "
             "never used for intensities or changes. Changes against last year and the baseline year, and target "
             "progress, are like-for-like: over the buildings with a complete year in both periods, the same "
             "carriers and the same region, with their number and floor area stated; without a comparable "
             "building no change is given."
             + (" The national total counts each building once; demonstration regions overlap (Shenyang lies "
                "in Liaoning) and must not be added up." if national else "")),
    ]
    if target is not None:
        notes.append(Note(
            "节能目标", "Saving target",
            f"{int(target['baseline_year'])} 年基准、{int(target['target_year'])} 年目标年，"
            f"分解方法 {target.get('method') or '—'}；进度按可比口径评价：目标的削减率作用于基准年与本年均完整的建筑，"
            "基准年之后登记、无基准年数据的建筑不计入目标考核；可比口径覆盖基准年能耗不足规定比例时（本平台自定规则）目标不予认定。"
            "目标路径为基准年至目标年的里程碑，实际值按可比口径的变化折算到分解时的基准。",
            f"Baseline {int(target['baseline_year'])}, target year {int(target['target_year'])}, decomposition "
            f"method {target.get('method') or '—'}; progress is judged like for like: the target's cut rate applies "
            "to the buildings complete in both the baseline year and this year; buildings registered after the "
            "baseline year without baseline data do not count toward the target; when the basis covers less than "
            "the required share of the baseline energy (a rule of this platform) the target is not judged. The "
            "path runs from baseline to target year; actual values are the decomposed baseline scaled by the "
            "like-for-like change."))
    else:
        notes.append(Note("节能目标", "Saving target", "尚未分解节能目标，本报告不含目标进度与考核的目标部分。",
                          "No saving target has been decomposed yet; target progress is not reported."))
    return notes


def _basis_text(basis: Basis | None) -> str:
    if basis is None:
        return "—"
    return f"{basis.label('zh')} / {basis.label('en')}"


def _summary(*, row: pd.Series, yoy: Basis, vs_baseline: Basis | None, progress: pd.Series | None, assessment,
             target: pd.Series | None) -> pd.DataFrame:
    registered = int(row["buildings_registered"])
    reporting = int(row["buildings_reporting"])
    details = assessment.details if assessment is not None else {}
    complete, reported = LABELS["complete_year_total"], LABELS["all_reported_total"]
    items = [
        ("buildings_registered", "登记建筑数", "Buildings registered", registered, "栋 buildings"),
        ("buildings_reporting", "纳入能耗统计建筑数", "Buildings covered by statistics", reporting, "栋 buildings"),
        ("buildings_complete", "全年数据完整建筑数", "Buildings with a complete year", int(row["buildings_complete"]),
         "栋 buildings"),
        ("statistics_coverage_pct", "统计覆盖率", "Statistics coverage",
         reporting / registered * 100.0 if registered else None, "%"),
        ("buildings_audited", "完成能源审计建筑数", "Buildings audited", details.get("buildings_audited"),
         "栋 buildings"),
        ("total_tce_calorific", f"{complete[0]}（当量值）", f"{complete[1]} (calorific)",
         _number(row["kgce_calorific"]) / 1000, "tce"),
        ("total_tce_generation", f"{complete[0]}（等价值）", f"{complete[1]} (generation)",
         _number(row["kgce_generation"]) / 1000, "tce"),
        ("all_reported_tce_calorific", f"{reported[0]}（当量值）", f"{reported[1]} (calorific)",
         (_number(row["all_reported_kgce_calorific"]) or 0.0) / 1000, "tce"),
        ("all_reported_tce_generation", f"{reported[0]}（等价值）", f"{reported[1]} (generation)",
         (_number(row["all_reported_kgce_generation"]) or 0.0) / 1000, "tce"),
        ("floor_area_m2", "建筑面积", "Floor area", _number(row["floor_area_m2"]), "m²"),
        ("intensity_kwh_m2", "单位面积能耗", "Energy intensity", _number(row["energy_kwh_m2"]), "kWh/(m²·a)"),
        ("intensity_kgce_m2", "单位面积能耗（标煤）", "Energy intensity (coal equivalent)",
         _number(row["energy_kgce_m2"]), "kgce/(m²·a)"),
        ("buildings_better_than_guide", "优于引导值建筑数", "Better than guide value",
         int(row["buildings_better_than_guide"]), "栋 buildings"),
        ("buildings_between", "介于引导值与约束值之间建筑数", "Between guide and constraint",
         int(row["buildings_between"]), "栋 buildings"),
        ("buildings_above_constraint", "高于约束值建筑数", "Above constraint value",
         int(row["buildings_above_constraint"]), "栋 buildings"),
        ("saving_potential_tce", "节能潜力（超出约束值部分）", "Saving potential (above constraint)",
         (_number(row["saving_potential_kgce"]) or 0.0) / 1000, "tce"),
        ("incomplete_tce", "数据不完整建筑能耗（未计入合计）", "Energy of incomplete years (not in totals)",
         (_number(row["incomplete_kgce"]) or 0.0) / 1000, "tce"),
        ("change_vs_last_year_pct", "较上年变化（可比口径）", "Change against last year (like-for-like)",
         yoy.change_pct, "%"),
        ("basis_vs_last_year", "较上年变化的可比口径", "Basis of the change against last year", _basis_text(yoy), ""),
        ("change_vs_baseline_pct", "较基准年变化（可比口径）", "Change against the baseline year (like-for-like)",
         vs_baseline.change_pct if vs_baseline is not None else None, "%"),
        ("basis_vs_baseline", "较基准年变化的可比口径", "Basis of the change against the baseline year",
         _basis_text(vs_baseline), ""),
    ]
    if target is not None:
        items += [
            ("baseline_year", "基准年", "Baseline year", str(int(target["baseline_year"])), ""),
            ("target_year", "目标年", "Target year", str(int(target["target_year"])), ""),
            ("saving_target_tce", "节能目标", "Saving target", float(target["saving_target_kgce"]) / 1000, "tce"),
        ]
    if progress is not None:
        items += [
            ("basis_target_tce", "可比口径节能目标", "Saving target on the comparable basis",
             _number(progress["basis_target_kgce"]) / 1000 if _number(progress["basis_target_kgce"]) is not None
             else None, "tce"),
            ("saving_achieved_tce", "已实现节能量（可比口径）", "Saving achieved (like-for-like)",
             _number(progress["saving_kgce"]) / 1000 if _number(progress["saving_kgce"]) is not None else None, "tce"),
            ("expected_saving_tce", "按进度应实现节能量（可比口径）", "Saving expected by now (like-for-like)",
             _number(progress["expected_saving_kgce"]) / 1000 if _number(progress["expected_saving_kgce"]) is not None
             else None, "tce"),
            ("target_progress_pct", "目标完成率", "Share of target reached",
             _number(progress["percent_of_target"]), "%"),
            ("progress_basis", "目标进度的可比口径", "Basis of the target progress",
             f"{progress['basis_label_zh']} / {progress['basis_label_en']}", ""),
            ("basis_coverage_pct", "可比口径覆盖基准年能耗", "Share of the baseline energy the basis covers",
             _number(progress["basis_coverage_pct"]), "%"),
            ("target_status", "进度状态", "Progress status", _status_text(progress["status"]), ""),
        ]
    if assessment is not None:
        items += [
            ("assessment_score", "考核得分", "Assessment score", float(assessment.score), "分 points / 100"),
            ("assessment_grade", "考核等级", "Assessment grade", f"{assessment.grade_zh} {assessment.grade_en}", ""),
        ]
    return pd.DataFrame(items, columns=SUMMARY_COLUMNS)


PROGRESS_STATUS = {key: f"{zh} {en}" for key, (zh, en) in STATUS_LABELS.items()}


def _status_text(status: object) -> str:
    return PROGRESS_STATUS.get(status, "—") if isinstance(status, str) else "—"


def _region_table(*, rollup: pd.DataFrame, yoy: pd.DataFrame, progress: pd.DataFrame,
                  assessments: list) -> pd.DataFrame:
    regions = rollup[rollup["region_code"] != NATION_CODE].copy()
    for column in ("change_pct", "comparable_buildings", "comparable_area_m2"):
        regions[column] = regions["region_code"].map(yoy[column])
    regions["change_vs_last_year_pct"] = regions.pop("change_pct")
    regions["comparable_buildings"] = regions["comparable_buildings"].fillna(0).astype("int64")
    percent = progress.set_index("region_code")["percent_of_target"] if not progress.empty else pd.Series(dtype=float)
    regions["target_progress_pct"] = regions["region_code"].map(percent)
    scores = {a.region_code: (a.score, a.grade_zh) for a in assessments}
    regions["score"] = regions["region_code"].map(lambda c: scores.get(c, (None, None))[0])
    regions["grade"] = regions["region_code"].map(lambda c: scores.get(c, (None, None))[1])
    regions = regions.rename(columns={"name_zh": "region_name_zh", "name_en": "region_name_en",
                                      "energy_kwh_m2": "intensity_kwh_m2"})
    return regions[REGION_COLUMNS].reset_index(drop=True)


def collect_report_data(
    *, session: Session, year: int, region_code: str | None = None, progress: Progress | None = None
) -> AnnualReportData:
    """Every figure of the annual report of a year for the nation (region_code None) or one region."""
    code = region_code or NATION_CODE
    region = session.get(Region, code)
    if region is None:
        raise LookupError(f"未知地区 unknown region {code}")
    scope = None if code == NATION_CODE else code
    national = scope is None

    def step(message: str, fraction: float) -> None:
        if progress:
            progress(message, fraction)

    step("读取建筑指标 reading building indicators", 0.0)
    frame = building_year_indicators(session=session, year=year, region_code=scope, method=METHOD)
    previous_frame = building_year_indicators(session=session, year=year - 1, region_code=scope, method=METHOD)
    step("汇总 rolling up", 0.35)
    rollup = region_rollup(session=session, year=year, method=METHOD, frame=frame)
    row = _scope_row(rollup, code)
    yoy = compare(session=session, year_from=year - 1, year_to=year, region_code=code, method=METHOD,
                  earlier=previous_frame, later=frame)

    step("目标进度与考核 target progress and assessment", 0.5)
    progress_table = target_progress(session=session, year=year, region_code=scope, frame=frame)
    scope_progress = None
    if not progress_table.empty and (progress_table["region_code"] == code).any():
        scope_progress = progress_table[progress_table["region_code"] == code].iloc[0]
    try:
        assessments = assess(session=session, year=year, region_code=scope, frame=frame)
    except LookupError:
        assessments = []
    scope_assessment = next((a for a in assessments if a.region_code == code), None)
    target = scope_progress
    vs_baseline = None
    if target is not None and int(target["baseline_year"]) < year:
        vs_baseline = compare(session=session, year_from=int(target["baseline_year"]), year_to=year, region_code=code,
                              method=METHOD, later=frame).basis
    step("目标路径 target path", 0.65)
    path = _target_path(session=session, year=year, code=code, target=target)

    step("分类与建筑明细 class and building tables", 0.85)
    class_table = _class_table(session=session, frame=frame)
    buildings = _building_table(frame, yoy)
    excluded = _excluded_table(frame)
    cutoff = _last_upload_at(session=session)
    summary = _summary(row=row, yoy=yoy.basis, vs_baseline=vs_baseline, progress=scope_progress,
                       assessment=scope_assessment, target=target)
    regions = None
    if national:
        by_region = compare_regions(session=session, year_from=year - 1, year_to=year, regions=rollup["region_code"],
                                    method=METHOD, earlier=previous_frame, later=frame)
        regions = _region_table(rollup=rollup, yoy=by_region, progress=progress_table, assessments=assessments)
    step("完成 assembled", 1.0)
    generated_at = datetime.now(UTC)
    return AnnualReportData(
        year=year,
        scope_code=code,
        scope_name_zh=region.name_zh,
        scope_name_en=region.name_en,
        generated_at=generated_at,
        summary=summary,
        class_intensity=class_table,
        buildings=buildings,
        target_path=path,
        excluded=excluded,
        notes=_notes(session=session, year=year, generated_at=generated_at, cutoff=cutoff, excluded=excluded,
                     target=target, national=national)
        + ([_assessment_note(scope_assessment)] if scope_assessment is not None else []),
        regions=regions,
        total_tce_calorific=float(row["kgce_calorific"]) / 1000,
        total_tce_generation=float(row["kgce_generation"]) / 1000,
        published=published_list(session=session, year=year, region_code=scope),
    )
