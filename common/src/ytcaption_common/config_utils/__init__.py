"""Settings each service subclasses."""

from ytcaption_common.config_utils.settings import BaseServiceSettings

__all__ = ["BaseServiceSettings"]
