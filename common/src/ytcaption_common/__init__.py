"""Shared building blocks of the YTCaption services.

Import the subpackages you need (``ytcaption_common.models`` ...); this module
stays import-light so reading ``__version__`` costs nothing.
"""

__version__ = "2.0.0"

__all__ = ["__version__"]
