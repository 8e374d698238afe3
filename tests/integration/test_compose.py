"""The deployment files agree with the code: compose services, settings variables, CLI commands.

There is no Docker engine on the build machines, so these checks are what can be tested without
one; tests/integration/test_production_sequence.py runs the same sequence against PostgreSQL.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from compose_spec import PyCompose
from typer.testing import CliRunner

from app.cli import app as cli_app
from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"

SETTINGS_VARIABLES = {f"JIENENG_{name.upper()}" for name in Settings.model_fields}
_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?]([^}]*))?\}")


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def _interpolate(text: str) -> str:
    """Substitute ${VAR:-default} the way compose would with the .env.example values."""
    env = _env_example()

    def replace(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        return env.get(name) or default or ""

    return _INTERPOLATION.sub(replace, text)


def _environment_names(environment) -> set[str]:
    if environment is None:
        return set()
    if isinstance(environment, dict):
        return set(environment)
    return {item.split("=", 1)[0] for item in environment}


def _env_file_names(service: dict) -> set[str]:
    env_files = service.get("env_file") or []
    if isinstance(env_files, (str, dict)):
        env_files = [env_files]
    names: set[str] = set()
    for entry in env_files:
        path = entry["path"] if isinstance(entry, dict) else entry
        # .env is the operator's copy of .env.example, which must stand for it.
        assert path == ".env", f"unexpected env_file {path!r}"
        names |= set(_env_example())
    return names


def _jieneng_commands(command) -> list[list[str]]:
    """Every `jieneng ...` invocation in a compose/Dockerfile command (list or shell string)."""
    if isinstance(command, list):
        if command[:2] == ["sh", "-c"] or command[:2] == ["/bin/sh", "-c"]:
            command = command[2]
        else:
            command = shlex.join(command)
    commands = []
    for part in re.split(r"&&|;|\|\|", _interpolate(command)):
        words = shlex.split(part)
        if words and words[0] == "jieneng":
            commands.append(words[1:])
    return commands


def _dockerfile_cmd() -> list[str]:
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("CMD "):
            return yaml.safe_load(line.removeprefix("CMD "))
    raise AssertionError("Dockerfile has no CMD")


def test_compose_parses_and_names_the_three_services():
    compose = _compose()
    assert set(compose["services"]) == {"db", "migrate", "web"}
    db = compose["services"]["db"]
    assert db["image"].split(":")[0] == "postgres" and db["image"].split(":")[1].startswith("15")
    assert any(str(volume).startswith("pgdata:/var/lib/postgresql/data") for volume in db["volumes"])
    assert "pgdata" in compose["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_compose_file_follows_the_compose_specification():
    # Validated the way `docker compose config` would: after ${...} substitution from .env.
    spec = PyCompose.from_yaml(_interpolate(COMPOSE.read_text(encoding="utf-8")))
    assert spec.service_names() == ["db", "migrate", "web"]
    web = spec.get_service("web")
    assert web.depends_on["migrate"].condition.value == "service_completed_successfully"
    with pytest.raises(ValueError, match="condition"):
        PyCompose.from_yaml(_interpolate(COMPOSE.read_text(encoding="utf-8")).replace(
            "service_completed_successfully", "service_finished"))


def test_service_ordering_and_health_checks():
    services = _compose()["services"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"].get("restart") in ("no", False)
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    web_check = " ".join(services["web"]["healthcheck"]["test"])
    assert "/healthz" in web_check
    assert services["web"]["env_file"] == ".env" and services["migrate"]["env_file"] == ".env"


def test_migrate_runs_upgrade_then_reference_seed():
    commands = _jieneng_commands(_compose()["services"]["migrate"]["command"])
    assert commands == [["db", "upgrade"], ["seed", "reference"]]


def test_web_serves_with_several_workers():
    (serve,) = _jieneng_commands(_compose()["services"]["web"]["command"])
    assert serve[0] == "serve"
    assert int(serve[serve.index("--workers") + 1]) > 1
    assert serve[serve.index("--port") + 1] == "8000"
    # The image's own command takes host, port and workers from its environment.
    assert _jieneng_commands(_dockerfile_cmd()) == [["serve"]]
    image_env = dict(re.findall(r"\b(JIENENG_[A-Z_]+)=(\S+)", DOCKERFILE.read_text(encoding="utf-8")))
    assert int(image_env["JIENENG_WORKERS"]) > 1
    assert image_env["JIENENG_HOST"] == "0.0.0.0"


def test_every_passed_variable_is_a_setting():
    compose = _compose()
    passed: set[str] = set()
    for name in ("migrate", "web"):
        service = compose["services"][name]
        passed |= _environment_names(service.get("environment")) | _env_file_names(service)
    dockerfile_env = set(re.findall(r"\b(JIENENG_[A-Z_]+)=", DOCKERFILE.read_text(encoding="utf-8")))
    platform_variables = {name for name in passed | dockerfile_env if name.startswith("JIENENG_")}
    assert "JIENENG_DATABASE_URL" in platform_variables
    unknown = platform_variables - SETTINGS_VARIABLES
    assert not unknown, f"not fields of app.config.Settings: {sorted(unknown)}"
    # Nothing else leaks into the platform containers except the compose-only POSTGRES_/WEB_ values.
    others = {name for name in passed if not name.startswith("JIENENG_")}
    assert others <= {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "WEB_PORT"}


def test_env_example_documents_every_setting():
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    missing = {name for name in SETTINGS_VARIABLES if not re.search(rf"^#?\s*{name}=", text, re.MULTILINE)}
    assert not missing, f".env.example does not document {sorted(missing)}"
    for key, value in _env_example().items():
        if key.startswith("JIENENG_"):
            assert key in SETTINGS_VARIABLES
            # Each documented value is one the settings accept.
            Settings.model_validate({key.removeprefix("JIENENG_").lower(): value})


def test_interpolated_variables_have_a_source():
    compose_text = COMPOSE.read_text(encoding="utf-8")
    env = _env_example()
    for match in _INTERPOLATION.finditer(compose_text):
        name, default = match.group(1), match.group(2)
        assert name in env or default, f"${{{name}}} has neither a default nor a line in .env.example"


def _all_commands() -> list[list[str]]:
    services = _compose()["services"]
    commands = [c for s in services.values() if "command" in s for c in _jieneng_commands(s["command"])]
    return commands + _jieneng_commands(_dockerfile_cmd())


@pytest.mark.parametrize("args", _all_commands(), ids=lambda args: " ".join(args))
def test_every_command_exists_in_the_cli(args):
    # Options are parsed before --help acts, so an unknown option or command fails here too.
    result = CliRunner().invoke(cli_app, [*args, "--help"])
    assert result.exit_code == 0, f"`jieneng {' '.join(args)}` is not a CLI command:\n{result.output}"


def test_dockerfile_is_slim_non_root_with_healthcheck():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.MULTILINE)
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", text, re.MULTILINE)
    assert "pyproject.toml" in text
