"""`jieneng users ...`: platform accounts."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from app.config import get_settings
from app.db import session_scope
from app.services import reference
from app.services import users as users_service

app = typer.Typer(help="Platform users (admin, official, auditor).", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def generate_password() -> str:
    """A random password that is easy to copy (URL-safe, 16 characters)."""
    return secrets.token_urlsafe(12)


@app.command("add")
def add(
    username: str = typer.Argument(..., help="Login name"),
    role: str = typer.Option(..., "--role", help="admin | official | auditor"),
    region: str | None = typer.Option(None, "--region", help="Region code of the scope; omit for national"),
    password: str | None = typer.Option(None, "--password", help="Password; omit to be asked or to generate one"),
    generate: bool = typer.Option(False, "--generate", help="Generate a password without asking"),
) -> None:
    """Create a user and print its credentials."""
    if password is None:
        if generate or not console.is_terminal:
            password = generate_password()
        else:
            password = typer.prompt("密码 / password (empty = generate)", default="", hide_input=True, show_default=False)
            password = password or generate_password()
    try:
        with session_scope() as session:
            user = users_service.create_user(
                session=session, username=username, password=password, role=role, region_code=region
            )
            scope = user.region_code or "national"
    except users_service.UserError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    typer.echo("用户已创建 / user created")
    typer.echo(f"  username: {username}\n  role: {role}\n  region: {scope}\n  password: {password}")


@app.command("list")
def list_users() -> None:
    """List users with their role and region scope."""
    with session_scope() as session:
        rows = [(u.username, u.role, u.region_code or "national", "yes" if u.is_active else "no")
                for u in users_service.list_users(session=session)]
    table = Table("用户 user", "角色 role", "地区 region", "启用 active")
    for row in rows:
        table.add_row(*row)
    console.print(table)


DEMO_ACCOUNTS_FILE = "demo-accounts.json"


def demo_accounts_path() -> Path:
    """The demo passwords are kept here, in the data directory, so a second `make demo` prints working ones."""
    return get_settings().data_dir / DEMO_ACCOUNTS_FILE


def _read_kept_passwords(path: Path) -> dict[str, str]:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in kept.items()} if isinstance(kept, dict) else {}


def _keep_passwords(path: Path, passwords: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(passwords, handle, ensure_ascii=False, indent=2)


def region_label(code: str | None, names: dict[str, str]) -> str:
    """'辽宁 210000' for a region scope, '全国 national' for none."""
    if code is None:
        return "全国 national"
    return f"{names[code]} {code}" if code in names else code


@app.command("demo")
def demo_users(
    reset: bool = typer.Option(False, "--reset", help="New passwords instead of the ones kept in the data directory"),
) -> None:
    """Create the demo accounts (one per role) and print their credentials; passwords are kept unless --reset."""
    path = demo_accounts_path()
    kept = {} if reset else _read_kept_passwords(path)
    with session_scope() as session:
        credentials = users_service.ensure_demo_users(session=session, passwords=kept)
        names = {r.code: r.name_zh for r in reference.list_regions(session=session)}
    _keep_passwords(path, {username: password for username, _role, _region, password in credentials})
    table = Table("用户 user", "角色 role", "地区 region", "密码 password", title="演示账号 Demo accounts")
    for username, role, region, password in credentials:
        table.add_row(username, role, region_label(region, names), password)
    console.print(table)
    kept_all = bool(kept) and all(kept.get(username) == password for username, _r, _g, password in credentials)
    note = "密码未变 / passwords unchanged" if kept_all else "新密码 / new passwords"
    err.print(f"{note}: {path} (jieneng users demo --reset gives new ones)")
