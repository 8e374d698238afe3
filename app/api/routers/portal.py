"""The public disclosure portal at /disclosure/ (no login; published versions only) and the workflow pages at
/disclosure/manage (admins and officials, signed in with the login cookie)."""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from app.api.deps import SessionDep
from app.domain import disclosure as rules
from app.domain.disclosure import Actor
from app.portal.i18n import t as translate
from app.security import TOKEN_COOKIE, decode_token
from app.services import disclosure as ds
from app.services.catalog import list_regions
from app.services.users import get_user

PREFIX = "/disclosure"
router = APIRouter(prefix=PREFIX, include_in_schema=False)
templates = Environment(loader=PackageLoader("app.portal", "templates"), autoescape=select_autoescape(["html"]))
PAGE_SIZE = 50
SORT_KEYS = ("code", "name", "-intensity", "intensity", "-area")
RegionCode = Annotated[str, Path(pattern=r"^\d{6}$")]
Year = Annotated[int, Path(ge=1990, le=2100)]
Lang = Annotated[str, Query(pattern="^(zh|en)$")]
HEADERS = {"Cache-Control": "public, max-age=60", "X-Content-Type-Options": "nosniff"}


def static_files() -> StaticFiles:
    """The portal's stylesheet (no external assets)."""
    from importlib import resources

    return StaticFiles(directory=str(resources.files("app.portal") / "static"))


def _number(value: float | None, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def _query(**params: Any) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", "zh") or (k == "lang" and v == "en")}
    clean = {k: v for k, v in clean.items() if not (k == "lang" and v == "zh")}
    return ("?" + urlencode(clean)) if clean else ""


def render(request: Request, name: str, lang: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    params = dict(request.query_params)
    params["lang"] = "zh" if lang == "en" else "en"
    switch_url = request.url.path + _query(**params)
    page = templates.get_template(name).render(lang=lang, t=lambda key, **kw: translate(key, lang, **kw), q=_query,
                                               switch_url=switch_url, **context)
    return HTMLResponse(page, status_code=status_code, headers=HEADERS)


def _lang(request: Request, lang: str | None) -> str:
    if lang in ("zh", "en"):
        return lang
    return "en" if request.cookies.get("jieneng_lang") == "en" else "zh"


def _not_found(request: Request, lang: str) -> HTMLResponse:
    return render(request, "not_found.html", lang, status_code=404)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, session: SessionDep, lang: Lang | None = None,
          year: Annotated[int | None, Query(ge=1990, le=2100)] = None) -> HTMLResponse:
    lang = _lang(request, lang)
    every = ds.current_versions(session=session)
    years = sorted({v.year for v in every}, reverse=True)
    chosen = [v for v in every if year is None or v.year == year]
    names = ds.region_names(session=session, codes=sorted({v.region_code for v in chosen}))
    lists = [{"region_code": v.region_code, "region_name": names.get(v.region_code, ("", ""))[lang == "en"],
              "year": v.year, "version": v.version, "building_count": v.building_count,
              "published_at": v.published_at.date().isoformat()} for v in chosen]
    return render(request, "index.html", lang, lists=lists, years=years, year=year)


def _class_label(classes: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    return f"{code} {classes.get(code, ('', ''))[lang == 'en']}".strip()


@router.get("/{region}/{year}", response_class=HTMLResponse)
def disclosure_list(
    request: Request, session: SessionDep, region: RegionCode, year: Year, lang: Lang | None = None,
    version: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    building_class: Annotated[str | None, Query(alias="class", pattern=r"^[A-H]?$")] = None,
    status: Annotated[str | None, Query(pattern=r"^(better_than_guide|between|above_constraint|none)?$")] = None,
    sort: Annotated[str, Query(pattern=r"^-?(code|name|intensity|area)$")] = "code",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    lang = _lang(request, lang)
    found = ds.public_version(session=session, region_code=region, year=year, version=version)
    if found is None:
        return _not_found(request, lang)
    history = ds.version_history(session=session, region_code=region, year=year)
    result = ds.public_items(session=session, version_ids=[found.id], q=q, building_class=building_class or None,
                             status=status or None, sort=sort, page=page, page_size=PAGE_SIZE)
    classes = ds.class_names(session=session)
    region_name = ds.region_names(session=session, codes=[region]).get(region, (region, region))[lang == "en"]
    pinned = version is not None
    base = {"lang": lang, "version": found.version if pinned else None, "q": q, "class": building_class,
            "status": status, "sort": None if sort == "code" else sort}
    rows = []
    for item in result.items:
        rows.append({
            "name": item.name, "code": item.building_code,
            "url": f"{PREFIX}/{region}/{year}/{quote(item.building_code)}" + _query(lang=lang, version=found.version if pinned else None),
            "class_label": _class_label(classes, item.building_class, lang),
            "area": _number(item.floor_area_m2, 0), "kwh_m2": _number(item.energy_kwh_m2, 1),
            "kgce_m2": _number(item.energy_kgce_m2, 2), "status": rules.status_label(item.benchmark_status, lang),
            "comparable": bool(item.is_comparable),
            "change": rules.change_text(item.change_pct, bool(item.is_comparable), lang),
        })
    pages = max(1, math.ceil(result.total / PAGE_SIZE))
    path = f"{PREFIX}/{region}/{year}"
    return render(
        request, "list.html", lang, version=found, region_name=region_name, rows=rows, total=result.total,
        page=page, pages=pages, history=history, current=history[0].version if history else None, pinned=pinned,
        published_at=found.published_at.date().isoformat(),
        prev_url=path + _query(**base, page=page - 1) if page > 1 else None,
        next_url=path + _query(**base, page=page + 1) if page < pages else None,
        filters={"q": q, "class": building_class, "status": status, "sort": sort},
        classes=[(c, n[lang == "en"]) for c, n in sorted(classes.items())],
        statuses=[rules.status_label(s, lang) for s in (*rules.STATUS, None)], sorts=SORT_KEYS,
    )


@router.get("/{region}/{year}/{code}", response_class=HTMLResponse)
def building_page(request: Request, session: SessionDep, region: RegionCode, year: Year,
                  code: Annotated[str, Path(max_length=24)], lang: Lang | None = None,
                  version: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None) -> HTMLResponse:
    lang = _lang(request, lang)
    found = ds.public_version(session=session, region_code=region, year=year, version=version)
    item = ds.public_item(session=session, version_id=found.id, building_code=code) if found else None
    if found is None or item is None:
        return _not_found(request, lang)
    classes = ds.class_names(session=session)
    region_name = ds.region_names(session=session, codes=[region]).get(region, (region, region))[lang == "en"]
    fmt = {"area": _number(item.floor_area_m2, 0), "kgce": _number(item.energy_kgce, 0),
           "kwh_m2": _number(item.energy_kwh_m2, 1), "kgce_m2": _number(item.energy_kgce_m2, 2),
           "comparable": _number(item.comparable_kwh_m2, 1), "constraint": _number(item.constraint_kwh_m2, 1),
           "guide": _number(item.guide_kwh_m2, 1),
           "previous": _number(item.kgce_previous if item.is_comparable else None, 0)}
    return render(request, "building.html", lang, version=found, item=item, fmt=fmt, region_name=region_name,
                  class_label=_class_label(classes, item.building_class, lang),
                  status=rules.status_label(item.benchmark_status, lang),
                  change=rules.change_text(item.change_pct, bool(item.is_comparable), lang),
                  published_at=found.published_at.date().isoformat(),
                  back_url=f"{PREFIX}/{region}/{year}" + _query(lang=lang, version=version))


# --------------------------------------------------------------------------------------------- workflow pages
manage = APIRouter(prefix=f"{PREFIX}/manage", include_in_schema=False)
DONE = {
    "draft": "已起草 drafted", "entries": "名单已修改 list changed", "submit": "已提交审批 submitted for approval",
    "approve": "已批准 approved", "publish": "已发布 published", "withdraw": "已撤回 withdrawn",
}
MANAGE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _viewer(request: Request, session) -> Actor | None:
    claims = decode_token(request.cookies.get(TOKEN_COOKIE), secret_key=request.app.state.settings.secret_key)
    if claims is None:
        return None
    user = get_user(session=session, username=claims.username)
    if user is None or not user.is_active:
        return None
    return Actor(user.username, user.role, user.region_code)


def _login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path, safe='/')}", status_code=303)


def _page(context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(templates.get_template("manage.html").render(**context), status_code=status_code,
                        headers=MANAGE_HEADERS)


@manage.get("", response_class=HTMLResponse)
def manage_index(request: Request, session: SessionDep, error: Annotated[str | None, Query(max_length=500)] = None):
    user = _viewer(request, session)
    if user is None:
        return _login(request)
    if user.role not in ("admin", "official"):
        return _page({"user": user, "listing": None, "states": [], "regions": [],
                      "error": "无权管理公示 / your role may not manage disclosures", "default_year": ""}, 403)
    regions = [(r.code, r.name_zh) for r in list_regions(session=session, region_scope=user.region_code,
                                                         demonstration_only=True) if r.code != rules.NATION_CODE]
    states = ds.list_states(session=session, region_scope=user.region_code)
    return _page({"user": user, "listing": None, "states": states, "regions": regions, "error": error,
                  "default_year": ""})


@manage.post("/draft")
def manage_new(request: Request, session: SessionDep, region: Annotated[str, Form(pattern=r"^\d{6}$")],
               year: Annotated[int, Form(ge=1990, le=2100)], method: Annotated[str, Form()] = "calorific"):
    return _act(request, session, region, year, "draft", lambda a: ds.draft(
        session=session, actor=a, region_code=region, year=year, method=method))


@manage.get("/{region}/{year}", response_class=HTMLResponse)
def manage_list(request: Request, session: SessionDep, region: RegionCode, year: Year,
                error: Annotated[str | None, Query(max_length=500)] = None,
                done: Annotated[str | None, Query(max_length=100)] = None):
    user = _viewer(request, session)
    if user is None:
        return _login(request)
    why = rules.permission(user, "draft", region)
    if why is not None:
        return _page({"user": user, "listing": None, "states": [], "regions": [], "error": why, "default_year": ""}, 403)
    states = ds.list_states(session=session, year=year, region_code=region)
    if not states:
        return RedirectResponse(f"{PREFIX}/manage?error={quote('no list yet: draft one first')}", status_code=303)
    entries = ds.draft_entries(session=session, region_code=region, year=year)
    region_name = ds.region_names(session=session, codes=[region]).get(region, ("", ""))[0]
    records = entries.astype(object).where(entries.notna(), None).to_dict("records")
    return _page({"user": user, "listing": states[0], "entries": records, "error": error,
                  "done": DONE.get(done or "", None), "region_name": region_name, "base": f"{PREFIX}/manage/{region}/{year}"})


def _act(request: Request, session, region: str, year: int, action: str, call) -> Response:
    user = _viewer(request, session)
    if user is None:
        return _login(request)
    target = f"{PREFIX}/manage/{region}/{year}"
    try:
        with session.begin_nested():  # a refused step leaves nothing behind; the request still commits
            call(user)
    except (ds.DisclosureError, ds.DisclosureForbidden) as exc:
        return RedirectResponse(f"{target}?error={quote(str(exc)[:400])}", status_code=303)
    return RedirectResponse(f"{target}?done={action}", status_code=303)


@manage.post("/{region}/{year}/{action}")
def manage_action(request: Request, session: SessionDep, region: RegionCode, year: Year,
                  action: Annotated[str, Path(pattern="^(draft|submit|approve|publish|withdraw|entries)$")],
                  change_note: Annotated[str | None, Form(max_length=4000)] = None,
                  reason: Annotated[str | None, Form(max_length=4000)] = None,
                  code: Annotated[str | None, Form(max_length=24)] = None,
                  include: Annotated[str | None, Form(pattern="^[01]$")] = None):
    calls = {
        "draft": lambda a: ds.draft(session=session, actor=a, region_code=region, year=year),
        "submit": lambda a: ds.submit(session=session, actor=a, region_code=region, year=year, change_note=change_note),
        "approve": lambda a: ds.approve(session=session, actor=a, region_code=region, year=year),
        "publish": lambda a: ds.publish(session=session, actor=a, region_code=region, year=year),
        "withdraw": lambda a: ds.withdraw(session=session, actor=a, region_code=region, year=year, reason=reason or ""),
        "entries": lambda a: ds.set_entry(session=session, actor=a, region_code=region, year=year,
                                          building_code=(code or "").strip(), include=include == "1",
                                          reason=reason or ""),
    }
    return _act(request, session, region, year, action, calls[action])
