"""Text of the public portal in Chinese and English."""

from __future__ import annotations

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    "site": ("公共建筑能效公示", "Public building energy-efficiency disclosure"),
    "site_sub": ("国家机关办公建筑和大型公共建筑年度能效状况", "Annual energy efficiency of government office and large public buildings"),
    "skip": ("跳到正文", "Skip to content"),
    "switch": ("English", "中文"),
    "index_title": ("已公示的名单", "Published lists"),
    "index_intro": ("各示范地区每年年底公布一批建筑的能效状况。以下为已发布的名单，点击查看。",
                    "Each demonstration region publishes the energy efficiency of a batch of buildings at the end of "
                    "the year. These lists have been published."),
    "none_published": ("暂无已公示的名单。", "No list has been published yet."),
    "region": ("地区", "Region"),
    "year": ("年份", "Year"),
    "all": ("全部", "All"),
    "version": ("版本", "Version"),
    "version_n": ("第 {n} 版", "version {n}"),
    "buildings": ("建筑数", "Buildings"),
    "published_at": ("发布日期", "Published"),
    "open": ("查看", "Open"),
    "filter": ("筛选", "Filter"),
    "search": ("搜索名称或代码", "Search name or code"),
    "class": ("建筑类别", "Building class"),
    "status": ("对标状态 (GB/T 51161)", "Status (GB/T 51161)"),
    "sort": ("排序", "Sort"),
    "sort_code": ("按代码", "By code"),
    "sort_name": ("按名称", "By name"),
    "sort_-intensity": ("能耗强度从高到低", "Intensity, highest first"),
    "sort_intensity": ("能耗强度从低到高", "Intensity, lowest first"),
    "sort_-area": ("面积从大到小", "Area, largest first"),
    "apply": ("应用", "Apply"),
    "name": ("建筑名称", "Building"),
    "code": ("建筑代码", "Building code"),
    "area": ("建筑面积 (m²)", "Floor area (m²)"),
    "kwh_m2": ("单位面积能耗 kWh/(m²·a)", "Intensity kWh/(m²·a)"),
    "kgce_m2": ("单位面积能耗 kgce/(m²·a)", "Intensity kgce/(m²·a)"),
    "change": ("较上年变化（可比口径）", "Change vs last year (like-for-like)"),
    "results": ("共 {n} 栋建筑", "{n} buildings"),
    "no_results": ("没有符合条件的建筑。", "No building matches."),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "page_of": ("第 {p} / {n} 页", "Page {p} of {n}"),
    "download": ("下载开放数据", "Download open data"),
    "print": ("打印", "Print"),
    "versions": ("历史版本", "Versions"),
    "current": ("当前版本", "current"),
    "change_note": ("更正说明", "Change note"),
    "basis": ("口径说明", "Basis"),
    "basis_text": ("能耗按{method}折算为标准煤；kWh 当量 = kgce ÷ 电力折标系数。对标依据 {edition}。较上年变化只对两年数据均完整、能源品种相同的建筑计算，否则显示“无可比基础”。",
                   "Energy converted to coal equivalent by the {method} method; kWh-equivalent = kgce ÷ the electricity factor. "
                   "Benchmarks: {edition}. The change against last year is shown only for buildings complete in both "
                   "years with the same carriers; otherwise “no comparable basis”."),
    "calorific": ("当量值", "calorific"),
    "generation": ("等价值", "generation"),
    "back": ("返回名单", "Back to the list"),
    "district": ("区县代码", "District code"),
    "gov": ("国家机关办公建筑", "Government office building"),
    "large": ("大型公共建筑", "Large public building"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "audited": ("已完成能源审计", "Energy audit done"),
    "energy_kgce": ("年总能耗 (kgce)", "Annual energy (kgce)"),
    "comparable_kwh_m2": ("对标能耗强度 kWh/(m²·a)", "Comparable intensity kWh/(m²·a)"),
    "constraint": ("约束值 kWh/(m²·a)", "Constraint value kWh/(m²·a)"),
    "guide": ("引导值 kWh/(m²·a)", "Guide value kWh/(m²·a)"),
    "previous_kgce": ("上年能耗 (kgce，可比口径)", "Last year (kgce, like-for-like)"),
    "not_found": ("未找到已公示的内容", "Nothing published here"),
    "not_found_text": ("该名单未公示、已撤回或不存在。", "This list is not published, was withdrawn, or does not exist."),
    "footer": ("数据来源：各地区能耗统计与能源审计；仅显示已批准发布的名单。", "Source: regional energy statistics and audits; only approved, published lists are shown."),
}


def t(key: str, lang: str, **params: object) -> str:
    """The text under ``key`` in ``lang``."""
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**params) if params else text
