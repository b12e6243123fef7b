"""Settings on pydantic-settings (``config_utils.base_settings``)."""

from ytcaption_common.config_utils.base_settings import (
    BaseServiceSettings,
    CelerySettings,
    LoggingSettings,
    RedisSettings,
)

__all__ = ["BaseServiceSettings", "CelerySettings", "LoggingSettings", "RedisSettings"]
