"""`jieneng disclosure`: the year-end disclosure (能效公示) workflow from the command line.

Every write names the acting user (`--user NAME`, a platform account): their role and region scope
apply exactly as in the API (see docs/disclosure.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from app.cli._output import dumps
from app.db import session_scope
from app.domain.disclosure import Actor
from app.services import disclosure as ds
from app.services.users import get_user

app = typer.Typer(help="年底能效公示 Year-end disclosure: draft, submit, approve, publish, withdraw, list", no_args_is_help=True)
console = Console(stderr=True)

YEAR = typer.Option(..., "--year", help="Year of the statistics")
REGION = typer.Option(..., "--region", help="Region code, e.g. 110000 (北京) or 440300 (深圳)")
USER = typer.Option(..., "--user", help="Acting platform user (admin or an official of the region)")


def _run(username: str, call: Callable[[Any, Actor], Any]) -> Any:
    """Run a workflow step as ``username``; exit 1 when refused by role or scope, 2 when the workflow refuses."""
    try:
        with session_scope() as session:
            user = get_user(session=session, username=username)
            if user is None or not user.is_active:
                console.print(f"[red]未知或已停用的用户 unknown or inactive user {username}[/red]")
                raise typer.Exit(1)
            result = call(session, Actor(user.username, user.role, user.region_code))
            return result
    except ds.DisclosureForbidden as exc:
        console.print(f"[red]无权操作 forbidden: {exc}[/red]")
        raise typer.Exit(1) from exc
    except ds.DisclosureError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def _state(region: str, year: int) -> None:
    with session_scope() as session:
        states = ds.list_states(session=session, year=year, region_code=region)
    if states:
        s = states[0]
        typer.echo(f"{s.region_code} {s.year}: {s.status} · included {s.included} · removed {s.removed}"
                   + (f" · latest version {s.latest_version}" if s.latest_version else ""))


@app.command("draft")
def draft(year: int = YEAR, region: str = REGION, user: str = USER,
          method: str = typer.Option("calorific", "--method", help="calorific (当量值) or generation (等价值)")) -> None:
    """Draft the list (the eligible buildings are proposed), or reopen a published one for a correction."""
    _run(user, lambda s, a: ds.draft(session=s, actor=a, region_code=region, year=year, method=method))
    _state(region, year)


@app.command("add")
def add(code: str = typer.Argument(..., help="Building code"), year: int = YEAR, region: str = REGION,
        user: str = USER, reason: str = typer.Option(..., "--reason", help="Why the building is added")) -> None:
    """Add a building to the draft, with a reason."""
    _run(user, lambda s, a: ds.set_entry(session=s, actor=a, region_code=region, year=year, building_code=code,
                                         include=True, reason=reason))
    _state(region, year)


@app.command("remove")
def remove(code: str = typer.Argument(..., help="Building code"), year: int = YEAR, region: str = REGION,
           user: str = USER, reason: str = typer.Option(..., "--reason", help="Why the building is removed")) -> None:
    """Remove a building from the draft, with a reason."""
    _run(user, lambda s, a: ds.set_entry(session=s, actor=a, region_code=region, year=year, building_code=code,
                                         include=False, reason=reason))
    _state(region, year)


@app.command("submit")
def submit(year: int = YEAR, region: str = REGION, user: str = USER,
           change_note: str | None = typer.Option(None, "--change-note", help="Required for a correction")) -> None:
    """Submit the draft for approval."""
    _run(user, lambda s, a: ds.submit(session=s, actor=a, region_code=region, year=year, change_note=change_note))
    _state(region, year)


@app.command("approve")
def approve(year: int = YEAR, region: str = REGION, user: str = USER) -> None:
    """Approve a submitted list (an admin, or an official of the region who did not submit it)."""
    _run(user, lambda s, a: ds.approve(session=s, actor=a, region_code=region, year=year))
    _state(region, year)


@app.command("publish")
def publish(year: int = YEAR, region: str = REGION, user: str = USER) -> None:
    """Publish the approved list as its next version."""
    version = _run(user, lambda s, a: (lambda v: (v.version, v.building_count))(
        ds.publish(session=s, actor=a, region_code=region, year=year)))
    typer.echo(f"已发布 published {region} {year} version {version[0]}: {version[1]} buildings")


@app.command("withdraw")
def withdraw(year: int = YEAR, region: str = REGION, user: str = USER,
             reason: str = typer.Option(..., "--reason", help="Why the disclosure is withdrawn")) -> None:
    """Withdraw every published version of the region's list for the year."""
    count = _run(user, lambda s, a: ds.withdraw(session=s, actor=a, region_code=region, year=year, reason=reason))
    typer.echo(f"已撤回 withdrew {count} version(s) of {region} {year}")


@app.command("list")
def list_(year: int | None = typer.Option(None, "--year", help="Only this year"),
          region: str | None = typer.Option(None, "--region", help="Only this region"),
          as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """The disclosure lists with their status and the published versions."""
    with session_scope() as session:
        states = ds.list_states(session=session, year=year, region_code=region)
        public = {(v.region_code, v.year): v.version
                  for v in ds.current_versions(session=session, year=year, region_code=region)}
    rows = [{**s.to_dict(), "public_version": public.get((s.region_code, s.year))} for s in states]
    if as_json:
        typer.echo(dumps(rows))
        return
    table = Table(title="能效公示 Disclosure lists")
    for column in ("地区 region", "年份 year", "状态 status", "纳入 included", "移除 removed", "公开版本 public version"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["region_code"], str(r["year"]), r["status"], str(r["included"]), str(r["removed"]),
                      str(r["public_version"] or "—"))
    Console().print(table)


def publish_demo() -> None:
    """The demo's step: publish 北京 and 深圳 for the last complete year (once)."""
    from seeds.demo import publish_disclosures

    with session_scope() as session:
        versions = [(v.region_code, v.year, v.version, v.building_count) for v in publish_disclosures(session)]
    for code, year, version, count in versions:
        console.print(f"[green]能效公示已发布 Disclosure published:[/green] {code} {year} version {version}, "
                      f"{count} buildings — /disclosure/{code}/{year}")
