"""Service settings read from the environment (prefix ``YTC_``) and ``.env``."""

from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ytcaption_common.log_utils.setup import LEVELS


class BaseServiceSettings(BaseSettings):
    """Subclass per service; override ``model_config`` for another env prefix."""

    model_config = SettingsConfigDict(env_prefix="YTC_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    service_name: str = "ytcaption-service"
    log_level: str = "INFO"
    log_json: bool = True
    redis_url: str = "redis://localhost:6379/0"
    debug: bool = False

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        name = value.strip().upper()
        if name not in LEVELS:
            raise ValueError(f"unknown log level {value!r}; use one of {', '.join(LEVELS)}")
        return name
