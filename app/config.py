"""Settings read from the environment (prefix JIENENG_) or an .env file."""

from __future__ import annotations

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
