"""Settings read from the environment (prefix JIENENG_), an .env file here, or the user's settings file.

Precedence, highest first: environment variables, ``./.env``, the settings file (``JIENENG_SETTINGS_FILE``,
else ``$XDG_CONFIG_HOME/jieneng/settings.env``, else ``~/.config/jieneng/settings.env``), the defaults. The
settings file makes the ``jieneng`` command find the same data directory from any folder.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "change-me-jieneng-development-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIENENG_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("./var"), description="Uploaded raw files and the SQLite database live here")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite file jieneng.db in data_dir")
    secret_key: str = Field(default=DEFAULT_SECRET_KEY, description="Signs access tokens")
    environment: str = Field(default="development", description="'production' refuses the default secret")
    token_expire_minutes: int = Field(default=480, ge=1)
    max_upload_mb: int = Field(default=50, ge=1)
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1)
    refresh_interval_s: float = Field(
        default=10.0, ge=0,
        description="How often a served process checks for new data and precomputes the national indicators; 0: never",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'jieneng.db').resolve()}"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def is_production(self) -> bool:
        return self.environment.lower() == "production"


def settings_file() -> Path:
    """Where the user's settings file is looked for (it need not exist)."""
    explicit = os.environ.get("JIENENG_SETTINGS_FILE")
    if explicit:
        return Path(explicit).expanduser()
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "jieneng" / "settings.env"


@lru_cache
def get_settings() -> Settings:
    return Settings(_env_file=(settings_file(), ".env"))
