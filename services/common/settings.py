"""Settings shared by both services: where local state lives and how we run."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class CommonSettings(BaseSettings):
    """Knobs every service reads; all have safe defaults for the embedded run."""

    model_config = SettingsConfigDict(env_prefix="HALCYON_", env_file=".env", extra="ignore")

    env: Environment = Environment.development
    var_dir: Path = Field(default=Path("var"), description="Local state: SQLite file, keys, mailbox.")
    log_level: str = "INFO"
    log_json: bool = False

    def ensure_var_dir(self) -> Path:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return self.var_dir
