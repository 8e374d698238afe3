"""Rules of the year-end disclosure (能效公示): who may do what, which buildings are proposed, and labels.

Pure: the roles and region scopes are plain strings, the eligibility rule works on a DataFrame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

NATION_CODE = "000000"
ACTIONS = ("draft", "submit", "approve", "publish", "withdraw")

# Reasons a building is not proposed (first that applies), in Chinese and English.
INELIGIBLE: dict[str, tuple[str, str]] = {
    "not_reporting": ("本年未上报能耗", "no statistics for the year"),
    "incomplete_year": ("本年数据不完整", "incomplete year"),
    "open_data_quality": ("存在未处理的数据质量问题", "open data-quality finding"),
}

# GB/T 51161 status: label and colours (text on background, both WCAG AA: contrast >= 4.5:1).
STATUS: dict[str, dict[str, str]] = {
    "better_than_guide": {"zh": "优于引导值", "en": "Better than guide value", "fg": "#0b4f1c", "bg": "#d8f0dd"},
    "between": {"zh": "介于引导值与约束值之间", "en": "Between guide and constraint", "fg": "#5c3d00", "bg": "#fdecc8"},
    "above_constraint": {"zh": "超过约束值", "en": "Above constraint value", "fg": "#8a1010", "bg": "#fbdcdc"},
}
NO_STATUS = {"zh": "无对标值", "en": "No benchmark", "fg": "#333333", "bg": "#ececec"}
NO_BASIS = ("无可比基础", "no comparable basis")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: username, role (admin, official, auditor) and region scope (None: national)."""

    username: str
    role: str
    region_code: str | None


def covers(scope: str | None, region_code: str) -> bool:
    """True when a region scope covers ``region_code`` (itself, a city inside a province, or national)."""
    if scope is None or scope == NATION_CODE:
        return True
    if scope.endswith("0000"):
        return region_code[:2] == scope[:2]
    if scope.endswith("00"):
        return region_code[:4] == scope[:4]
    return region_code == scope


def permission(actor: Actor, action: str, region_code: str, *, submitted_by: str | None = None) -> str | None:
    """None when ``actor`` may do ``action`` on the region's list, else why not (English).

    - draft (create, propose, add/remove buildings), submit, publish, withdraw: an admin, or an official
      whose scope covers the region.
    - approve: an admin, or an official whose scope covers the region and who did not submit the list
      (four eyes: nobody approves their own submission, an admin included).
    - auditors and anonymous callers: nothing.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action}")
    if actor.role not in ("admin", "official"):
        return f"role {actor.role} may not {action} a disclosure"
    if actor.role == "official" and not covers(actor.region_code, region_code):
        return f"region {region_code} is outside the scope {actor.region_code}"
    if action == "approve" and submitted_by is not None and submitted_by == actor.username:
        return "the submitter may not approve their own list"
    return None


def eligibility(frame: pd.DataFrame) -> pd.DataFrame:
    """Propose buildings: a complete year and no open data-quality finding. Audited buildings are flagged.

    ``frame`` has building_id, is_reporting, is_complete, has_open_finding, is_audited; the result adds
    ``is_eligible`` and ``ineligible_reason`` (a key of INELIGIBLE, None when eligible).
    """
    out = frame.copy()
    reporting = out["is_reporting"].fillna(False).astype(bool)
    complete = out["is_complete"].fillna(False).astype(bool)
    finding = out["has_open_finding"].fillna(False).astype(bool)
    reason = np.select([~reporting, ~complete, finding], list(INELIGIBLE), default="")
    out["ineligible_reason"] = pd.Series(np.where(reason == "", None, reason), index=out.index, dtype=object)
    out["is_eligible"] = out["ineligible_reason"].isna()
    out["is_audited"] = out["is_audited"].fillna(False).astype(bool)
    return out


def status_label(status: str | None, lang: str) -> dict[str, str]:
    """Label and colours of a GB/T 51161 status in ``lang`` (zh or en)."""
    entry = STATUS.get(status or "", NO_STATUS)
    return {"key": status or "none", "label": entry[lang], "fg": entry["fg"], "bg": entry["bg"]}


def change_text(change_pct: float | None, is_comparable: bool, lang: str) -> str:
    """The change against last year as shown: a signed percentage, or 'no comparable basis' — never 0 %."""
    if not is_comparable or change_pct is None or pd.isna(change_pct):
        return NO_BASIS[0] if lang == "zh" else NO_BASIS[1]
    return f"{change_pct:+.1f} %"
