"""Getting started: packaging metadata without deprecated forms, the PATH and settings steps documented."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_license_is_an_spdx_expression():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    # a TOML table here is deprecated by setuptools (BuildBackendWarning); a string needs setuptools >= 77
    assert isinstance(project["project"]["license"], str)
    assert all((ROOT / path).exists() for path in project["project"]["license-files"])
    assert "setuptools>=77" in project["build-system"]["requires"]


def test_readme_says_how_to_get_jieneng_on_the_path():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "source .venv/bin/activate" in readme and ".venv/bin/jieneng" in readme
    assert "~/.config/jieneng/settings.env" in readme and "jieneng config" in readme
    assert "make demo RESET=1" in readme


def test_make_demo_keeps_settings_and_passwords_unless_reset():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ndemo: install\n", 1)[1].splitlines()[0]
    assert "jieneng demo --save-settings" in recipe and "$(if $(RESET),--reset-passwords)" in recipe
