"""`jieneng users ...`: platform accounts."""

from __future__ import annotations

import secrets

import typer
from rich.console import Console
from rich.table import Table

from app.db import session_scope
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


@app.command("demo")
def demo_users() -> None:
    """Create or reset one demo account per role and print the credentials."""
    with session_scope() as session:
        credentials = users_service.ensure_demo_users(session=session)
    table = Table("用户 user", "角色 role", "地区 region", "密码 password", title="演示账号 Demo accounts")
    for username, role, region, password in credentials:
        table.add_row(username, role, region or "national", password)
    console.print(table)
