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
MIN_SECRET_BYTES = 32
MIN_SECRET_DISTINCT = 10  # a random 32-byte key in hex or base64 has far more distinct characters
GENERATE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` cannot sign production tokens (Chinese / English), or None when it can."""
    if key == DEFAULT_SECRET_KEY:
        return "不能使用默认密钥 / the default secret key is refused"
    if len(key.encode("utf-8")) < MIN_SECRET_BYTES:
        return f"密钥至少需要 {MIN_SECRET_BYTES} 字节 / the secret key needs at least {MIN_SECRET_BYTES} bytes"
    if len(set(key)) < MIN_SECRET_DISTINCT:
        return "密钥不是随机生成的 / the secret key is not random (too few distinct characters)"
    return None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIENENG_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("./var"), description="Uploaded raw files and the SQLite database live here")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite file jieneng.db in data_dir")
    secret_key: str = Field(default=DEFAULT_SECRET_KEY, description="Signs access tokens")
    environment: str = Field(default="development", description="'production' requires a random secret of at least 32 bytes")
    token_expire_minutes: int = Field(default=480, ge=1)
    max_upload_mb: int = Field(default=50, ge=1)
    max_rows: int = Field(default=5_000_000, ge=1, description="Rows a survey file may hold (an XLSX sheet holds at most 1,048,576)")
    max_columns: int = Field(default=500, ge=1, description="Columns a survey file may hold")
    xlsx_max_uncompressed_mb: int = Field(default=1024, ge=1, description="What an XLSX may inflate to, all parts together")
    xlsx_max_ratio: float = Field(default=200.0, ge=1, description="Largest compression ratio of one XLSX part")
    xlsx_max_cells: int = Field(default=20_000_000, ge=1, description="Cells an XLSX worksheet may hold")
    findings_per_code: int = Field(default=1000, ge=1, description="Findings stored per code and upload; all are counted")
    login_max_failures: int = Field(default=5, ge=1, description="Failed sign-ins of one account before it is locked")
    login_max_failures_per_address: int = Field(default=20, ge=1, description="Failed sign-ins from one client address before it is locked")
    login_window_s: int = Field(default=900, ge=1, description="Failures further apart than this start a new count")
    login_lockout_s: int = Field(default=60, ge=1, description="First lockout; doubles with each further failure")
    login_lockout_max_s: int = Field(default=900, ge=1, description="Longest lockout")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1)
    public_rate_limit: str = Field(
        default="300/minute", description="Requests per client address to the public disclosure portal and open data",
    )
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
